/** AWX's error answers as typed errors, and their bodies summarised without echoing what was sent (secret inputs). */
import { BackendError } from '../domain/errors.ts';

/** An AWX answer that was not the expected one. `status` undefined = transport failure. */
export class AwxError extends BackendError {
  readonly operation: string;
  constructor(operation: string, message: string, status: number | undefined, cause?: unknown) {
    super(`AWX ${operation}: ${message}`, status, cause);
    this.operation = operation;
  }
}

/** A short, single-line summary of an error body: its detail, or its field errors, at most 300 characters. */
export function summarize(text: string): string {
  let summary = text;
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    summary = typeof body.detail === 'string' ? body.detail : JSON.stringify(body);
  } catch {
    summary = text.replace(/<[^>]+>/g, ' ');
  }
  summary = summary.replace(/\s+/g, ' ').trim();
  return summary.length > 300 ? `${summary.slice(0, 300)}…` : summary || '(empty body)';
}

/** Every string in what was sent (its secret inputs among them). */
function sentStrings(value: unknown, into: string[] = []): string[] {
  if (typeof value === 'string') {
    if (value.trim()) into.push(value.trim());
  } else if (value && typeof value === 'object') for (const item of Object.values(value)) sentStrings(item, into);
  return into;
}

/**
 * For bodies that may echo secret inputs: the fields AWX complained about, with its messages when it sent a list of
 * them (they name fields, not values); a message holding any string of the request body `sent` is withheld.
 */
export function summarizeKeys(text: string, sent?: unknown): string {
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    if (typeof body.detail === 'string') return summarize(text);
    // A credential's secrets are its inputs; the rest of the body (name, ids) is ours and would only mask messages.
    const inputs = sent && typeof sent === 'object' && 'inputs' in sent ? (sent as { inputs: unknown }).inputs : sent;
    const secrets = sentStrings(inputs);
    const message = (item: string) => (secrets.some((secret) => item.includes(secret)) ? '(message withheld)' : item);
    const fields = Object.entries(body).map(([key, value]) => {
      if (Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string'))
        return `${key}: ${value.map(message).join('; ')}`;
      return key === 'inputs' && value && typeof value === 'object' ? `inputs(${Object.keys(value).join(', ')})` : key;
    });
    const summary = `invalid fields: ${fields.join(', ') || '(none named)'}`.replace(/\s+/g, ' ');
    return summary.length > 300 ? `${summary.slice(0, 300)}…` : summary;
  } catch {
    return '(body withheld: it may echo secret inputs)';
  }
}
