/**
 * The orphan sweeper and what it makes safe: its schedule exists once however many workers start, a reset leaves
 * nothing behind, and a Job outlives a worker outage longer than the original's 600 s TTL (scaled time).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { loadConfig } from '../../src/config.ts';
import { sweeperScheduleId } from '../../src/sweeper/schedule.ts';
import { createWorker } from '../../src/worker.ts';
import { EXECUTION_NAMESPACE, type ExecutionEnvironment, startExecutionEnvironment } from '../support/execution-env.ts';
import { eventually } from '../support/kube-sandbox.ts';
import { sampleRequest, uniqueSuffix } from '../support/requests.ts';
import { installQuietRuntime, testNamespace, testServerAddress } from '../support/temporal.ts';

const run = promisify(execFile);
const POLICY = { pollInitialMs: 50, pollMaxMs: 200, stopGraceMs: 3000 };
const WAIT = 60_000;

describe('orphan sweeper', () => {
  let env: ExecutionEnvironment;
  before(async () => {
    env = await startExecutionEnvironment({ awx: true, worker: false });
  });
  after(() => env.stop());

  test('the sweeper schedule exists once after three workers started on one task queue', async () => {
    installQuietRuntime();
    const taskQueue = `sweeper-schedule-${uniqueSuffix()}`;
    const config = loadConfig({
      TEMPORAL_ADDRESS: testServerAddress(),
      TEMPORAL_NAMESPACE: testNamespace(),
      TEMPORAL_TASK_QUEUE: taskQueue,
      KUBECONFIG: env.kube.kubeconfigPath,
      EXECUTION_ENGINES: 'job,tekton',
      METRICS_BIND_ADDRESS: 'off',
    });
    const workflowBundle = { codePath: process.env.TEST_WORKFLOW_BUNDLE ?? assert.fail('run through npm test') };
    const workers = await Promise.all([1, 2, 3].map(() => createWorker(config, { workflowBundle })));
    try {
      assert.deepEqual(workers.map((worker) => worker.sweeperSchedule).sort(), ['created', 'exists', 'exists']);
      const ids: string[] = [];
      for await (const schedule of env.client.schedule.list()) if (schedule.scheduleId.includes(taskQueue)) ids.push(schedule.scheduleId);
      assert.deepEqual(ids, [sweeperScheduleId(taskQueue)]);
      const description = await env.client.schedule.getHandle(sweeperScheduleId(taskQueue)).describe();
      assert.equal(description.action.type, 'startWorkflow');
      assert.equal(description.action.workflowType, 'sweepOrphans');
    } finally {
      await env.client.schedule.getHandle(sweeperScheduleId(taskQueue)).delete();
      for (const worker of workers) {
        const running = worker.run();
        worker.worker.shutdown();
        await running;
        await worker.close();
      }
    }
  });

  test('a reset mid-run, then one sweep: nothing left, the new run finished the execution', async () => {
    const worker = await env.startWorker();
    try {
      const secret = `creds-${uniqueSuffix()}`;
      env.kube.sandbox.createSecret(EXECUTION_NAMESPACE, secret, { password: `p-${uniqueSuffix()}` });
      const req = sampleRequest({ engine: 'ansible', parameters: { SANDBOX_OUTCOME: 'hold' }, secrets: [secret], policy: POLICY });
      const { workflowId, runId } = await env.executions.startExecution(req);
      await eventually(async () => (await env.executions.getExecution(workflowId)).status?.handle, WAIT);
      await run(process.env.TEMPORAL_CLI_PATH ?? 'temporal', [
        ...['workflow', 'reset', '--workflow-id', workflowId, '--run-id', runId, '--type', 'FirstWorkflowTask', '--reason', 'sweeper test'],
        ...['--address', testServerAddress(), '--namespace', testNamespace()],
      ]);
      const newRun = await eventually(async () => {
        const view = await env.executions.getExecution(workflowId);
        return view.runId !== runId && view.status?.handle ? view.runId : undefined;
      }, WAIT);
      env.awx?.sandbox.release('success', () => true);
      assert.equal((await env.executions.waitForResult(workflowId, newRun)).phase, 'Completed');
      const report = await env.executions.sweepOrphans({ graceMs: 0 });
      assert.deepEqual(report.failed, []);
      const live = env.awx?.sandbox.liveEphemeralCredentials().filter((credential) => credential.name.includes(secret)) ?? [];
      assert.equal(live.length, 0, 'the reset run left no credential: the new run deleted every credential of the execution');
      const active = [...(env.awx?.sandbox.jobs.values() ?? [])].filter(
        (job) => job.extra_vars.includes(workflowId) && ['new', 'pending', 'waiting', 'running'].includes(job.status),
      );
      assert.equal(active.length, 0);
    } finally {
      await worker.stop();
    }
  });

  test('a success survives a worker outage longer than the original 600 s Job TTL (scaled: 1 ms per second)', async () => {
    env.kube.sandbox.jobs.ttlMillisecondsPerSecond = 1;
    try {
      let worker = await env.startWorker();
      const req = sampleRequest({ engine: 'job', parameters: { SANDBOX_OUTCOME: 'hold' }, policy: POLICY });
      const { workflowId } = await env.executions.startExecution(req);
      await eventually(async () => (await env.executions.getExecution(workflowId)).status?.phase === 'Running', WAIT);
      await worker.stop();
      // The outage: the Job finishes while no worker runs; a Job with the original TTL finishes beside it.
      await env.kube.kube.batch.createNamespacedJob({
        namespace: EXECUTION_NAMESPACE,
        body: {
          metadata: { name: `control-${uniqueSuffix()}` },
          spec: {
            ttlSecondsAfterFinished: 600,
            template: {
              spec: {
                restartPolicy: 'Never',
                containers: [{ name: 'workflow', image: 'x', env: [{ name: 'SANDBOX_DURATION_MS', value: '0' }] }],
              },
            },
          },
        },
      });
      env.kube.sandbox.jobs.release('success', (name) => name === workflowId);
      const jobsLeft = async () =>
        (await env.kube.kube.batch.listNamespacedJob({ namespace: EXECUTION_NAMESPACE })).items.map((job) => job.metadata?.name ?? '');
      await eventually(async () => !(await jobsLeft()).some((name) => name.startsWith('control-')), WAIT, 'the 600 s TTL to expire');
      assert.ok((await jobsLeft()).includes(workflowId), "the execution's Job outlived the outage (its TTL is a week)");
      worker = await env.startWorker();
      const result = await env.executions.waitForResult(workflowId);
      assert.equal(result.phase, 'Completed', `${result.reason}: ${result.message}`);
      await worker.stop();
    } finally {
      env.kube.sandbox.jobs.ttlMillisecondsPerSecond = 0;
    }
  });
});
