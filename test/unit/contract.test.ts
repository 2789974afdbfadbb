import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import Ajv2020 from 'ajv/dist/2020.js';
import { validateExecutionRequest } from '../../src/domain/validate.ts';
import { REQUEST_EXAMPLES, RESULT_EXAMPLES } from '../fixtures/contract.ts';

const load = (path: string) => JSON.parse(readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8')) as object;
const ajv = new Ajv2020.default({ allErrors: true, strict: true, strictTypes: false });
const validateRequest = ajv.compile(load('schemas/execution-request.schema.json'));
const validateResult = ajv.compile(load('schemas/execution-result.schema.json'));

describe('wire contract: JSON Schemas kept in the repo match the TypeScript types', () => {
  for (const [engine, request] of Object.entries(REQUEST_EXAMPLES)) {
    test(`the ${engine} request example is valid for the schema and for validateExecutionRequest`, () => {
      assert.ok(validateRequest(request), JSON.stringify(validateRequest.errors));
      assert.deepEqual(validateExecutionRequest(request), []);
    });
    test(`examples/${engine}-execution.json is the typed example (for temporal workflow start --input-file)`, () => {
      assert.deepEqual(load(`examples/${engine}-execution.json`), request);
    });
  }

  test('result examples are valid ExecutionResults', () => {
    for (const result of RESULT_EXAMPLES) assert.ok(validateResult(result), JSON.stringify(validateResult.errors));
  });

  test('the schema refuses what the types refuse: an unknown engine, a non-string parameter, a bad target', () => {
    const base = structuredClone(REQUEST_EXAMPLES.job) as unknown as { workflowExecution: { spec: Record<string, unknown> } };
    for (const [field, value] of [
      ['executionEngine', 'argo'],
      ['parameters', { REPLICAS: 3 }],
      ['targetResource', 'no-slashes'],
    ] as const) {
      const bad = structuredClone(base);
      bad.workflowExecution.spec[field] = value;
      assert.equal(validateRequest(bad), false, field);
      assert.ok(validateExecutionRequest(bad).length > 0, field);
    }
    assert.equal(validateResult({ phase: 'Done', reason: '', message: '' }), false);
  });
});
