/**
 * Secret leak detection: the planted Secret values, their base64 (how a Secret's data travels) and the AWX token are
 * needles; a finding names the needle by what it stands for, never by its value.
 */
import type { ScenarioIdentity } from './identity.ts';

export interface Needle {
  text: string;
  /** What the needle is, safe to print: "xs-…-a/password", "base64 of xs-…-a/password", "the AWX token". */
  what: string;
}

export function needlesOf(identity: ScenarioIdentity, awxToken: string): Needle[] {
  const needles: Needle[] = [{ text: awxToken, what: 'the AWX token' }];
  for (const secret of identity.secrets) {
    for (const [key, value] of Object.entries(secret.values)) {
      needles.push({ text: value, what: `${secret.name}/${key}` });
      needles.push({ text: Buffer.from(value).toString('base64'), what: `base64 of ${secret.name}/${key}` });
    }
  }
  return needles;
}

/** The needles found in a text, by what they stand for. */
export function leaksIn(text: string, needles: readonly Needle[]): string[] {
  return needles.filter((needle) => text.includes(needle.text)).map((needle) => needle.what);
}
