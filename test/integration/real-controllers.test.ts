/**
 * The Job and Tekton engines end to end on a real control plane (scripts/lib/control-plane/): real Temporal workflows,
 * the executors acting as the worker's ServiceAccount with the RBAC of deploy/, the real Job controller, garbage
 * collector and scheduler, kwok running the pods (their fate from SANDBOX_OUTCOME, as in the sandbox), Tekton's
 * controller and bundles resolver pulling the test pipelines from an OCI registry. Skipped when the control plane is not
 * built (`node scripts/ensure-control-plane.ts`).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { KubernetesObjectApi, type V1Job } from '@kubernetes/client-node';
import { deployedRbac } from '../../scripts/lib/control-plane/worker-identity.ts';
import { createKubeClients, type KubeClients, loadKubeConfig } from '../../src/clients/kube.ts';
import { DEFAULT_SERVICE_ACCOUNT_NAME, LABEL_WORKFLOW_EXECUTION } from '../../src/domain/constants.ts';
import type { Engine, ExecutionRequest, ExecutionResult } from '../../src/domain/types.ts';
import { JobExecutor } from '../../src/executors/job.ts';
import { ExecutorRegistry } from '../../src/executors/registry.ts';
import { TektonExecutor } from '../../src/executors/tekton.ts';
import { EXECUTION_NAMESPACE, type ExecutionEnvironment, startExecutionEnvironment } from '../support/execution-env.ts';
import { eventually } from '../support/kube-sandbox.ts';
import { type SampleOptions, sampleRequest, uniqueSuffix } from '../support/requests.ts';

const ADMIN_KUBECONFIG = process.env.TEST_CONTROL_PLANE_ADMIN_KUBECONFIG ?? '';
const WORKER_KUBECONFIG = process.env.TEST_CONTROL_PLANE_WORKER_KUBECONFIG ?? '';
const BUNDLES = JSON.parse(process.env.TEST_CONTROL_PLANE_BUNDLES ?? '{}') as { workflow: string; finally: string; missing: string };
const SKIP = !ADMIN_KUBECONFIG && !process.env.TEST_CONTROL_PLANE_ERROR && (process.env.TEST_CONTROL_PLANE_SKIPPED || 'no control plane');
/** An execution namespace with the Pod Security profile the Helm chart gives it (enforce: restricted). */
const RESTRICTED_NAMESPACE = 'kubernaut-restricted';

/** Polls quickly; a stopped backend gets time to wind down (a CancelledRunFinally runs its finally task). */
const FAST = { pollInitialMs: 100, pollMaxMs: 500, stopGraceMs: 60_000 };
const RESULT_TIMEOUT_MS = 120_000;

type Condition = { type: string; status: string; reason?: string; message?: string };
type Resource = {
  metadata?: { name?: string; uid?: string; labels?: Record<string, string> };
  spec?: { params?: { name: string; value: string }[] };
  status?: { conditions?: Condition[] };
};
const conditionOf = (object: Resource | undefined, type: string) => object?.status?.conditions?.find((entry) => entry.type === type);
const isNotFound = (error: unknown) => (error as { code?: number }).code === 404;

describe('the Job and Tekton engines on a real control plane (kube-controller-manager, kube-scheduler, kwok, Tekton)', {
  skip: SKIP,
}, () => {
  let admin: KubeClients;
  let env: ExecutionEnvironment;
  let worker: { stop(): Promise<void> } | undefined;

  before(async () => {
    if (process.env.TEST_CONTROL_PLANE_ERROR) throw new Error(`the control plane did not start: ${process.env.TEST_CONTROL_PLANE_ERROR}`);
    admin = createKubeClients(loadKubeConfig({ kubeconfigPath: ADMIN_KUBECONFIG }));
    // The executors act as the worker's ServiceAccount, with exactly the deployed Role.
    const asWorker = createKubeClients(loadKubeConfig({ kubeconfigPath: WORKER_KUBECONFIG }));
    const registry = new ExecutorRegistry()
      .register(new JobExecutor({ kube: asWorker, staleDeleteTimeoutMs: 60_000 }))
      .register(new TektonExecutor({ kube: asWorker, staleDeleteTimeoutMs: 60_000 }));
    env = await startExecutionEnvironment({ registry: () => registry, worker: false, sweeperKube: asWorker });
    worker = await env.startWorker();
  });
  after(async () => {
    await worker?.stop();
    await env?.stop();
  });

  const request = (engine: Engine, parameters: Record<string, string> = {}, options: SampleOptions & { bundle?: string } = {}) => {
    const req = sampleRequest({
      engine,
      ...options,
      parameters: { NAMESPACE: 'default', ...parameters },
      policy: { ...FAST, ...options.policy },
    });
    // Job: the image (kwok pulls nothing, except that …/stuck:… never pulls). Tekton: the bundle of the pipeline.
    const bundle = options.bundle ?? (engine === 'tekton' ? BUNDLES.workflow : undefined);
    if (bundle) req.workflowExecution.spec.workflowRef.executionBundle = bundle;
    return req;
  };
  const run = async (req: ExecutionRequest): Promise<{ workflowId: string; result: ExecutionResult }> => {
    const { workflowId } = await env.executions.startExecution(req);
    return { workflowId, result: await resultOf(workflowId) };
  };
  const resultOf = async (workflowId: string): Promise<ExecutionResult> => {
    const result = await env.executions.waitForResultWithin(workflowId, RESULT_TIMEOUT_MS);
    assert.ok(result, `${workflowId} ended within ${RESULT_TIMEOUT_MS} ms`);
    return result;
  };
  const statusOf = async (workflowId: string) => (await env.executions.getExecution(workflowId)).status;

  const tekton = (namespace: string, plural: 'pipelineruns' | 'taskruns') => ({ group: 'tekton.dev', version: 'v1', namespace, plural });
  const read = async (engine: Engine, name: string, namespace = EXECUTION_NAMESPACE): Promise<Resource> =>
    engine === 'job'
      ? ((await admin.batch.readNamespacedJob({ name, namespace })) as Resource)
      : ((await admin.custom.getNamespacedCustomObject({ ...tekton(namespace, 'pipelineruns'), name })) as Resource);
  const exists = (engine: Engine, name: string, namespace = EXECUTION_NAMESPACE) =>
    read(engine, name, namespace).then(
      () => true,
      (error: unknown) => {
        if (isNotFound(error)) return false;
        throw error;
      },
    );
  const taskRunsOf = async (name: string, namespace = EXECUTION_NAMESPACE) =>
    (
      (await admin.custom.listNamespacedCustomObject({
        ...tekton(namespace, 'taskruns'),
        labelSelector: `tekton.dev/pipelineRun=${name}`,
      })) as { items: Resource[] }
    ).items;
  /** TaskRuns by their pipeline task's name. */
  const tasksOf = async (name: string, namespace = EXECUTION_NAMESPACE): Promise<Record<string, Resource>> =>
    Object.fromEntries(
      (await taskRunsOf(name, namespace)).map((taskRun) => [taskRun.metadata?.labels?.['tekton.dev/pipelineTask'], taskRun]),
    );
  const podsOf = async (engine: Engine, name: string, namespace = EXECUTION_NAMESPACE) =>
    (
      await admin.core.listNamespacedPod({
        namespace,
        labelSelector: engine === 'job' ? `batch.kubernetes.io/job-name=${name}` : `tekton.dev/pipelineRun=${name}`,
      })
    ).items;
  /** The resource and everything under it (TaskRuns, pods) gone: the garbage collector did its part. */
  const allGone = (engine: Engine, name: string, namespace = EXECUTION_NAMESPACE) =>
    eventually(
      async () =>
        !(await exists(engine, name, namespace)) &&
        (engine === 'job' || (await taskRunsOf(name, namespace)).length === 0) &&
        (await podsOf(engine, name, namespace)).length === 0,
      60_000,
      `${name} and its pods gone`,
    );
  const deleteNow = async (engine: Engine, name: string, namespace = EXECUTION_NAMESPACE) => {
    const body = { propagationPolicy: 'Background' };
    if (engine === 'job') await admin.batch.deleteNamespacedJob({ name, namespace, body });
    else await admin.custom.deleteNamespacedCustomObject({ ...tekton(namespace, 'pipelineruns'), name, body });
  };
  /** Until the execution is Running with a handle (its resource created and seen once). */
  const runningHandle = (workflowId: string) =>
    eventually(
      async () => {
        const status = await statusOf(workflowId);
        return status?.phase === 'Running' && status.handle?.resourceUid ? status.handle : undefined;
      },
      60_000,
      `${workflowId} running`,
    );
  /** Until a pod of the execution runs (scheduled, started by kwok). */
  const podRunning = (engine: Engine, name: string, task?: string) =>
    eventually(
      async () =>
        (await podsOf(engine, name)).some(
          (pod) => pod.status?.phase === 'Running' && (!task || pod.metadata?.labels?.['tekton.dev/pipelineTask'] === task),
        ),
      60_000,
      `a running pod of ${name}`,
    );

  for (const engine of ['job', 'tekton'] as const) {
    describe(`engine "${engine}"`, () => {
      test('success: Completed with the backend reason; the resource and its pods are deleted', async () => {
        const { workflowId, result } = await run(request(engine, { SANDBOX_DURATION_MS: '300' }));
        if (engine === 'job') {
          assert.deepEqual(
            [result.phase, result.reason, result.message],
            ['Completed', 'Complete', 'Reached expected number of succeeded pods'],
          );
          assert.deepEqual(result.summary, { status: 'True', reason: 'Succeeded', completedTasks: 1, totalTasks: 1 });
        } else {
          assert.deepEqual(
            [result.phase, result.reason, result.message],
            ['Completed', 'Succeeded', 'Tasks Completed: 1 (Failed: 0, Cancelled 0), Skipped: 0'],
          );
          assert.deepEqual([result.summary?.completedTasks, result.summary?.totalTasks], [1, 1]);
        }
        assert.equal((await statusOf(workflowId))?.cleanup?.state, 'done');
        await allGone(engine, workflowId);
      });

      test('backend failure: Failed with the backend reason, the workflow typed by it', async () => {
        const req = request(engine, { SANDBOX_OUTCOME: 'failure' }, { policy: { keepFinishedResource: true } });
        const { workflowId, result } = await run(req);
        assert.equal(result.phase, 'Failed');
        if (engine === 'job') {
          assert.deepEqual([result.reason, result.message], ['BackoffLimitExceeded', 'Job has reached the specified backoff limit']);
          const [pod] = await podsOf('job', workflowId);
          assert.equal(pod?.status?.phase, 'Failed');
          assert.equal(pod?.status?.containerStatuses?.[0]?.state?.terminated?.exitCode, 1);
        } else {
          assert.equal(result.reason, 'Failed');
          assert.match(result.message, /Tasks Completed: 1 \(Failed: 1, Cancelled 0\), Skipped: 0/);
          // What failed, and why, is the TaskRun's: the result carries it after the run's own message.
          const remediate = conditionOf((await tasksOf(workflowId)).remediate, 'Succeeded');
          assert.deepEqual([remediate?.reason, remediate?.message], ['Failed', '"step-run" exited with code 1: Error']);
          assert.match(result.message, /; TaskRun wfe-[0-9a-f]+-remediate: Failed: "step-run" exited with code 1: Error$/);
        }
        await deleteNow(engine, workflowId);
        await allGone(engine, workflowId);
      });

      test("the backend's own deadline holds while no worker runs, and decides the result", async () => {
        // Polls 2 s apart: the worker stops while the workflow sleeps, never with a poll of the running backend in
        // flight (that observation, handled after the deadline, would end it by the workflow's own deadline instead).
        const req = request(engine, { SANDBOX_OUTCOME: 'hold' }, { timeout: '3s', policy: { pollInitialMs: 2000, pollMaxMs: 2000 } });
        const { workflowId } = await env.executions.startExecution(req);
        await runningHandle(workflowId);
        await eventually(
          async () => (await env.client.workflow.getHandle(workflowId).fetchHistory()).events?.at(-1)?.timerStartedEventAttributes,
          30_000,
          'the workflow sleeping between polls',
        );
        await worker?.stop();
        worker = undefined;
        // activeDeadlineSeconds / timeouts.pipeline, enforced by the controller meanwhile.
        const ended = await eventually(
          async () => {
            const condition = conditionOf(await read(engine, workflowId), engine === 'job' ? 'Failed' : 'Succeeded');
            return condition?.status === (engine === 'job' ? 'True' : 'False') ? condition : undefined;
          },
          60_000,
          'the backend deadline',
        );
        worker = await env.startWorker();
        const result = await resultOf(workflowId);
        if (engine === 'job')
          assert.deepEqual([ended.reason, ended.message], ['DeadlineExceeded', 'Job was active longer than specified deadline']);
        else
          assert.deepEqual(
            [ended.reason, ended.message],
            ['PipelineRunTimeout', `PipelineRun "${workflowId}" failed to finish within "3s"`],
          );
        assert.deepEqual([result.phase, result.reason, result.message], ['Failed', ended.reason, ended.message]);
        await allGone(engine, workflowId);
      });

      test('cancel mid-run: the backend stopped, the resource and its pods deleted, result Cancelled', async () => {
        const { workflowId } = await env.executions.startExecution(request(engine, { SANDBOX_OUTCOME: 'hold' }));
        await runningHandle(workflowId);
        await podRunning(engine, workflowId);
        await env.executions.cancelExecution(workflowId);
        const result = await resultOf(workflowId);
        assert.deepEqual([result.phase, result.reason], ['Failed', 'Cancelled']);
        const view = await env.executions.getExecution(workflowId);
        assert.equal(view.workflowStatus, 'CANCELLED');
        assert.equal(view.status?.cleanup?.state, 'done');
        assert.equal(view.status?.stopError, undefined);
        await allGone(engine, workflowId);
      });

      test('deleted externally while running → ResourceDeletedExternally; its pods go with it', async () => {
        const { workflowId } = await env.executions.startExecution(request(engine, { SANDBOX_OUTCOME: 'hold' }));
        await runningHandle(workflowId);
        await podRunning(engine, workflowId);
        await deleteNow(engine, workflowId);
        const result = await resultOf(workflowId);
        assert.deepEqual([result.phase, result.reason], ['Failed', 'ResourceDeletedExternally']);
        assert.match(result.message, /deleted externally/);
        await allGone(engine, workflowId);
      });

      test('#374: a finished resource of an earlier execution is really deleted, then created again', async () => {
        const target = `default/deployment/stale-${uniqueSuffix()}`;
        const earlier = await run(request(engine, {}, { target, policy: { keepFinishedResource: true } }));
        assert.equal(earlier.result.phase, 'Completed');
        const staleUid = (await read(engine, earlier.workflowId)).metadata?.uid;
        assert.ok(staleUid, 'the earlier resource was kept');
        const later = await run(request(engine, {}, { target }));
        assert.equal(later.result.phase, 'Completed', `${later.result.reason}: ${later.result.message}`);
        const handle = (await statusOf(later.workflowId))?.handle;
        assert.ok(handle?.resourceUid && handle.resourceUid !== staleUid, 'a new resource, not the stale one');
        await allGone(engine, later.workflowId);
      });

      test("#383: cleanup never touches another execution's resource that took the name", async () => {
        const target = `default/deployment/owner-${uniqueSuffix()}`;
        // Polls far apart, so the other resource has taken the name before this execution looks again.
        const req = request(engine, { SANDBOX_OUTCOME: 'hold' }, { target, policy: { pollInitialMs: 3000, pollMaxMs: 3000 } });
        const { workflowId } = await env.executions.startExecution(req);
        const handle = await runningHandle(workflowId);
        await deleteNow(engine, workflowId);
        await eventually(async () => !(await exists(engine, workflowId)), 30_000, 'deleted');
        const other = `wfe-other-${uniqueSuffix()}`;
        if (engine === 'job') await admin.batch.createNamespacedJob({ namespace: EXECUTION_NAMESPACE, body: otherJob(workflowId, other) });
        else
          await admin.custom.createNamespacedCustomObject({
            ...tekton(EXECUTION_NAMESPACE, 'pipelineruns'),
            body: otherPipelineRun(workflowId, other, BUNDLES.workflow),
          });
        try {
          const otherUid = (await read(engine, workflowId)).metadata?.uid;
          assert.notEqual(otherUid, handle.resourceUid);
          const result = await resultOf(workflowId);
          assert.deepEqual([result.phase, result.reason], ['Failed', 'ResourceDeletedExternally']);
          const cleanup = (await statusOf(workflowId))?.cleanup;
          assert.deepEqual([cleanup?.state, cleanup?.report?.resourceDeleted], ['done', false]);
          // The other execution's resource: the same object, never stopped, still running.
          const still = await read(engine, workflowId);
          assert.equal(still.metadata?.uid, otherUid);
          assert.equal((still as { spec?: { status?: string } }).spec?.status, undefined, 'never cancelled');
          // Tekton's controller may finish a reconcile of the deleted run after this one took the name and write the
          // deleted run's labels onto it (updateLabelsAndAnnotations in its pipelinerun.go unions the stale object's
          // labels over the new one). Then only the UID tells the two apart, which is what cleanup checks.
          const owners = engine === 'tekton' ? [other, req.workflowExecution.metadata.name] : [other];
          assert.ok(owners.includes(still.metadata?.labels?.[LABEL_WORKFLOW_EXECUTION] ?? ''), 'labelled for one of the two');
          await podRunning(engine, workflowId);
        } finally {
          await deleteNow(engine, workflowId);
          await allGone(engine, workflowId);
        }
      });
    });
  }

  test('job: a pod stuck pulling its image fails the execution after policy.stuckPodGraceMs, with the pod reason', async () => {
    const req = request('job', {}, { bundle: 'registry.invalid/kubernaut/stuck:v1', policy: { stuckPodGraceMs: 1000 } });
    const { workflowId, result } = await run(req);
    assert.deepEqual([result.phase, result.reason], ['Failed', 'ImagePullBackOff']);
    assert.match(
      result.message,
      /^pod wfe-[0-9a-f]+-\w+ container workflow: Back-off pulling image "registry\.invalid\/kubernaut\/stuck:v1" \(for \d+ s\)$/,
    );
    await allGone('job', workflowId);
  });

  test('tekton: a step stuck pulling its image fails the TaskRun at once (TaskRunImagePullFailed), whatever stuckPodGraceMs says', async () => {
    const req = request(
      'tekton',
      { SANDBOX_OUTCOME: 'image-pull-backoff' },
      { policy: { keepFinishedResource: true, stuckPodGraceMs: 600_000 } },
    );
    const { workflowId, result } = await run(req);
    assert.equal(result.phase, 'Failed');
    const remediate = conditionOf((await tasksOf(workflowId)).remediate, 'Succeeded');
    assert.equal(remediate?.reason, 'TaskRunImagePullFailed');
    assert.match(remediate?.message ?? '', /Back-off pulling image "registry\.invalid\/kubernaut\/remediate:v1"/);
    // The result keeps the run's reason and names the TaskRun's.
    assert.equal(result.reason, 'Failed');
    assert.match(result.message, /; TaskRun wfe-[0-9a-f]+-remediate: TaskRunImagePullFailed: .*Back-off pulling image/);
    await deleteNow('tekton', workflowId);
    await allGone('tekton', workflowId);
  });

  test('tekton: CancelledRunFinally stops the running task and really runs the finally task; results pass between tasks', async () => {
    const req = request(
      'tekton',
      { SANDBOX_OUTCOME: 'hold' },
      { bundle: BUNDLES.finally, policy: { pipelineRunCancelMode: 'CancelledRunFinally', keepFinishedResource: true } },
    );
    const { workflowId } = await env.executions.startExecution(req);
    await runningHandle(workflowId);
    await podRunning('tekton', workflowId, 'remediate');
    await env.executions.cancelExecution(workflowId);
    const result = await resultOf(workflowId);
    assert.deepEqual([result.phase, result.reason], ['Failed', 'Cancelled']);
    const succeeded = conditionOf(await read('tekton', workflowId), 'Succeeded');
    assert.deepEqual([succeeded?.status, succeeded?.reason], ['False', 'Cancelled']);
    const tasks = await tasksOf(workflowId);
    assert.deepEqual(
      ['prepare', 'remediate', 'report'].map((task) => [task, conditionOf(tasks[task], 'Succeeded')?.reason]),
      [
        ['prepare', 'Succeeded'],
        ['remediate', 'TaskRunCancelled'],
        ['report', 'Succeeded'],
      ],
    );
    // prepare's result (its pod's termination message) reached remediate's parameters.
    assert.equal(tasks.remediate?.spec?.params?.find((param) => param.name === 'PLAN')?.value, 'planned');
    await deleteNow('tekton', workflowId);
    await allGone('tekton', workflowId);
  });

  test('tekton: a bundle that does not exist never resolves (Tekton v1.10.1 cannot record the failure): failed after stuckPodGraceMs', async () => {
    const req = request('tekton', {}, { bundle: BUNDLES.missing, policy: { stuckPodGraceMs: 5000 } });
    const { workflowId } = await env.executions.startExecution(req);
    // Not CouldntGetPipeline: the resolver's and the controller's "failed" status writes are refused by the
    // ResolutionRequest CRD (status.refSource and status.source required), so the PipelineRun waits for the resolution.
    const waiting = await eventually(
      async () => {
        const condition = conditionOf(await read('tekton', workflowId), 'Succeeded');
        return condition?.reason === 'ResolvingPipelineRef' ? condition : undefined;
      },
      60_000,
      'ResolvingPipelineRef',
    );
    assert.equal(waiting.status, 'Unknown');
    const result = await resultOf(workflowId);
    assert.deepEqual([result.phase, result.reason], ['Failed', 'PipelineRefUnresolved'], result.message);
    assert.match(result.message, /^PipelineRun [\w-]+\/wfe-[0-9a-f]+ awaiting remote resource \(for \d+ s\)$/);
    await allGone('tekton', workflowId);
  });

  describe(`an execution namespace with Pod Security "restricted" (as the Helm chart labels it)`, () => {
    before(async () => {
      await admin.core
        .createNamespace({
          body: { metadata: { name: RESTRICTED_NAMESPACE, labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } },
        })
        .catch((error: unknown) => assert.equal((error as { code?: number }).code, 409));
      const objects = KubernetesObjectApi.makeApiClient(loadKubeConfig({ kubeconfigPath: ADMIN_KUBECONFIG }));
      // The worker's Role and RoleBinding as deployed, and the pods' ServiceAccount, in this namespace too.
      for (const object of deployedRbac().filter((entry) => entry.metadata.namespace === EXECUTION_NAMESPACE))
        await objects.create({ ...object, metadata: { ...object.metadata, namespace: RESTRICTED_NAMESPACE } }).catch(() => undefined);
    });
    const restricted = (engine: Engine) =>
      request(engine, {}, { executionNamespace: RESTRICTED_NAMESPACE, policy: { keepFinishedResource: true } });

    test('job: the restricted security context (BR-WE-018) is admitted; the execution completes', async () => {
      const { workflowId, result } = await run(restricted('job'));
      assert.deepEqual([result.phase, result.reason], ['Completed', 'Complete']);
      await deleteNow('job', workflowId, RESTRICTED_NAMESPACE);
      await allGone('job', workflowId, RESTRICTED_NAMESPACE);
    });

    // Why the chart enforces only "baseline": Tekton's own init containers cannot meet "restricted". The result names it.
    test("tekton: refused by admission under restricted, and the result names the TaskRun's PodAdmissionFailed", async () => {
      const { workflowId, result } = await run(restricted('tekton'));
      try {
        assert.equal(result.phase, 'Failed');
        assert.match(result.message ?? '', /PodAdmissionFailed/);
      } finally {
        await deleteNow('tekton', workflowId, RESTRICTED_NAMESPACE).catch(() => undefined);
        await allGone('tekton', workflowId, RESTRICTED_NAMESPACE);
      }
    });
  });

  test('afterwards nothing is left behind: no Job, PipelineRun, TaskRun or pod in the execution namespaces', async () => {
    let left: string[] = [];
    const leftovers = async () => {
      left = [];
      for (const namespace of [EXECUTION_NAMESPACE, RESTRICTED_NAMESPACE]) {
        left.push(...(await admin.batch.listNamespacedJob({ namespace })).items.map((job) => `Job ${namespace}/${job.metadata?.name}`));
        left.push(...(await admin.core.listNamespacedPod({ namespace })).items.map((pod) => `Pod ${namespace}/${pod.metadata?.name}`));
        for (const plural of ['pipelineruns', 'taskruns'] as const) {
          const list = (await admin.custom.listNamespacedCustomObject(tekton(namespace, plural))) as { items: Resource[] };
          left.push(...list.items.map((item) => `${plural} ${namespace}/${item.metadata?.name}`));
        }
      }
      return left.length === 0;
    };
    await eventually(leftovers, 60_000, 'empty execution namespaces').catch((error: Error) =>
      assert.fail(`${error.message}: ${left.join(', ')}`),
    );
  });
});

/** A Job of another execution under the same name (what #383 must never delete), running until deleted. */
function otherJob(name: string, owner: string): V1Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, labels: { [LABEL_WORKFLOW_EXECUTION]: owner } },
    spec: {
      backoffLimit: 0,
      template: {
        metadata: { labels: { [LABEL_WORKFLOW_EXECUTION]: owner } },
        spec: {
          restartPolicy: 'Never',
          serviceAccountName: DEFAULT_SERVICE_ACCOUNT_NAME,
          containers: [{ name: 'workflow', image: 'registry.invalid/other:v1', env: [{ name: 'SANDBOX_OUTCOME', value: 'hold' }] }],
        },
      },
    },
  };
}

/** A PipelineRun of another execution under the same name, running until deleted. */
function otherPipelineRun(name: string, owner: string, bundle: string) {
  return {
    apiVersion: 'tekton.dev/v1',
    kind: 'PipelineRun',
    metadata: { name, labels: { [LABEL_WORKFLOW_EXECUTION]: owner } },
    spec: {
      pipelineRef: {
        resolver: 'bundles',
        params: [
          { name: 'bundle', value: bundle },
          { name: 'name', value: 'workflow' },
          { name: 'kind', value: 'pipeline' },
        ],
      },
      params: [
        { name: 'TARGET_RESOURCE', value: 'default/deployment/other' },
        { name: 'SANDBOX_OUTCOME', value: 'hold' },
      ],
      taskRunTemplate: { serviceAccountName: DEFAULT_SERVICE_ACCOUNT_NAME },
    },
  };
}
