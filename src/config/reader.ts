/** Reading environment variables: one problem recorded per bad variable, never a throw on the first. */
import { existsSync, readFileSync } from 'node:fs';

export type Env = Record<string, string | undefined>;

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off', '']);

/** Reads variables, recording a problem for each bad one; never throws on the first. */
export class Reader {
  readonly problems: string[] = [];
  private readonly env: Env;
  constructor(env: Env) {
    this.env = env;
  }
  text(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value ? value : undefined;
  }
  flag(name: string, fallback: boolean): boolean {
    const value = this.env[name]?.trim().toLowerCase();
    if (value === undefined) return fallback;
    if (TRUE.has(value)) return true;
    if (FALSE.has(value)) return false;
    this.problems.push(`${name}: must be true or false, got "${value}"`);
    return fallback;
  }
  integer(name: string, fallback: number, min: number, max: number): number {
    const value = this.text(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
      this.problems.push(`${name}: must be an integer between ${min} and ${max}, got "${value}"`);
      return fallback;
    }
    return parsed;
  }
  file(name: string): string | undefined {
    const path = this.text(name);
    if (path && !existsSync(path)) this.problems.push(`${name}: file ${path} does not exist`);
    return path;
  }
  /** A secret given directly (NAME) or as a file (NAME_FILE, e.g. a mounted Secret). */
  secret(name: string): string | undefined {
    const direct = this.text(name);
    const file = this.file(`${name}_FILE`);
    if (direct && file) this.problems.push(`${name} and ${name}_FILE: set only one of them`);
    if (file && existsSync(file)) return readFileSync(file, 'utf8').trim() || undefined;
    return direct;
  }
}

export function hostPort(reader: Reader, name: string, fallback: string | undefined): string | undefined {
  const value = reader.text(name) ?? fallback;
  const port = value === undefined ? undefined : (/^[^\s:/]+:(\d{1,5})$/.exec(value) ?? /^\[[0-9a-fA-F:]+\]:(\d{1,5})$/.exec(value))?.[1];
  if (value !== undefined && (port === undefined || Number(port) < 1 || Number(port) > 65535)) {
    reader.problems.push(`${name}: must be host:port with a port from 1 to 65535, got "${value}"`);
  }
  return value;
}

/**
 * An https URL without credentials in it: plain http (a token in clear text) only with the explicit insecure setting,
 * and never a user:password part (it would be logged; tokens belong in their own variables).
 */
export function checkUrl(reader: Reader, name: string, value: string, insecureSetting: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    reader.problems.push(`${name}: must be an https URL, got "${value.replace(/\/\/[^@/]*@/, '//<credentials>@')}"`);
    return;
  }
  if (url.username || url.password) reader.problems.push(`${name}: must not carry credentials (user:password@); give the token separately`);
  if (url.protocol === 'http:' && !reader.flag(insecureSetting, false))
    reader.problems.push(
      `${name}: plain http would send the token unencrypted: use https, or set ${insecureSetting}=true for a throw-away setup`,
    );
  else if (url.protocol !== 'http:' && url.protocol !== 'https:')
    reader.problems.push(`${name}: must be an https URL, got "${url.protocol}"`);
}
