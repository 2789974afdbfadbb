import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { executionResourceName } from '../../../src/domain/resource-name.ts';

describe('executionResourceName (DD-WE-003)', () => {
  test('reference worked examples: "wfe-" + first 16 hex of sha256 of the target string', () => {
    assert.equal(executionResourceName('default/Deployment/nginx'), 'wfe-041822837d0914fa');
    assert.equal(executionResourceName('default/deployment/my-app'), 'wfe-c00449355dfb987a');
    assert.equal(executionResourceName('Node/worker-node-1'), 'wfe-0f9e789a95ecd501');
    assert.equal(executionResourceName('prod-ns/deployment/api-server'), 'wfe-42da7e4e56e06a44');
  });

  test('hashes exactly the UTF-8 bytes of the string as given (no trimming, no case folding)', () => {
    for (const target of [' default/deployment/x', 'default/deployment/x ', 'ns/Déployment/ünï', '']) {
      const expected = `wfe-${createHash('sha256').update(Buffer.from(target, 'utf8')).digest('hex').slice(0, 16)}`;
      assert.equal(executionResourceName(target), expected);
    }
    assert.notEqual(executionResourceName('default/Deployment/nginx'), executionResourceName('default/deployment/nginx'));
  });

  test('UT-WE-014-010: deterministic for the same input', () => {
    assert.equal(executionResourceName('ns/Deployment/a'), executionResourceName('ns/Deployment/a'));
  });

  test('UT-WE-014-011: starts with "wfe-"', () => {
    assert.match(executionResourceName('ns/Deployment/a'), /^wfe-[0-9a-f]{16}$/);
  });

  test('UT-WE-014-012: at most 63 characters even for a long input (always 20)', () => {
    assert.equal(executionResourceName(`ns/Deployment/${'x'.repeat(5000)}`).length, 20);
  });

  test('UT-WE-014-013: different targets give different names', () => {
    assert.notEqual(executionResourceName('ns/Deployment/a'), executionResourceName('ns/Deployment/b'));
  });
});
