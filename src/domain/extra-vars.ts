/**
 * BuildExtraVars (reference §6.2): each parameter value is coerced by the first rule that accepts it, in the original's
 * order: integer, float, boolean, bracketed JSON, string. The rules follow Go's strconv.ParseInt / ParseFloat /
 * ParseBool and encoding/json exactly (checked against vectors produced by the original: test/vectors), including
 * digit underscores ("1_000" → 1000, "0x1_0p4" → 256), hexadecimal floats, negative zero ("-0.0" → -0), lone
 * surrogates in JSON strings (→ U+FFFD), the decoder's nesting limit (10000) and its refusal of out-of-range numbers
 * ("[1e400]" stays a string). Improvements over the original (§9.2 item 12):
 * - NaN / Inf / Infinity stay strings (the original failed the whole launch marshalling them);
 * - integer literals are kept exact on the wire, beyond 2^53 and beyond int64, as raw JSON number text;
 * - object keys come out sorted by code point (as Go's encoder sorts them), so the payload is reproducible. (JavaScript
 *   objects still list integer-like keys such as "10" first; JSON readers do not care about member order.)
 * Values are plain JSON values, except big integers and -0, which are `JSON.rawJSON` numbers that JSON.stringify emits
 * verbatim.
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
// Go's ParseFloat syntax (strconv readFloat): optional sign, then decimal digits with at most one dot and an optional
// e exponent, or 0x + hexadecimal digits with at most one dot and a mandatory p exponent. Underscores may appear among
// the digits; underscoreOK below decides whether their placement is allowed.
const DECIMAL_FLOAT_PATTERN = /^([+-]?)((?:[\d_]*\.?[\d_]*))(?:[eE]([+-]?)(\d[\d_]*))?$/;
const HEX_FLOAT_PATTERN = /^([+-]?)0[xX]([\da-fA-F_]*)(?:\.([\da-fA-F_]*))?[pP]([+-]?)(\d[\d_]*)$/;
/** encoding/json's decoder refuses documents nested deeper than this. */
const MAX_JSON_NESTING_DEPTH = 10_000;
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

/** A float as Go's encoder writes it: JSON.stringify prints -0 as 0, Go prints "-0". */
function goFloat(value: number): number | RawJsonNumber {
  return Object.is(value, -0) ? jsonWithRaw.rawJSON('-0') : value;
}

/** strconv.underscoreOK: underscores only between digits, or between a base prefix and a digit. */
function underscoreOK(text: string): boolean {
  let saw = '^';
  let index = 0;
  let rest = text;
  if (rest.startsWith('+') || rest.startsWith('-')) rest = rest.slice(1);
  let hex = false;
  if (rest.length >= 2 && rest[0] === '0' && 'bBoOxX'.includes(rest[1] as string)) {
    index = 2;
    saw = '0';
    hex = rest[1] === 'x' || rest[1] === 'X';
  }
  for (; index < rest.length; index++) {
    const char = rest[index] as string;
    if ((char >= '0' && char <= '9') || (hex && /[a-fA-F]/.test(char))) {
      saw = '0';
      continue;
    }
    if (char === '_') {
      if (saw !== '0') return false;
      saw = '_';
      continue;
    }
    if (saw === '_') return false;
    saw = '!';
  }
  return saw !== '_';
}

/** Go's exponent accumulation: digits stop counting once the value reaches 10000 (it is out of range by then anyway). */
function goExponent(sign: string, digits: string): number {
  let exponent = 0;
  for (const digit of digits.replaceAll('_', '')) if (exponent < 10_000) exponent = exponent * 10 + Number(digit);
  return sign === '-' ? -exponent : exponent;
}

/** mantissa × 2^exponent rounded to the nearest double, ties to even, subnormals included; Infinity on overflow. */
function scaleBinary(mantissa: bigint, exponent: number): number {
  if (mantissa === 0n) return 0;
  const bits = mantissa.toString(2).length;
  const top = bits - 1 + exponent; // the value lies in [2^top, 2^(top+1))
  if (top > 1023) return Number.POSITIVE_INFINITY;
  if (top < -1076) return 0; // below half the smallest subnormal
  const precision = top >= -1022 ? 53 : 53 - (-1022 - top);
  const shift = bits - precision;
  let quotient: bigint;
  if (shift <= 0) {
    quotient = mantissa << BigInt(-shift);
  } else {
    quotient = mantissa >> BigInt(shift);
    const remainder = mantissa - (quotient << BigInt(shift));
    const half = 1n << BigInt(shift - 1);
    if (remainder > half || (remainder === half && (quotient & 1n) === 1n)) quotient += 1n;
  }
  return Number(quotient) * 2 ** (exponent + shift);
}

/** A finite float by Go's ParseFloat rules, or undefined (NaN/Inf and out-of-range values are not accepted). */
function parseGoFloat(text: string): number | undefined {
  const decimal = DECIMAL_FLOAT_PATTERN.exec(text);
  if (decimal) {
    const [, sign = '', mantissa = '', exponentSign = '', exponentDigits] = decimal;
    if (!/\d/.test(mantissa) || !underscoreOK(text)) return undefined;
    const exponent = exponentDigits === undefined ? 0 : goExponent(exponentSign, exponentDigits);
    const value = Number(`${sign}${mantissa.replaceAll('_', '')}e${exponent}`);
    return Number.isFinite(value) ? value : undefined;
  }
  const hex = HEX_FLOAT_PATTERN.exec(text);
  if (!hex) return undefined;
  const [, sign = '', whole = '', fraction = '', exponentSign = '', exponentDigits = ''] = hex;
  const wholeDigits = whole.replaceAll('_', '');
  const fractionDigits = fraction.replaceAll('_', '');
  if (wholeDigits.length + fractionDigits.length === 0 || !underscoreOK(text)) return undefined;
  const mantissa = BigInt(`0x${wholeDigits}${fractionDigits}`);
  const value = scaleBinary(mantissa, goExponent(exponentSign, exponentDigits) - 4 * fractionDigits.length);
  if (!Number.isFinite(value)) return undefined;
  return sign === '-' ? -value : value;
}

/** Code point order, which is the UTF-8 byte order Go's encoder sorts map keys by (UTF-16 order differs above U+D7FF). */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let index = 0; index < length; index++) {
    let x = a.charCodeAt(index);
    let y = b.charCodeAt(index);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x += x <= 0xdfff ? 0x2000 : -0x800;
      y += y <= 0xdfff ? 0x2000 : -0x800;
    }
    return x - y;
  }
  return a.length - b.length;
}

/** An object with own properties in Go's key order (Object.fromEntries keeps "__proto__" as a plain key). */
function sortedObject<T>(entries: [string, T][]): Record<string, T> {
  return Object.fromEntries(entries.sort(([a], [b]) => compareCodePoints(a, b)));
}

/**
 * The deepest nesting of arrays and objects in JSON text (strings skipped): a value like "[[[[…]]]]" is measured before
 * anything parses it.
 */
export function bracketDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (inString) {
      if (char === '\\') index++;
      else if (char === '"') inString = false;
    } else if (char === '"') {
      inString = true;
    } else if (char === '[' || char === '{') {
      depth++;
      if (depth > deepest) deepest = depth;
    } else if (char === ']' || char === '}') {
      depth--;
    }
  }
  return deepest;
}

/** JSON text to a value as Go's json.Unmarshal + Marshal would send it (integers exact); undefined if Go refuses it. */
function parseBracketedJson(text: string): ExtraVarValue | undefined {
  const bracketed = (text.startsWith('[') && text.endsWith(']')) || (text.startsWith('{') && text.endsWith('}'));
  if (!bracketed || bracketDepth(text) > MAX_JSON_NESTING_DEPTH) return undefined;
  try {
    return jsonWithRaw.parse(text, (_key, value, context) => {
      if (typeof value === 'number') {
        // Go refuses a number beyond float64's range ("cannot unmarshal number 1e400"): the whole value stays a string.
        if (!Number.isFinite(value)) throw new RangeError('number out of range');
        const source = context.source ?? String(value);
        if (Object.is(value, -0)) return goFloat(value);
        return INTEGER_PATTERN.test(source) ? exactInteger(source) : value;
      }
      // Go decodes a lone surrogate escape as U+FFFD.
      if (typeof value === 'string') return value.toWellFormed();
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
      return sortedObject(Object.entries(value).map(([key, member]) => [key.toWellFormed(), member]));
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
  if (float !== undefined) return goFloat(float);
  const boolean = GO_BOOLEANS[text];
  if (boolean !== undefined) return boolean;
  return parseBracketedJson(text) ?? text;
}

/** extra_vars for the AWX launch from spec.parameters; null when there are none (the caller then sends {}). */
export function buildExtraVars(parameters: Record<string, string> | undefined | null): ExtraVars | null {
  if (!parameters) return null;
  const names = Object.keys(parameters);
  if (names.length === 0) return null;
  return sortedObject(names.map((name) => [name, coerceExtraVar(parameters[name] as string)]));
}
