/**
 * Watch-driven completion on a real kube-apiserver: the watch signals the owning workflow when its Job or PipelineRun
 * ends or disappears, so the execution learns its end at once; the safety-net poll (here an hour) never had to. When
 * the event is lost, the safety-net poll still reads the end.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createActivities } from '../../src/activities/index.ts';
import { ExecutionClient } from '../../src/client.ts';
import { loadKubeConfig } from '../../src/clients/kube.ts';
import { JobExecutor } from '../../src/executors/job.ts';
import { ExecutorRegistry } from '../../src/executors/registry.ts';
import { TektonExecutor } from '../../src/executors/tekton.ts';
import { CompletionWatcher } from '../../src/watch/completion-watcher.ts';
import { type BackendChange, backendChangedSignal } from '../../src/workflows/definitions.ts';
import {
  finishJob,
  type KubeBackend,
  realKubeAvailable,
  setPipelineRunCondition,
  startBackend,
  startJob,
} from '../support/kube-backends.ts';
import { eventually } from '../support/kube-sandbox.ts';
import { sampleRequest } from '../support/requests.ts';
import { connectTestClient, createTestWorker, testTaskQueue } from '../support/temporal.ts';

const NS = 'kubernaut-workflows';
const LONG = { pollInitialMs: 100, pollMaxMs: 200, watchedPollMs: 3_600_000, stopGraceMs: 1000 };

describe('watch-driven completion on a real kube-apiserver', { skip: !realKubeAvailable() && 'kube-apiserver not built' }, () => {
  let backend: KubeBackend;
  let watcher: CompletionWatcher;
  const seen: { workflowId: string; change: BackendChange }[] = [];
  /** Workflows whose signals are lost on the way (a dropped watch event). */
  const dropped = new Set<string>();
  let executions: ExecutionClient;
  let stop: () => Promise<void>;

  before(async () => {
    backend = await startBackend('kube-apiserver');
    const { client, close } = await connectTestClient();
    watcher = new CompletionWatcher({
      config: loadKubeConfig({ kubeconfigPath: backend.kubeconfigPath, requestTimeoutMs: 0 }),
      namespaces: [NS],
      kinds: ['Job', 'PipelineRun'],
      notify: async (workflowId, change) => {
        seen.push({ workflowId, change });
        if (dropped.has(workflowId)) return;
        await client.workflow
          .getHandle(workflowId)
          .signal(backendChangedSignal, change)
          .catch(() => undefined);
      },
    });
    await watcher.start();
    await eventually(() => watcher.isWatching(NS, 'Job') && watcher.isWatching(NS, 'PipelineRun'), 30_000, 'both watches up');
    const registry = new ExecutorRegistry()
      .register(new JobExecutor({ kube: backend.kube, detectStuckPods: false }))
      .register(new TektonExecutor({ kube: backend.kube }));
    const taskQueue = testTaskQueue('watch');
    const { worker, connection } = await createTestWorker({
      taskQueue,
      activities: createActivities({
        registry,
        defaultExecutionNamespace: NS,
        isWatched: (handle) => watcher.isWatching(handle.executionNamespace, handle.engine === 'job' ? 'Job' : 'PipelineRun'),
      }),
    });
    const running = worker.run();
    executions = new ExecutionClient(client, { taskQueue });
    stop = async () => {
      worker.shutdown();
      await running;
      await connection.close();
      await close();
    };
  });
  after(async () => {
    await watcher?.stop();
    await stop?.();
    await backend?.stop();
  });

  test('a Job that ends is known at once: the watch signals the workflow, which polls and completes', async () => {
    const { workflowId } = await executions.startExecution(sampleRequest({ engine: 'job', policy: LONG }));
    const running = await eventually(async () => {
      const view = await executions.getExecution(workflowId);
      return view.status?.pollDelayMs === LONG.watchedPollMs ? view : undefined; // waiting on the hour-long safety net
    }, 30_000);
    assert.equal(running.status?.phase, 'Running');
    await startJob(backend.kube, NS, workflowId);
    await finishJob(backend.kube, NS, workflowId, 'success');
    const result = await executions.waitForResult(workflowId);
    assert.equal(result.phase, 'Completed');
    const status = (await executions.getExecution(workflowId)).status;
    assert.ok((status?.notifications ?? 0) >= 1, 'woken by the watch');
    assert.deepEqual(seen.find((entry) => entry.workflowId === workflowId)?.change, { resource: `${NS}/${workflowId}`, change: 'ended' });
  });

  test('a PipelineRun that fails and one deleted under the execution are both signalled', async () => {
    const failing = await executions.startExecution(sampleRequest({ engine: 'tekton', policy: LONG }));
    const deleted = await executions.startExecution(sampleRequest({ engine: 'tekton', policy: LONG }));
    for (const { workflowId } of [failing, deleted])
      await eventually(async () => (await executions.getExecution(workflowId)).status?.pollDelayMs === LONG.watchedPollMs, 30_000);
    await setPipelineRunCondition(backend.kube, NS, failing.workflowId, {
      status: 'False',
      reason: 'Failed',
      message: 'Tasks Completed: 1 (Failed: 1)',
    });
    await backend.kube.custom.deleteNamespacedCustomObject({
      group: 'tekton.dev',
      version: 'v1',
      namespace: NS,
      plural: 'pipelineruns',
      name: deleted.workflowId,
    });
    assert.deepEqual(await executions.waitForResult(failing.workflowId).then((result) => [result.phase, result.reason]), [
      'Failed',
      'Failed',
    ]);
    assert.equal((await executions.waitForResult(deleted.workflowId)).reason, 'ResourceDeletedExternally');
    assert.equal(seen.find((entry) => entry.workflowId === deleted.workflowId)?.change.change, 'deleted');
  });

  test('a Job whose watch event is lost still completes: the safety-net poll reads its end', async () => {
    const policy = { ...LONG, watchedPollMs: 1000 };
    const { workflowId } = await executions.startExecution(sampleRequest({ engine: 'job', policy }));
    dropped.add(workflowId);
    await eventually(async () => (await executions.getExecution(workflowId)).status?.pollDelayMs === policy.watchedPollMs, 30_000);
    await startJob(backend.kube, NS, workflowId);
    await finishJob(backend.kube, NS, workflowId, 'success');
    assert.equal((await executions.waitForResult(workflowId)).phase, 'Completed');
    assert.ok(
      seen.some((entry) => entry.workflowId === workflowId && entry.change.change === 'ended'),
      'the watch saw the end',
    );
    assert.equal((await executions.getExecution(workflowId)).status?.notifications ?? 0, 0, 'no signal reached the workflow');
  });
});
