import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { Engine } from '../../src/domain/types.ts';
import { EXECUTION_NAMESPACE, type ExecutionEnvironment, startExecutionEnvironment } from '../support/execution-env.ts';
import { eventually } from '../support/kube-sandbox.ts';
import { sampleRequest } from '../support/requests.ts';
import { testNamespace, testServerAddress } from '../support/temporal.ts';

const run = promisify(execFile);

describe('temporal workflow reset', () => {
  let env: ExecutionEnvironment;
  before(async () => {
    env = await startExecutionEnvironment({ awx: true });
  });
  after(() => env.stop());

  const cli = (...args: string[]) =>
    run(process.env.TEMPORAL_CLI_PATH ?? 'temporal', [...args, '--address', testServerAddress(), '--namespace', testNamespace()]);
  const policy = { pollInitialMs: 50, pollMaxMs: 200 };
  /** Resets a run (to a --type or an --event-id) and returns the new run's id once it exists. */
  const reset = async (workflowId: string, runId: string, point: string[]) => {
    await cli('workflow', 'reset', '--workflow-id', workflowId, '--run-id', runId, ...point, '--reason', 'reset test');
    return eventually(async () => {
      const view = await env.executions.getExecution(workflowId);
      return view.runId !== runId ? view.runId : undefined;
    });
  };
  /** Backend resources created for an execution so far: Job/PipelineRun creates, or AWX jobs launched by any of its runs. */
  const createsOf = (engine: Engine, workflowId: string): number =>
    engine === 'ansible'
      ? [...(env.awx?.sandbox.jobs.values() ?? [])].filter((job) =>
          String((JSON.parse(job.extra_vars) as Record<string, unknown>).KUBERNAUT_EXECUTION_MARKER).startsWith(`${workflowId}/`),
        ).length
      : env.kube.sandbox.createCount(engine === 'job' ? 'Job' : 'PipelineRun', EXECUTION_NAMESPACE, workflowId);

  for (const engine of ['job', 'tekton', 'ansible'] as const) {
    test(`${engine}: a finished execution reset to its first workflow task runs again cleanly, with exactly one new backend resource`, async () => {
      const { workflowId, runId } = await env.executions.startExecution(sampleRequest({ engine, policy }));
      assert.equal((await env.executions.waitForResult(workflowId)).phase, 'Completed');
      assert.equal(createsOf(engine, workflowId), 1);
      const newRun = await reset(workflowId, runId, ['--type', 'FirstWorkflowTask']);
      assert.equal((await env.executions.waitForResult(workflowId, newRun)).phase, 'Completed');
      assert.equal(createsOf(engine, workflowId), 2, 'exactly one new backend resource');
      assert.equal(
        env.kube.sandbox.count('Job', EXECUTION_NAMESPACE) + env.kube.sandbox.count('PipelineRun', EXECUTION_NAMESPACE),
        0,
        'nothing left from either run',
      );
      assert.equal(env.awx?.sandbox.liveEphemeralCredentials().length, 0);
    });
  }

  test('a reset into the middle of a running execution resumes without creating twice', async () => {
    const { workflowId, runId } = await env.executions.startExecution(
      sampleRequest({ engine: 'job', parameters: { SANDBOX_OUTCOME: 'hold' }, policy }),
    );
    await eventually(async () => ((await env.executions.getExecution(workflowId)).status?.polls ?? 0) >= 3);
    const history = await env.client.workflow.getHandle(workflowId, runId).fetchHistory();
    const events = history.events ?? [];
    const created = events.findIndex((event) => event.activityTaskCompletedEventAttributes);
    const resetPoint = events.slice(created).find((event) => event.workflowTaskCompletedEventAttributes);
    assert.ok(resetPoint?.eventId, 'a workflow task after the create');
    const newRun = await reset(workflowId, runId, ['--event-id', String(resetPoint.eventId)]);
    await eventually(() => env.kube.sandbox.release('success', (name) => name === workflowId) > 0 || undefined);
    assert.equal((await env.executions.waitForResult(workflowId, newRun)).phase, 'Completed');
    assert.equal(createsOf('job', workflowId), 1, 'created once, before the reset point');
  });
});
