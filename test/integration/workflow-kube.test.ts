import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ExecutionLockedError, InvalidExecutionRequestError } from '../../src/client.ts';
import { executionResourceName } from '../../src/domain/resource-name.ts';
import type { Engine, ExecutionRequest } from '../../src/domain/types.ts';
import { statusQuery, WORKFLOW_TYPE } from '../../src/workflows/definitions.ts';
import { EXECUTION_NAMESPACE, type ExecutionEnvironment, startExecutionEnvironment } from '../support/execution-env.ts';
import { eventually } from '../support/kube-sandbox.ts';
import { sampleRequest, uniqueSuffix } from '../support/requests.ts';

const FAST = { pollInitialMs: 50, pollMaxMs: 200, stopGraceMs: 5000 };
const KIND: Record<'job' | 'tekton', string> = { job: 'Job', tekton: 'PipelineRun' };

for (const engine of ['job', 'tekton'] as const) {
  describe(`runExecution on the real Temporal dev server, engine "${engine}"`, () => {
    let env: ExecutionEnvironment;
    before(async () => {
      env = await startExecutionEnvironment();
    });
    after(() => env.stop());

    const request = (parameters: Record<string, string> = {}, options: Parameters<typeof sampleRequest>[0] = {}): ExecutionRequest =>
      sampleRequest({ engine: engine as Engine, parameters: { NAMESPACE: 'default', ...parameters }, policy: FAST, ...options });
    const resourceOf = (req: ExecutionRequest) => executionResourceName(req.workflowExecution.spec.targetResource);
    /** Lets the held run of this resource finish, once the sandbox controller holds it. */
    const release = (workflowId: string, outcome: 'success' | 'failure' = 'success') =>
      eventually(() => env.kube.sandbox.release(outcome, (name) => name === workflowId) > 0 || undefined, 10_000, `${workflowId} held`);
    const isGone = async (req: ExecutionRequest) => {
      const name = resourceOf(req);
      try {
        if (engine === 'job') await env.kube.kube.batch.readNamespacedJob({ name, namespace: EXECUTION_NAMESPACE });
        else
          await env.kube.kube.custom.getNamespacedCustomObject({
            group: 'tekton.dev',
            version: 'v1',
            namespace: EXECUTION_NAMESPACE,
            plural: 'pipelineruns',
            name,
          });
        return false;
      } catch (error) {
        return (error as { code?: number }).code === 404;
      }
    };

    test('success: Completed result, one create, resource cleaned up, search attributes and status query read back', async () => {
      const req = request({ SANDBOX_DURATION_MS: '600' });
      const started = await env.executions.startExecution(req);
      assert.equal(started.workflowId, resourceOf(req));
      const result = await env.executions.waitForResult(started.workflowId);
      assert.equal(result.phase, 'Completed');
      assert.equal(result.reason, engine === 'job' ? 'Complete' : 'Succeeded');
      assert.equal(env.kube.sandbox.createCount(KIND[engine], EXECUTION_NAMESPACE, started.workflowId), 1);
      assert.ok(await isGone(req), 'the resource was deleted by cleanup');
      const view = await env.executions.getExecution(started.workflowId);
      assert.deepEqual(
        [view.workflowStatus, view.engine, view.targetResource, view.phase, view.workflowExecutionName],
        ['COMPLETED', engine, req.workflowExecution.spec.targetResource, 'Completed', req.workflowExecution.metadata.name],
      );
      assert.equal(view.status?.phase, 'Completed');
      assert.equal(view.status?.handle?.resourceName, started.workflowId);
      assert.equal(view.status?.cleanup?.state, 'done');
      assert.ok((view.status?.polls ?? 0) >= 2);
      const history = await env.client.workflow.getHandle(started.workflowId).fetchHistory();
      const events = history.events?.length ?? 0;
      process.stdout.write(`# ${engine}: ${events} history events for ${view.status?.polls} polls\n`);
      assert.ok(events < 100, `${events} events`);
    });

    test('a run with 5 polls has fewer than 100 history events and no secret value in its history', async () => {
      const secretValue = `s3cr3t-${uniqueSuffix()}`;
      env.kube.sandbox.createSecret(EXECUTION_NAMESPACE, `creds-${engine}`, { password: secretValue });
      const req = request(
        { SANDBOX_DURATION_MS: '1000' },
        { secrets: [`creds-${engine}`], policy: { pollInitialMs: 100, pollMaxMs: 200 } },
      );
      const started = await env.executions.startExecution(req);
      assert.equal((await env.executions.waitForResult(started.workflowId)).phase, 'Completed');
      const handle = env.client.workflow.getHandle(started.workflowId);
      const polls = (await handle.query(statusQuery)).polls;
      const history = await handle.fetchHistory();
      const events = history.events?.length ?? 0;
      process.stdout.write(`# ${engine}: ${events} history events for ${polls} polls\n`);
      assert.ok(polls >= 5, `${polls} polls`);
      assert.ok(events < 100, `${events} events for ${polls} polls`);
      const text = JSON.stringify(history);
      assert.ok(!text.includes(secretValue), 'no secret value in history');
      assert.ok(!text.includes(Buffer.from(secretValue).toString('base64')), 'not even base64-encoded');
    });

    test('backend failure: Failed with the backend reason; the workflow fails typed by it', async () => {
      const req = request({ SANDBOX_OUTCOME: 'failure', SANDBOX_DURATION_MS: '100' });
      const started = await env.executions.startExecution(req);
      const result = await env.executions.waitForResult(started.workflowId);
      const reason = engine === 'job' ? 'BackoffLimitExceeded' : 'Failed';
      assert.deepEqual([result.phase, result.reason], ['Failed', reason]);
      await assert.rejects(env.client.workflow.getHandle(started.workflowId).result(), (error: unknown) => {
        assert.ok(error instanceof WorkflowFailedError);
        assert.equal((error.cause as { type?: string }).type, reason);
        return true;
      });
      assert.ok(await isGone(req));
    });

    test('BR-WE-007: resource deleted externally → Failed ResourceDeletedExternally', async () => {
      const req = request({ SANDBOX_OUTCOME: 'hold' });
      const started = await env.executions.startExecution(req);
      await eventually(async () => (await env.executions.getExecution(started.workflowId)).status?.handle);
      const name = started.workflowId;
      if (engine === 'job')
        await env.kube.kube.batch.deleteNamespacedJob({ name, namespace: EXECUTION_NAMESPACE, propagationPolicy: 'Background' });
      else
        await env.kube.kube.custom.deleteNamespacedCustomObject({
          group: 'tekton.dev',
          version: 'v1',
          namespace: EXECUTION_NAMESPACE,
          plural: 'pipelineruns',
          name,
        });
      const result = await env.executions.waitForResult(started.workflowId);
      assert.deepEqual([result.phase, result.reason], ['Failed', 'ResourceDeletedExternally']);
      assert.match(result.message, /deleted externally/);
    });

    test('execution timeout: DeadlineExceeded, backend stopped and resource cleaned', async () => {
      const req = request({ SANDBOX_OUTCOME: 'hold' }, { timeout: '2s' });
      const started = await env.executions.startExecution(req);
      const result = await env.executions.waitForResult(started.workflowId);
      // Whichever deadline fires first: the workflow's own, or the one it gave the backend (activeDeadlineSeconds,
      // timeouts.pipeline), which also holds while no worker runs.
      assert.equal(result.phase, 'Failed');
      assert.ok(['DeadlineExceeded', 'PipelineRunTimeout'].includes(result.reason), result.reason);
      assert.match(
        result.message,
        /did not finish within 2s|active longer than specified deadline|failed to finish within "0h0m2s"|failed to finish within "2s"/,
      );
      assert.ok(await isGone(req));
      assert.equal(env.kube.sandbox.createCount(KIND[engine], EXECUTION_NAMESPACE, started.workflowId), 1);
    });

    test('cancel mid-run: backend stopped, resource cleaned, workflow CANCELLED, result Cancelled', async () => {
      const req = request({ SANDBOX_OUTCOME: 'hold' });
      const started = await env.executions.startExecution(req);
      await eventually(async () => (await env.executions.getExecution(started.workflowId)).status?.phase === 'Running');
      await env.executions.cancelExecution(started.workflowId);
      const result = await env.executions.waitForResult(started.workflowId);
      assert.deepEqual([result.phase, result.reason], ['Failed', 'Cancelled']);
      const view = await env.executions.getExecution(started.workflowId);
      assert.equal(view.workflowStatus, 'CANCELLED');
      assert.equal(view.status?.cleanup?.state, 'done');
      assert.ok(await isGone(req));
    });

    test('DD-WE-003: a second start for the same target while one runs → ExecutionLockedError naming the running one', async () => {
      const target = `default/deployment/lock-${uniqueSuffix()}`;
      const first = request({ SANDBOX_OUTCOME: 'hold' }, { target });
      const started = await env.executions.startExecution(first);
      await assert.rejects(env.executions.startExecution(request({}, { target })), (error: unknown) => {
        assert.ok(error instanceof ExecutionLockedError);
        assert.equal(error.runningRunId, started.runId);
        assert.equal(error.runningWorkflowExecutionName, first.workflowExecution.metadata.name);
        return true;
      });
      await release(started.workflowId);
      assert.equal((await env.executions.waitForResult(started.workflowId)).phase, 'Completed');
      // A closed execution's ID is free again.
      const again = await env.executions.startExecution(request({}, { target }));
      assert.equal((await env.executions.waitForResult(again.workflowId)).phase, 'Completed');
    });

    test('#374: a stale completed resource of an earlier execution is replaced and the execution completes', async () => {
      const target = `default/deployment/stale-${uniqueSuffix()}`;
      const earlier = request({}, { target, policy: { ...FAST, keepFinishedResource: true } });
      const first = await env.executions.startExecution(earlier);
      assert.equal((await env.executions.waitForResult(first.workflowId)).phase, 'Completed');
      assert.ok(!(await isGone(earlier)), 'kept on request');
      const later = request({}, { target });
      const second = await env.executions.startExecution(later);
      assert.equal((await env.executions.waitForResult(second.workflowId)).phase, 'Completed');
      assert.equal(env.kube.sandbox.createCount(KIND[engine], EXECUTION_NAMESPACE, second.workflowId), 2);
    });

    test('regression: no second execution on a running target under another workflow ID — the client and the workflow refuse, the owner is untouched', async () => {
      const target = `default/deployment/owner-${uniqueSuffix()}`;
      const owner = request({ SANDBOX_OUTCOME: 'hold' }, { target });
      const started = await env.executions.startExecution(owner);
      await eventually(async () => (await env.executions.getExecution(started.workflowId)).status?.handle);
      const creates = env.kube.sandbox.totalCreates(KIND[engine]);
      const intruderId = `intruder-${uniqueSuffix()}`;
      await assert.rejects(env.executions.startExecution(request({}, { target }), { workflowId: intruderId }), (error: Error) => {
        assert.ok(error instanceof InvalidExecutionRequestError);
        assert.match(error.message, new RegExp(`workflowId: must be the target's execution name "${started.workflowId}"`));
        return true;
      });
      // A bare Temporal start cannot bypass the lock either: the workflow refuses before creating anything.
      const bare = await env.client.workflow.start(WORKFLOW_TYPE, {
        taskQueue: env.taskQueue,
        workflowId: intruderId,
        args: [request({}, { target })],
      });
      const refused = await env.executions.waitForResult(bare.workflowId);
      assert.deepEqual([refused.phase, refused.reason], ['Failed', 'WorkflowIdMismatch']);
      assert.ok(refused.message.includes(intruderId) && refused.message.includes(started.workflowId), refused.message);
      assert.equal(env.kube.sandbox.totalCreates(KIND[engine]), creates, 'nothing created');
      assert.ok(!(await isGone(owner)), "the owner's resource is still there");
      await release(started.workflowId);
      assert.equal((await env.executions.waitForResult(started.workflowId)).phase, 'Completed');
    });

    test('worker shut down mid-run, a new one started: the execution completes with exactly one create', async () => {
      const isolated = await startExecutionEnvironment({ registry: () => env.registry, worker: false });
      try {
        const first = await isolated.startWorker();
        const req = request({ SANDBOX_OUTCOME: 'hold' });
        const started = await isolated.executions.startExecution(req);
        await eventually(async () => (await isolated.executions.getExecution(started.workflowId)).status?.phase === 'Running');
        await first.stop();
        const second = await isolated.startWorker();
        await release(started.workflowId);
        assert.equal((await isolated.executions.waitForResult(started.workflowId)).phase, 'Completed');
        assert.equal(env.kube.sandbox.createCount(KIND[engine], EXECUTION_NAMESPACE, started.workflowId), 1);
        await second.stop();
      } finally {
        await isolated.stop();
      }
    });

    test('continue-as-new keeps polling the same resource without creating again or cleaning up in between', async () => {
      const req = request({ SANDBOX_OUTCOME: 'hold' }, { policy: { pollInitialMs: 20, pollMaxMs: 40, continueAsNewAfterEvents: 30 } });
      const started = await env.executions.startExecution(req);
      await eventually(
        async () => ((await env.executions.getExecution(started.workflowId)).status?.continuedAsNew ?? 0) >= 2,
        20_000,
        'two continue-as-new',
      );
      assert.ok(!(await isGone(req)), 'still there between runs');
      await release(started.workflowId);
      const result = await env.executions.waitForResult(started.workflowId);
      assert.equal(result.phase, 'Completed');
      const view = await env.executions.getExecution(started.workflowId);
      assert.ok((view.status?.continuedAsNew ?? 0) >= 2);
      assert.equal(view.engine, engine, 'search attributes carried over');
      assert.equal(env.kube.sandbox.createCount(KIND[engine], EXECUTION_NAMESPACE, started.workflowId), 1);
      assert.ok(await isGone(req));
    });

    test('an invalid request started without the client library fails fast with InvalidExecutionRequest; nothing is created', async () => {
      const before = env.kube.sandbox.totalCreates(KIND[engine]);
      const req = request({ 'BAD NAME': 'x' }, { target: 'not a target' });
      await assert.rejects(env.executions.startExecution(req), InvalidExecutionRequestError);
      const handle = await env.client.workflow.start(WORKFLOW_TYPE, {
        taskQueue: env.taskQueue,
        workflowId: `invalid-${uniqueSuffix()}`,
        args: [req],
      });
      const result = await env.executions.waitForResult(handle.workflowId);
      assert.deepEqual([result.phase, result.reason], ['Failed', 'InvalidExecutionRequest']);
      assert.match(result.message, /spec\.targetResource/);
      assert.match(result.message, /spec\.parameters\.BAD NAME/);
      assert.equal(env.kube.sandbox.totalCreates(KIND[engine]), before);
    });
  });
}
