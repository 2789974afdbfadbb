import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildExtraVars, coerceExtraVar } from '../../../src/domain/extra-vars.ts';

/** What goes on the wire to AWX for one parameter value. */
const wire = (value: string): string => JSON.stringify(coerceExtraVar(value));

describe('buildExtraVars (reference §6.2)', () => {
  test('UT-WE-015-003: "3"→3, "true"→true, "0.75"→0.75, "hello"→"hello", "[1,2,3]"→[1,2,3]; 5 keys in, 5 out', () => {
    const vars = buildExtraVars({ A: '3', B: 'true', C: '0.75', D: 'hello', E: '[1,2,3]' });
    assert.deepEqual(vars, { A: 3, B: true, C: 0.75, D: 'hello', E: [1, 2, 3] });
    assert.equal(Object.keys(vars ?? {}).length, 5);
  });

  test('BuildExtraVars(nil) and an empty map → null', () => {
    assert.equal(buildExtraVars(undefined), null);
    assert.equal(buildExtraVars(null), null);
    assert.equal(buildExtraVars({}), null);
  });

  test('integers: leading zeros and signs as Go ParseInt ("007"→7, "-5", "+5")', () => {
    assert.equal(wire('007'), '7');
    assert.equal(wire('-5'), '-5');
    assert.equal(wire('+5'), '5');
    assert.equal(wire('0'), '0');
  });

  test('int64 max and integers beyond 2^53 stay exact on the wire', () => {
    assert.equal(wire('9223372036854775807'), '9223372036854775807');
    assert.equal(wire('9007199254740993'), '9007199254740993');
    assert.equal(wire('-9223372036854775808'), '-9223372036854775808');
  });

  test('integers beyond int64 stay exact too (upstream lost precision through float64)', () => {
    assert.equal(wire('9223372036854775808'), '9223372036854775808');
    assert.equal(wire('12345678901234567890'), '12345678901234567890');
  });

  test('floats as Go prints them: "1.0"→1, "1e3"→1000, "0.75", ".5", "5."', () => {
    assert.equal(wire('1.0'), '1');
    assert.equal(wire('1e3'), '1000');
    assert.equal(wire('0.75'), '0.75');
    assert.equal(wire('.5'), '0.5');
    assert.equal(wire('5.'), '5');
    assert.equal(wire('1e21'), '1e+21');
  });

  test('hex floats need a p exponent ("0x1p4"→16); plain "0x10" stays a string', () => {
    assert.equal(wire('0x1p4'), '16');
    assert.equal(wire('0x1.8p1'), '3');
    assert.equal(wire('0x10'), '"0x10"');
  });

  test('out-of-range floats and integers past float range stay strings ("1e400")', () => {
    assert.equal(wire('1e400'), '"1e400"');
    assert.equal(wire('9'.repeat(400)), `"${'9'.repeat(400)}"`);
  });

  test('NaN, Inf and Infinity stay strings (upstream failed the whole launch)', () => {
    for (const text of ['NaN', 'nan', 'Inf', '+Inf', '-Inf', 'Infinity', '-infinity']) assert.equal(wire(text), JSON.stringify(text));
  });

  test("booleans are exactly Go ParseBool's set", () => {
    for (const text of ['true', 'True', 'TRUE', 't', 'T']) assert.equal(coerceExtraVar(text), true, text);
    for (const text of ['false', 'False', 'FALSE', 'f', 'F']) assert.equal(coerceExtraVar(text), false, text);
    for (const text of ['yes', 'on', 'tRUE', 'no', 'off']) assert.equal(coerceExtraVar(text), text, text);
  });

  test('"null", "", surrounding whitespace and misplaced underscores stay strings', () => {
    assert.equal(wire('null'), '"null"');
    assert.equal(wire(''), '""');
    assert.equal(wire(' 5'), '" 5"');
    assert.equal(wire('5 '), '"5 "');
    assert.equal(wire('1__0'), '"1__0"');
    assert.equal(wire('_1'), '"_1"');
    assert.equal(wire(' true'), '" true"');
  });

  test("regression: digit underscores parse as Go's strconv.ParseFloat does (the reference's table was wrong)", () => {
    assert.equal(wire('1_000'), '1000');
    assert.equal(wire('1_0.5'), '10.5');
    assert.equal(wire('0x1_0p4'), '256');
    assert.equal(wire('[1e400]'), '"[1e400]"', 'a nested out-of-range number keeps the value a string, as in Go');
  });

  test('bracketed JSON is parsed; keys sorted; nested big integers exact', () => {
    assert.equal(wire('{"b":1,"a":{"d":[1,2],"c":"x"}}'), '{"a":{"c":"x","d":[1,2]},"b":1}');
    assert.equal(wire('[12345678901234567890, 1.5]'), '[12345678901234567890,1.5]');
    assert.equal(wire('[]'), '[]');
  });

  test('malformed bracketed JSON stays the original string', () => {
    assert.equal(wire('[1,2'), '"[1,2"');
    assert.equal(wire('{bad}'), '"{bad}"');
    assert.equal(wire('[1,2] '), '"[1,2] "');
  });

  test('resource quantities and words stay strings ("512Mi", "hello")', () => {
    assert.equal(coerceExtraVar('512Mi'), '512Mi');
    assert.equal(coerceExtraVar('hello'), 'hello');
  });

  test('keys come out sorted, so the payload is reproducible', () => {
    assert.deepEqual(Object.keys(buildExtraVars({ ZED: '1', ALPHA: '2', MID: '3' }) ?? {}), ['ALPHA', 'MID', 'ZED']);
  });
});
