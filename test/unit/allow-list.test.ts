import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../src/activities/index.ts';
import { checkAllowList } from '../../src/domain/allow-list.ts';
import type { Executor } from '../../src/executors/executor.ts';
import { ExecutorRegistry } from '../../src/executors/registry.ts';
import { sampleRequest } from '../support/requests.ts';

const allowed = { executionNamespaces: ['kubernaut-workflows'], serviceAccounts: ['runner'], imagePrefixes: ['quay.io/kubernaut/'] };
const defaults = { executionNamespace: 'kubernaut-workflows', serviceAccountName: 'runner' };

test('a request outside the operator allow-lists is refused naming the field and the setting', () => {
  const request = sampleRequest({ engine: 'job', executionNamespace: 'kube-system' });
  request.workflowExecution.spec.executionConfig = { serviceAccountName: 'cluster-admin' };
  request.workflowExecution.spec.workflowRef.executionBundle = 'evil.example.com/miner:1';
  assert.deepEqual(
    checkAllowList(request, allowed, defaults).map((problem) => [problem.field, /\(ALLOWED_[A-Z_]+:/.test(problem.message)]),
    [
      ['executionNamespace', true],
      ['spec.executionConfig.serviceAccountName', true],
      ['spec.workflowRef.executionBundle', true],
    ],
  );
  assert.deepEqual(checkAllowList(sampleRequest({ engine: 'job' }), allowed, defaults), []);
});

test('the create activity refuses it non-retryably before the executor is called: nothing is created', async () => {
  let creates = 0;
  const executor = {
    engine: 'job',
    create: async () => {
      creates++;
      throw new Error('must not be called');
    },
  } as unknown as Executor;
  const activities = createActivities({
    registry: new ExecutorRegistry().register(executor),
    allowed,
    ...{ defaultExecutionNamespace: 'kubernaut-workflows', defaultServiceAccountName: 'runner' },
  });
  const request = sampleRequest({ engine: 'job', executionNamespace: 'kube-system' });
  await assert.rejects(
    new MockActivityEnvironment().run(activities.createExecution, { request, createdByRun: 'wfe-x/run', executionTimeoutMs: 60_000 }),
    (error: Error & { type?: string; nonRetryable?: boolean }) => {
      assert.equal(error.type, 'InvalidExecutionRequest');
      assert.equal(error.nonRetryable, true);
      assert.match(error.message, /executionNamespace: "kube-system" is not allowed by this worker \(ALLOWED_EXECUTION_NAMESPACES/);
      return true;
    },
  );
  assert.equal(creates, 0);
});
