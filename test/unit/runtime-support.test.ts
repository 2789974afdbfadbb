import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MINIMUM_NODE_VERSION, unsupportedRuntime } from '../../src/runtime-support.ts';

test('regression: a runtime without JSON.rawJSON or older than Node 22.19 is refused with a clear message, not quietly misbehaving', () => {
  assert.equal(unsupportedRuntime(), undefined, 'this runtime is supported');
  assert.match(unsupportedRuntime('20.20.2') ?? '', /Node\.js 20\.20\.2 is too old: .* needs Node\.js >= 22\.19\.0/);
  assert.match(unsupportedRuntime('22.12.0') ?? '', /too old/);
  assert.equal(unsupportedRuntime('22.19.0', { rawJSON: () => ({}) }), undefined);
  assert.match(unsupportedRuntime('24.0.0', {}) ?? '', /no JSON\.rawJSON/);
  assert.equal(MINIMUM_NODE_VERSION, '22.19.0');
});

test("package.json's engines states the same minimum", async () => {
  const { readFileSync } = await import('node:fs');
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { engines: { node: string } };
  assert.equal(pkg.engines.node, `>=${MINIMUM_NODE_VERSION.replace(/\.0$/, '')}`);
});
