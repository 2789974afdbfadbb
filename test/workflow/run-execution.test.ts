/**
 * The fast layer: every branch of runExecution on the time-skipping test server with scripted activities — outcomes,
 * cancel at each step, continue-as-new, failed stop, failed undo, the grace loop, stuck pods, refusals. No backend,
 * no wall-clock waits: the server skips time, so a 30-minute deadline passes at once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { resultFromFailure } from '../../src/client.ts';
import { DEFAULT_POLICY } from '../../src/domain/policy.ts';
import { executionResourceName } from '../../src/domain/resource-name.ts';
import type { ExecutionRequest, ExecutionResult } from '../../src/domain/types.ts';
import { backendChangedSignal, statusQuery, WORKFLOW_TYPE } from '../../src/workflows/definitions.ts';
import { sampleRequest, uniqueSuffix } from '../support/requests.ts';
import {
  type FastEnvironment,
  fastLayerAvailable,
  finalFailure,
  found,
  jobHandle,
  type Script,
  startFastEnvironment,
} from '../support/time-skipping.ts';

describe('runExecution on the time-skipping test server (scripted activities)', {
  skip: !fastLayerAvailable() && 'test server not fetched',
}, () => {
  let fast: FastEnvironment;
  before(async () => {
    fast = await startFastEnvironment();
  });
  after(() => fast?.stop());

  const POLICY = { pollInitialMs: 1000, pollMaxMs: 60_000, stopGraceMs: 120_000 };
  const POLICY_WATCHED_POLL_MS = DEFAULT_POLICY.watchedPollMs;

  /** A request for its own target, with the script the backend follows for it. */
  const scripted = (script: Partial<Script> = {}, options: Parameters<typeof sampleRequest>[0] = {}) => {
    const target = `fast/Deployment/t-${uniqueSuffix()}`;
    const request = sampleRequest({ engine: 'job', target, policy: POLICY, ...options });
    const entry: Script = { calls: [], create: async () => jobHandle(executionResourceName(target)), ...script };
    fast.scripts.set(target, entry);
    return { request, script: entry, workflowId: executionResourceName(target) };
  };

  const start = (request: ExecutionRequest, workflowId = executionResourceName(request.workflowExecution.spec.targetResource)) =>
    fast.env.client.workflow.start(WORKFLOW_TYPE, { taskQueue: fast.taskQueue, workflowId, args: [request] });

  const outcome = async (request: ExecutionRequest, workflowId?: string): Promise<ExecutionResult> => {
    const handle = await start(request, workflowId);
    try {
      return (await handle.result()) as ExecutionResult;
    } catch (error) {
      return resultFromFailure(error);
    }
  };

  /** Waits (in skipped time) until the script has seen a call. */
  const reached = async (script: Script, call: string) => {
    while (!script.calls.includes(call)) await fast.env.sleep(500);
  };

  test('success: create, poll until Complete, delete the resource; no stop', async () => {
    const { request, script } = scripted({ statuses: [found('Running'), found('Running'), found('Completed', 'Complete')] });
    const result = await outcome(request);
    assert.deepEqual([result.phase, result.reason], ['Completed', 'Complete']);
    assert.deepEqual(script.calls, ['create', 'status', 'status', 'status', 'deleteResource']);
  });

  test('a backend failure ends Failed with its reason; the resource is deleted, never stopped', async () => {
    const { request, script } = scripted({ statuses: [found('Running'), found('Failed', 'BackoffLimitExceeded')] });
    const result = await outcome(request);
    assert.deepEqual([result.phase, result.reason], ['Failed', 'BackoffLimitExceeded']);
    assert.ok(!script.calls.includes('stop'));
    assert.equal(script.calls.at(-1), 'deleteResource');
  });

  test('the deadline passes (30 minutes, skipped): DeadlineExceeded, the backend stopped, then deleted', async () => {
    const { request, script } = scripted({ statuses: [found('Running')] });
    const result = await outcome(request);
    assert.deepEqual([result.phase, result.reason], ['Failed', 'DeadlineExceeded']);
    assert.match(result.message, /did not finish within 30m/);
    assert.ok(script.calls.indexOf('stop') < script.calls.lastIndexOf('deleteResource'));
  });

  test('cancel while polling: Cancelled; stop, then delete', async () => {
    const { request, script, workflowId } = scripted({ statuses: [found('Running')] });
    const handle = await start(request);
    await reached(script, 'status');
    await handle.cancel();
    assert.equal(resultFromFailure(await handle.result().catch((error: unknown) => error)).reason, 'Cancelled');
    assert.ok(script.calls.includes('stop'), `${script.calls}`);
    assert.equal(script.calls.at(-1), 'deleteResource', 'stopped, wound down, then deleted');
    assert.equal((await fast.env.client.workflow.getHandle(workflowId).describe()).status.name, 'CANCELLED');
  });

  test('regression: cancel while create runs — the create finishes, then what it made is deleted', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { request, script, workflowId } = scripted({
      create: async () => {
        await gate;
        return jobHandle('made-during-cancel');
      },
    });
    const handle = await start(request);
    await reached(script, 'create');
    await handle.cancel();
    release();
    assert.equal(resultFromFailure(await handle.result().catch((error: unknown) => error)).reason, 'Cancelled');
    assert.ok(script.calls.includes('deleteResource'), `${script.calls}`);
    assert.ok(!script.calls.includes('status'), 'no polling after the cancel');
    assert.equal((await fast.env.client.workflow.getHandle(workflowId).describe()).status.name, 'CANCELLED');
  });

  test('regression: cancel while prepare runs (ansible) — its credentials are deleted, nothing is launched', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { request, script } = scripted(
      {
        prepare: async () => {
          await gate;
          return { ephemeralCredentialIds: [41, 42], created: 2 };
        },
      },
      { engine: 'ansible', secrets: ['db'] },
    );
    const handle = await start(request);
    await reached(script, 'prepare');
    await handle.cancel();
    release();
    assert.equal(resultFromFailure(await handle.result().catch((error: unknown) => error)).reason, 'Cancelled');
    assert.ok(!script.calls.includes('create'));
    assert.ok(script.calls.includes('deleteCredentials'));
  });

  test('regression: a refused stop never skips the delete; the status says why the stop failed', async () => {
    const { request, script, workflowId } = scripted({
      statuses: [found('Running')],
      stop: async () => {
        throw finalFailure('BackendRejected', 'cancel PipelineRun: 400 the run has just finished');
      },
    });
    const handle = await start(request);
    await reached(script, 'status');
    await handle.cancel();
    await handle.result().catch(() => undefined);
    assert.deepEqual(script.calls.slice(-2), ['stop', 'deleteResource']);
    const status = await fast.env.client.workflow.getHandle(workflowId).query(statusQuery);
    assert.match(status.stopError ?? '', /has just finished/);
    assert.equal(status.cleanup?.state, 'done');
  });

  test('regression: an undo step that fails for good is not a silent success — the result and status name what is left', async () => {
    const { request, workflowId } = scripted({
      deleteResource: async () => {
        throw finalFailure('BackendRejected', 'delete Job: 403 forbidden');
      },
    });
    const result = await outcome(request);
    assert.equal(result.phase, 'Completed');
    assert.equal(result.cleanup?.complete, false);
    assert.equal(result.cleanup?.owner, 'sweeper');
    assert.deepEqual(
      result.cleanup?.failures.map((failure) => failure.step),
      ['stop and delete the backend resource'],
    );
    const status = await fast.env.client.workflow.getHandle(workflowId).query(statusQuery);
    assert.equal(status.cleanup?.state, 'incomplete');
    assert.deepEqual(status.cleanup?.left, result.cleanup?.left);
  });

  test('every undo step runs whatever the others did: a failed resource delete still deletes the credentials', async () => {
    const { request, script } = scripted(
      {
        deleteResource: async () => {
          throw finalFailure('BackendRejected', 'cancel AWX job: 403');
        },
      },
      { engine: 'ansible', secrets: ['db'] },
    );
    const result = await outcome(request);
    assert.match(result.cleanup?.left.join(', ') ?? '', /^ansible execution resource /);
    assert.equal(result.cleanup?.failures.length, 1, 'only the resource step failed');
    assert.deepEqual(script.calls.slice(-2), ['deleteResource', 'deleteCredentials'], 'newest first, both attempted');
  });

  test('the wind-down after a stop polls until the backend reports its end, then deletes', async () => {
    const { request, script } = scripted({
      statuses: [found('Running'), found('Running'), found('Running'), found('Failed', 'Cancelled')],
    });
    const handle = await start(request);
    await reached(script, 'status');
    await handle.cancel();
    await handle.result().catch(() => undefined);
    const afterStop = script.calls.slice(script.calls.indexOf('stop') + 1);
    assert.equal(afterStop.at(-1), 'deleteResource');
    assert.ok(afterStop.filter((call) => call === 'status').length >= 1, 'polled during the grace period');
  });

  test('a backend that never winds down is deleted once the grace period has passed', async () => {
    const { request, script } = scripted({ statuses: [found('Running')] }, { policy: { ...POLICY, stopGraceMs: 10_000 } });
    const handle = await start(request);
    await reached(script, 'status');
    await handle.cancel();
    await handle.result().catch(() => undefined);
    assert.equal(script.calls.at(-1), 'deleteResource');
  });

  test('continue-as-new keeps polling the same resource: one create, one delete across the runs', async () => {
    const statuses = [...Array.from({ length: 12 }, () => found('Running')), found('Completed', 'Complete')];
    const { request, script, workflowId } = scripted({ statuses }, { policy: { ...POLICY, continueAsNewAfterEvents: 20 } });
    const result = await outcome(request);
    assert.equal(result.phase, 'Completed');
    assert.equal(script.calls.filter((call) => call === 'create').length, 1);
    assert.equal(script.calls.filter((call) => call === 'deleteResource').length, 1);
    const status = await fast.env.client.workflow.getHandle(workflowId).query(statusQuery);
    assert.ok(status.continuedAsNew >= 1);
  });

  test('a resource deleted under the execution ends it ResourceDeletedExternally', async () => {
    const { request } = scripted({ statuses: [found('Running'), { kind: 'notFound', message: 'Job was deleted externally' }] });
    const result = await outcome(request);
    assert.deepEqual([result.phase, result.reason], ['Failed', 'ResourceDeletedExternally']);
  });

  test('a bad request fails in its first task with InvalidExecutionRequest; no activity runs', async () => {
    const { request, script } = scripted({}, { parameters: { 'BAD NAME': 'x' } });
    const result = await outcome(request);
    assert.equal(result.reason, 'InvalidExecutionRequest');
    assert.deepEqual(script.calls, []);
  });

  test('regression: a workflow ID that is not the target name is refused, naming both; no activity runs', async () => {
    const { request, script, workflowId } = scripted();
    const result = await outcome(request, `custom-${uniqueSuffix()}`);
    assert.equal(result.reason, 'WorkflowIdMismatch');
    assert.match(result.message, new RegExp(workflowId));
    assert.deepEqual(script.calls, []);
  });

  test('a create refused for good ends Failed with its type; the delete by key still runs', async () => {
    const { request, script } = scripted({
      create: async () => {
        throw finalFailure('ConfigurationError', 'dependency Secret "db" not found');
      },
    });
    const result = await outcome(request);
    assert.deepEqual([result.phase, result.reason], ['Failed', 'ConfigurationError']);
    assert.deepEqual(script.calls, ['create', 'deleteResource']);
  });

  test('a prepare refused for good: the credentials undo runs, nothing is created', async () => {
    const { request, script } = scripted(
      {
        prepare: async () => {
          throw finalFailure('ConfigurationError', 'template does not prompt for credentials');
        },
      },
      { engine: 'ansible', secrets: ['db'] },
    );
    const result = await outcome(request);
    assert.equal(result.reason, 'ConfigurationError');
    assert.ok(!script.calls.includes('create'));
    assert.equal(script.calls.at(-1), 'deleteCredentials');
  });

  test('a poll failure retrying may fix is recorded and polling goes on', async () => {
    const transient = ApplicationFailure.create({ type: 'BackendUnavailable', message: '503 from the API server' });
    const { request, workflowId } = scripted({ statuses: [transient, transient, transient, found('Completed', 'Complete')] });
    const result = await outcome(request);
    assert.equal(result.phase, 'Completed');
    const status = await fast.env.client.workflow.getHandle(workflowId).query(statusQuery);
    assert.match(status.lastPollError ?? '', /503/);
  });

  test('a poll refused for good ends the execution with its reason; the resource is still undone', async () => {
    const { request, script } = scripted({ statuses: [finalFailure('BackendRejected', 'get Job: 403 forbidden')] });
    const result = await outcome(request);
    assert.deepEqual([result.phase, result.reason], ['Failed', 'BackendRejected']);
    assert.equal(script.calls.at(-1), 'deleteResource');
  });

  test('a pod stuck for the whole grace period fails the execution with the pod reason', async () => {
    const stuck = found('Running', 'Running', { stuck: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "x"' } });
    const { request } = scripted({ statuses: [stuck] }, { policy: { ...POLICY, stuckPodGraceMs: 300_000 } });
    const result = await outcome(request);
    assert.deepEqual([result.phase, result.reason], ['Failed', 'ImagePullBackOff']);
    assert.match(result.message, /Back-off pulling image "x" \(for \d+ s\)/);
  });

  test('a pod stuck only briefly fails nothing', async () => {
    const stuck = found('Running', 'Running', { stuck: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "x"' } });
    const { request } = scripted(
      { statuses: [stuck, stuck, found('Running'), found('Completed', 'Complete')] },
      { policy: { ...POLICY, stuckPodGraceMs: 600_000 } },
    );
    assert.equal((await outcome(request)).phase, 'Completed');
  });

  test("regression: a watch's signal ends the wait at once: the next poll follows without the safety-net timer firing", async () => {
    const watched = found('Running', 'Running', { watched: true });
    const { request, script, workflowId } = scripted({ statuses: [watched, found('Completed', 'Complete')] });
    const handle = await start(request);
    await reached(script, 'status');
    const status = await fast.env.client.workflow.getHandle(workflowId).query(statusQuery);
    assert.equal(status.pollDelayMs, POLICY_WATCHED_POLL_MS, 'waiting on the long safety-net interval');
    // Time does not advance while nobody waits for a result: only the signal can bring the next poll.
    await handle.signal(backendChangedSignal, { resource: `kubernaut-workflows/${workflowId}`, change: 'ended' });
    while (script.calls.filter((call) => call === 'status').length < 2) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(((await handle.result()) as ExecutionResult).phase, 'Completed');
    assert.equal((await handle.query(statusQuery)).notifications, 1);
  });

  test('a dropped watch event is caught by the safety-net poll (the execution still completes)', async () => {
    const watched = found('Running', 'Running', { watched: true });
    const { request, script } = scripted({ statuses: [watched, watched, found('Completed', 'Complete')] });
    assert.equal((await outcome(request)).phase, 'Completed');
    assert.equal(script.calls.filter((call) => call === 'status').length, 3);
  });

  test('the status query follows the phase while running', async () => {
    const { request, script, workflowId } = scripted({ statuses: [found('Running', 'Running')] });
    const handle = await start(request);
    await reached(script, 'status');
    const status = await fast.env.client.workflow.getHandle(workflowId).query(statusQuery);
    assert.deepEqual([status.phase, status.handle?.resourceName], ['Running', jobHandle(workflowId).resourceName]);
    await handle.cancel();
    await handle.result().catch((error: unknown) => assert.ok(error instanceof WorkflowFailedError));
  });
});
