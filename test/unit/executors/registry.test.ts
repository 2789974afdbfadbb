import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FailureType } from '../../../src/domain/errors.ts';
import type { Executor } from '../../../src/executors/executor.ts';
import { ExecutorRegistry } from '../../../src/executors/registry.ts';

/** Executors that are only looked up, never run, so any engine name will do. */
const named = (engine: string) => ({ engine }) as unknown as Executor;

describe('ExecutorRegistry (reference §3.2)', () => {
  test('UT-WE-014-001: Get("unknown") on an empty registry fails with "unsupported execution engine"', () => {
    assert.throws(
      () => new ExecutorRegistry().get('unknown'),
      (error: Error & { type?: string }) => {
        assert.equal(error.message, 'unsupported execution engine: "unknown" (registered: [])');
        assert.equal(error.type, FailureType.UnsupportedEngine);
        return true;
      },
    );
  });

  test('UT-WE-014-002: after registering tekton and job, Get returns them by engine', () => {
    const registry = new ExecutorRegistry().register(named('tekton')).register(named('job'));
    assert.equal(registry.get('tekton').engine, 'tekton');
    assert.equal(registry.get('job').engine, 'job');
  });

  test('UT-WE-014-003: Engines() has both; the error lists the registered engines', () => {
    const registry = new ExecutorRegistry().register(named('tekton')).register(named('job'));
    assert.deepEqual(registry.engines(), ['job', 'tekton']);
    assert.throws(() => registry.get('ansible'), /unsupported execution engine: "ansible" \(registered: \[job tekton\]\)/);
  });

  test('Register overwrites an existing entry, as upstream', () => {
    const first = named('job');
    const second = named('job');
    const registry = new ExecutorRegistry().register(first).register(second);
    assert.equal(registry.get('job'), second);
    assert.equal(registry.engines().length, 1);
  });
});
