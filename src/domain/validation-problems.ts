/** The building blocks of request validation: the problems list, the limits, JSON helpers. Pure (workflow-safe). */

/** One thing wrong with a request: the field's path and what to do about it. */
export interface ValidationProblem {
  field: string;
  message: string;
}

export const LIMITS = {
  requestBytes: 256 * 1024,
  /** Nesting of the request's JSON (engineConfig is free-form): deeper input could exhaust the stack while checked. */
  requestDepth: 32,
  /** Nesting of a bracketed JSON parameter value (sent to AWX as typed extra_vars). */
  parameterJsonDepth: 64,
  targetResourceLength: 1024,
  /** Search-attribute values (TargetResource) are limited in bytes by Temporal (2 KB by default). */
  searchAttributeBytes: 1024,
  parameterCount: 200,
  parameterNameLength: 128,
  parameterValueBytes: 32 * 1024,
  executionTimeoutMaxMs: 7 * 24 * 3_600_000,
  pollMinMs: 10,
  pollMaxMs: 3_600_000,
  stopGraceMaxMs: 3_600_000,
  continueAsNewMinEvents: 20,
} as const;

export type Json = Record<string, unknown>;
export const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
export const describe = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`);
export const utf8Length = (text: string): number => new TextEncoder().encode(text).length;

/** Collects problems field by field; each check names the field and the fix. */
export class Problems {
  readonly list: ValidationProblem[] = [];
  add(field: string, message: string): void {
    this.list.push({ field, message });
  }
  /** The object at `field`, or undefined after recording why not. */
  object(value: unknown, field: string, required: boolean): Json | undefined {
    if (value === undefined && !required) return undefined;
    if (!isObject(value)) {
      this.add(field, value === undefined ? 'required object is missing' : `must be an object, got ${describe(value)}`);
      return undefined;
    }
    return value;
  }
  /** The non-empty string at `field`, or undefined after recording why not. */
  string(value: unknown, field: string, required: boolean): string | undefined {
    if (value === undefined && !required) return undefined;
    if (typeof value !== 'string') {
      this.add(field, value === undefined ? 'required string is missing' : `must be a string, got ${describe(value)}`);
      return undefined;
    }
    if (value.length === 0 && required) {
      this.add(field, 'must not be empty');
      return undefined;
    }
    return value;
  }
  integer(value: unknown, field: string, min: number, max: number): number | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.add(field, `must be an integer between ${min} and ${max}, got ${JSON.stringify(value) ?? describe(value)}`);
      return undefined;
    }
    return value;
  }
}
