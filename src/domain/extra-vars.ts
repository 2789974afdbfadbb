/**
 * BuildExtraVars (reference §6.2): each parameter value is coerced by the first rule that accepts it, in the original's
 * order: integer, float, boolean, bracketed JSON, string. Improvements over the original (§9.2 item 12):
 * - NaN / Inf / Infinity stay strings (the original failed the whole launch marshalling them);
 * - integer literals are kept exact on the wire, beyond 2^53 and beyond int64, as raw JSON number text;
 * - object keys come out sorted (as Go's encoder does), so the payload is reproducible.
 * Values are plain JSON values, except big integers, which are `JSON.rawJSON` numbers that JSON.stringify emits verbatim.
 */

export type ExtraVarValue = string | number | boolean | null | ExtraVarValue[] | { [key: string]: ExtraVarValue } | RawJsonNumber;
export type ExtraVars = Record<string, ExtraVarValue>;
/** An opaque `JSON.rawJSON` object holding exact number text. */
export interface RawJsonNumber {
  readonly rawJSON: string;
}

interface JsonWithRaw {
  rawJSON(text: string): RawJsonNumber;
  parse(text: string, reviver: (key: string, value: unknown, context: { source?: string }) => unknown): unknown;
}
const jsonWithRaw = JSON as unknown as JsonWithRaw;

const INTEGER_PATTERN = /^[+-]?\d+$/;
// Go's ParseFloat decimal syntax (no underscores without a base prefix).
const DECIMAL_FLOAT_PATTERN = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
// Go's hexadecimal float: mantissa with a mandatory p exponent ("0x1p4"); a bare "0x10" is not a number.
const HEX_FLOAT_PATTERN = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)$/;
const GO_BOOLEANS: Record<string, boolean> = {
  '1': true,
  t: true,
  T: true,
  TRUE: true,
  true: true,
  True: true,
  '0': false,
  f: false,
  F: false,
  FALSE: false,
  false: false,
  False: false,
};

/** An integer literal as an exact JSON number: a plain number when it is safe, raw text otherwise. */
function exactInteger(text: string): number | RawJsonNumber {
  const value = BigInt(text);
  if (value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(value);
  return jsonWithRaw.rawJSON(value.toString());
}

function parseHexFloat(text: string): number | undefined {
  const match = HEX_FLOAT_PATTERN.exec(text);
  if (!match) return undefined;
  const [, sign, whole = '', fraction = '', exponent = '0'] = match;
  if (whole.length + fraction.length === 0) return undefined;
  const mantissa = Number.parseInt(`${whole}${fraction}` || '0', 16);
  const value = mantissa * 2 ** (Number(exponent) - 4 * fraction.length);
  return sign === '-' ? -value : value;
}

/** A finite float by Go's ParseFloat rules, or undefined (NaN/Inf and out-of-range values are not accepted). */
function parseGoFloat(text: string): number | undefined {
  const value = DECIMAL_FLOAT_PATTERN.test(text) ? Number(text) : parseHexFloat(text);
  return value !== undefined && Number.isFinite(value) ? value : undefined;
}

function sortKeys(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) sorted[key] = (value as Record<string, unknown>)[key];
  return sorted;
}

/** JSON text to a value whose integer literals stay exact and whose object keys are sorted; undefined if not JSON. */
function parseBracketedJson(text: string): ExtraVarValue | undefined {
  const bracketed = (text.startsWith('[') && text.endsWith(']')) || (text.startsWith('{') && text.endsWith('}'));
  if (!bracketed) return undefined;
  try {
    return jsonWithRaw.parse(text, (_key, value, context) => {
      if (typeof value === 'number') {
        const source = context.source ?? String(value);
        return INTEGER_PATTERN.test(source) ? exactInteger(source) : value;
      }
      return sortKeys(value);
    }) as ExtraVarValue;
  } catch {
    return undefined;
  }
}

/** Coerces one parameter value (reference §6.2 rules 1–5). */
export function coerceExtraVar(text: string): ExtraVarValue {
  // Integers past float64's range are not numbers to Go either (ParseFloat fails with ErrRange): they stay strings.
  if (INTEGER_PATTERN.test(text) && Number.isFinite(Number(text))) return exactInteger(text);
  const float = parseGoFloat(text);
  if (float !== undefined) return float;
  const boolean = GO_BOOLEANS[text];
  if (boolean !== undefined) return boolean;
  return parseBracketedJson(text) ?? text;
}

/** extra_vars for the AWX launch from spec.parameters; null when there are none (the caller then sends {}). */
export function buildExtraVars(parameters: Record<string, string> | undefined | null): ExtraVars | null {
  if (!parameters) return null;
  const names = Object.keys(parameters).sort();
  if (names.length === 0) return null;
  const extraVars: ExtraVars = {};
  for (const name of names) extraVars[name] = coerceExtraVar(parameters[name] as string);
  return extraVars;
}
