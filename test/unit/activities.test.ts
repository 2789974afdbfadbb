import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { asActivityFailure } from '../../src/activities/failures.ts';
import { createActivities } from '../../src/activities/index.ts';
import { BackendError, ResourceLockedError } from '../../src/domain/errors.ts';
import { ExecutorRegistry } from '../../src/executors/registry.ts';
import { sampleRequest } from '../support/requests.ts';

describe('activities', () => {
  const activities = createActivities({ registry: new ExecutorRegistry(), defaultExecutionNamespace: 'kubernaut-workflows' });

  for (const [id, engine] of [
    ['UT-WE-014-033', 'job'],
    ['UT-WE-014-074', 'tekton'],
    ['UT-WE-015 (ansible)', 'ansible'],
  ] as const) {
    test(`${id}: status without an execution ref fails with "no execution ref set on WFE <ns>/<name>"`, async () => {
      const request = sampleRequest({ engine, name: 'wfe-no-ref' });
      await assert.rejects(new MockActivityEnvironment().run(activities.getExecutionStatus, { request }), (error: unknown) => {
        assert.ok(error instanceof ApplicationFailure);
        assert.equal(error.message, 'no execution ref set on WFE kubernaut-system/wfe-no-ref');
        assert.equal(error.nonRetryable, true);
        return true;
      });
    });
  }

  test('an unregistered engine is a non-retryable UnsupportedEngine failure listing the registered ones', async () => {
    await assert.rejects(
      new MockActivityEnvironment().run(activities.createExecution, {
        request: sampleRequest({ engine: 'job' }),
        createdByRun: 'w/r',
        executionTimeoutMs: 1000,
      }),
      (error: unknown) =>
        error instanceof ApplicationFailure &&
        error.type === 'UnsupportedEngine' &&
        error.nonRetryable === true &&
        /registered: \[\]/.test(error.message),
    );
  });

  test('errors become failures typed by the error: 4xx and locks are final, 5xx and transport errors are retried', () => {
    const locked = asActivityFailure(new ResourceLockedError('locked')) as ApplicationFailure;
    assert.deepEqual([locked.type, locked.nonRetryable], ['ExecutionLocked', true]);
    const forbidden = asActivityFailure(new BackendError('create Job x: forbidden', 403)) as ApplicationFailure;
    assert.deepEqual([forbidden.type, forbidden.nonRetryable, forbidden.details], ['BackendRejected', true, [{ status: 403 }]]);
    for (const status of [500, 503, 429, undefined]) {
      const failure = asActivityFailure(new BackendError('x', status)) as ApplicationFailure;
      assert.deepEqual([failure.type, failure.nonRetryable], ['BackendUnavailable', false], String(status));
    }
    const unknown = new TypeError('bug');
    assert.equal(asActivityFailure(unknown), unknown);
  });
});
