/**
 * Masks secret values in text a backend hands back (an AWX job's output, its explanation) before it reaches history,
 * queries, logs or the CLI. A value shorter than MIN_MASKABLE cannot be masked without mangling ordinary text, so when
 * one is among the secrets the text is withheld whole instead.
 */
export const REDACTED = '[REDACTED]';
const MIN_MASKABLE = 4;

/** Each value, each of its lines (a runner may pass only the first), and their base64 forms. */
function needles(values: readonly string[]): string[] {
  const all = new Set<string>();
  for (const value of values) {
    for (const part of [value, ...value.split(/\r?\n/)]) {
      const trimmed = part.trim();
      if (trimmed.length === 0) continue;
      all.add(trimmed);
      all.add(Buffer.from(trimmed, 'utf8').toString('base64'));
    }
  }
  return [...all].sort((a, b) => b.length - a.length);
}

export interface Redaction {
  text: string;
  /** Whether the whole text was withheld (a secret too short to mask safely). */
  withheld: boolean;
}

export function redactSecrets(text: string, secretValues: readonly string[]): Redaction {
  if (!text) return { text, withheld: false };
  const targets = needles(secretValues);
  if (targets.some((needle) => needle.length < MIN_MASKABLE))
    return { text: `(output withheld: a secret value of fewer than ${MIN_MASKABLE} characters cannot be masked)`, withheld: true };
  let masked = text;
  for (const needle of targets) masked = masked.split(needle).join(REDACTED);
  return { text: masked, withheld: false };
}
