/** A Job's pod that cannot start fails the execution only when it stays stuck for policy.stuckPodGraceMs. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type ExecutionEnvironment, startExecutionEnvironment } from '../support/execution-env.ts';
import { sampleRequest } from '../support/requests.ts';

describe('stuck pods: fail only after the grace period, with the pod reason', () => {
  let env: ExecutionEnvironment;
  before(async () => {
    env = await startExecutionEnvironment();
  });
  after(() => env.stop());

  test('an image that never pulls fails the execution with ImagePullBackOff once the grace has passed', async () => {
    const req = sampleRequest({
      engine: 'job',
      parameters: { SANDBOX_OUTCOME: 'image-pull-backoff' },
      policy: { pollInitialMs: 50, pollMaxMs: 200, stuckPodGraceMs: 500 },
    });
    const { workflowId } = await env.executions.startExecution(req);
    const result = await env.executions.waitForResult(workflowId);
    assert.deepEqual([result.phase, result.reason], ['Failed', 'ImagePullBackOff']);
    assert.match(result.message, /Back-off pulling image .* \(for \d+ s\)/);
  });

  test('regression: a pull that recovers within the grace (a registry blip) fails nothing', async () => {
    const req = sampleRequest({
      engine: 'job',
      parameters: { SANDBOX_OUTCOME: 'image-pull-backoff', SANDBOX_STUCK_MS: '1500' },
      policy: { pollInitialMs: 50, pollMaxMs: 200, stuckPodGraceMs: 600_000 },
    });
    const { workflowId } = await env.executions.startExecution(req);
    const result = await env.executions.waitForResult(workflowId);
    assert.equal(result.phase, 'Completed', `${result.reason}: ${result.message}`);
  });

  test('stuckPodGraceMs 0 turns it off: a stuck pod runs into the deadline', async () => {
    const req = sampleRequest({
      engine: 'job',
      timeout: '2s',
      parameters: { SANDBOX_OUTCOME: 'image-pull-backoff' },
      policy: { pollInitialMs: 50, pollMaxMs: 200, stuckPodGraceMs: 0, stopGraceMs: 1000 },
    });
    const { workflowId } = await env.executions.startExecution(req);
    const result = await env.executions.waitForResult(workflowId);
    assert.equal(result.reason, 'DeadlineExceeded');
  });
});
