import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApiException, PatchStrategy, setHeaderOptions, type V1Job, type V1Pod } from '@kubernetes/client-node';
import { createActivities } from '../../src/activities/index.ts';
import { ExecutionClient } from '../../src/client.ts';
import type { KubeClients } from '../../src/clients/kube.ts';
import { ResourceLockedError } from '../../src/domain/errors.ts';
import { buildJob, type ExecutionPodSettings } from '../../src/domain/manifests.ts';
import { JobExecutor } from '../../src/executors/job.ts';
import { ExecutorRegistry } from '../../src/executors/registry.ts';
import { TektonExecutor } from '../../src/executors/tekton.ts';
import {
  finishJob,
  type KubeBackend,
  realKubeAvailable,
  setPipelineRunCondition,
  startBackend,
  startJob,
} from '../support/kube-backends.ts';
import { eventually } from '../support/kube-sandbox.ts';
import { sampleRequest, uniqueSuffix } from '../support/requests.ts';
import { connectTestClient, createTestWorker, testTaskQueue } from '../support/temporal.ts';

const NS = 'kubernaut-workflows';
const TEKTON = { group: 'tekton.dev', version: 'v1', namespace: NS, plural: 'pipelineruns' } as const;

/** The Status body of an API error, parsed. */
async function statusOf(
  promise: Promise<unknown>,
): Promise<{ code: number; reason: string; message: string; details?: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ApiException, String(error));
    const body = JSON.parse(String(error.body)) as { code: number; reason: string; message: string; details?: Record<string, unknown> };
    assert.equal(body.code, error.code);
    return body;
  }
  return assert.fail('expected an API error');
}

const jobBody = (name: string): V1Job => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name, labels: { tier: 'a', tag: 'contract' } },
  spec: { backoffLimit: 0, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'workflow', image: 'busybox' }] } } },
});

for (const backendName of ['sandbox', 'kube-apiserver'] as const) {
  describe(`Kubernetes contract on the ${backendName}`, {
    skip: backendName === 'kube-apiserver' && !realKubeAvailable() && 'kube-apiserver not built',
  }, () => {
    let backend: KubeBackend;
    let jobs: JobExecutor;
    let tekton: TektonExecutor;
    before(async () => {
      backend = await startBackend(backendName);
      jobs = new JobExecutor({ kube: backend.kube, staleDeleteTimeoutMs: 10_000, detectStuckPods: false });
      tekton = new TektonExecutor({ kube: backend.kube, staleDeleteTimeoutMs: 10_000 });
    });
    after(() => backend.stop());

    /** A dependency the request names (created once; the executors check they exist before creating). */
    const ensureDependency = async (kube: KubeClients, kind: 'Secret' | 'ConfigMap', name: string) => {
      const metadata = { name, namespace: NS };
      const created =
        kind === 'Secret'
          ? kube.core.createNamespacedSecret({ namespace: NS, body: { metadata, stringData: { username: 'admin' } } })
          : kube.core.createNamespacedConfigMap({ namespace: NS, body: { metadata, data: { 'log-level': 'info' } } });
      await created.catch((error) => {
        if (!(error instanceof ApiException && error.code === 409)) throw error;
      });
    };
    const create = (executor: JobExecutor | TektonExecutor, request: ReturnType<typeof sampleRequest>, run = 'wf/run-1') =>
      executor.create({ request, executionNamespace: NS, createdByRun: run, executionTimeoutMs: 600_000 });

    test('Status bodies: AlreadyExists, NotFound, Conflict, Invalid, missing namespace', async () => {
      const name = `contract-${uniqueSuffix()}`;
      await backend.kube.batch.createNamespacedJob({ namespace: NS, body: jobBody(name) });
      const exists = await statusOf(backend.kube.batch.createNamespacedJob({ namespace: NS, body: jobBody(name) }));
      assert.deepEqual(
        [exists.code, exists.reason, exists.message, exists.details],
        [409, 'AlreadyExists', `jobs.batch "${name}" already exists`, { name, group: 'batch', kind: 'jobs' }],
      );
      const missing = await statusOf(backend.kube.batch.readNamespacedJob({ name: 'absent', namespace: NS }));
      assert.deepEqual([missing.code, missing.reason, missing.message], [404, 'NotFound', 'jobs.batch "absent" not found']);
      const stored = await backend.kube.batch.readNamespacedJob({ name, namespace: NS });
      await backend.kube.batch.replaceNamespacedJob({
        name,
        namespace: NS,
        body: { ...stored, metadata: { ...stored.metadata, labels: { changed: 'yes' } } },
      });
      const conflict = await statusOf(backend.kube.batch.replaceNamespacedJob({ name, namespace: NS, body: stored }));
      assert.equal(conflict.reason, 'Conflict');
      assert.match(
        conflict.message,
        new RegExp(
          `^Operation cannot be fulfilled on jobs.batch "${name}": the object has been modified; please apply your changes to the latest version and try again$`,
        ),
      );
      const invalid = await statusOf(backend.kube.batch.createNamespacedJob({ namespace: NS, body: jobBody('Bad_Name') }));
      assert.equal(invalid.code, 422);
      assert.equal(invalid.reason, 'Invalid');
      assert.match(invalid.message, /^Job\.batch "Bad_Name" is invalid: .*metadata\.name: Invalid value: "Bad_Name"/);
      assert.equal((invalid.details as { kind: string }).kind, 'Job');
      const noNamespace = await statusOf(
        backend.kube.batch.createNamespacedJob({ namespace: 'absent-namespace', body: jobBody(`x-${uniqueSuffix()}`) }),
      );
      assert.deepEqual(
        [noNamespace.code, noNamespace.reason, noNamespace.message],
        [404, 'NotFound', 'namespaces "absent-namespace" not found'],
      );
    });

    test('Job status writes follow the Kubernetes ≥ 1.31 rules (Complete needs SuccessCriteriaMet and completionTime)', async () => {
      const name = `rules-${uniqueSuffix()}`;
      await backend.kube.batch.createNamespacedJob({ namespace: NS, body: jobBody(name) });
      const job = await backend.kube.batch.readNamespacedJob({ name, namespace: NS });
      const bad = await statusOf(
        backend.kube.batch.replaceNamespacedJobStatus({
          name,
          namespace: NS,
          body: {
            ...job,
            status: { startTime: new Date(), completionTime: new Date(), succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] },
          },
        }),
      );
      assert.deepEqual([bad.code, bad.reason], [422, 'Invalid']);
      assert.match(bad.message, /SuccessCriteriaMet/);
      await finishJob(backend.kube, NS, name, 'success');
    });

    test('label selectors on lists: =, !=, in, notin, exists', async () => {
      const tag = `t${uniqueSuffix()}`;
      for (const [index, tier] of ['a', 'b'].entries()) {
        const body = jobBody(`sel-${tag}-${index}`);
        body.metadata = { ...body.metadata, labels: { tag, tier } };
        await backend.kube.batch.createNamespacedJob({ namespace: NS, body });
      }
      const names = async (labelSelector: string) =>
        (await backend.kube.batch.listNamespacedJob({ namespace: NS, labelSelector })).items
          .map((item) => item.metadata?.name?.at(-1))
          .sort();
      assert.deepEqual(await names(`tag=${tag},tier=a`), ['0']);
      assert.deepEqual(await names(`tag=${tag},tier!=a`), ['1']);
      assert.deepEqual(await names(`tag=${tag},tier in (a,b)`), ['0', '1']);
      assert.deepEqual(await names(`tag=${tag},tier notin (b)`), ['0']);
      assert.deepEqual(await names(`tag=${tag},!tier`), []);
    });

    test('custom resources: PUT needs a resourceVersion (422); strategic merge patch is refused (415)', async () => {
      const name = `cr-${uniqueSuffix()}`;
      const run = (await backend.kube.custom.createNamespacedCustomObject({
        ...TEKTON,
        body: { apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { name }, spec: {} },
      })) as { metadata: Record<string, unknown> };
      const unconditional = await statusOf(
        backend.kube.custom.replaceNamespacedCustomObject({
          ...TEKTON,
          name,
          body: { apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { name }, spec: { x: 1 } },
        }),
      );
      assert.equal(unconditional.code, 422);
      assert.match(unconditional.message, /metadata\.resourceVersion: Invalid value: 0: must be specified for an update/);
      assert.ok(run.metadata.resourceVersion);
    });

    test('a write naming another UID is refused and changes nothing: merge patch 422 (uid immutable), PUT 409', async () => {
      const name = `uid-${uniqueSuffix()}`;
      await backend.kube.custom.createNamespacedCustomObject({
        ...TEKTON,
        body: { apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { name }, spec: {} },
      });
      const other = '00000000-0000-4000-8000-000000000000';
      const cancel = (target: string) =>
        backend.kube.custom.patchNamespacedCustomObject(
          { ...TEKTON, name: target, body: { metadata: { uid: other }, spec: { status: 'Cancelled' } } },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        );
      const patched = await statusOf(cancel(name));
      assert.deepEqual([patched.code, patched.reason], [422, 'Invalid']);
      assert.equal(
        patched.message,
        `PipelineRun.tekton.dev "${name}" is invalid: metadata.uid: Invalid value: "${other}": field is immutable`,
      );
      assert.equal((patched.details as { causes: { field: string }[] }).causes[0]?.field, 'metadata.uid');
      const stored = (await backend.kube.custom.getNamespacedCustomObject({ ...TEKTON, name })) as {
        metadata: { uid: string };
        spec: Record<string, unknown>;
      };
      assert.equal(stored.spec.status, undefined);
      const replaced = await statusOf(
        backend.kube.custom.replaceNamespacedCustomObject({
          ...TEKTON,
          name,
          body: { ...stored, metadata: { ...stored.metadata, uid: other }, spec: { status: 'Cancelled' } },
        }),
      );
      assert.deepEqual([replaced.code, replaced.reason], [409, 'Conflict']);
      assert.match(
        replaced.message,
        new RegExp(`Precondition failed: UID in precondition: ${other}, UID in object meta: ${stored.metadata.uid}$`),
      );
      const absent = await statusOf(cancel(`absent-${uniqueSuffix()}`));
      assert.deepEqual([absent.code, absent.reason], [404, 'NotFound']);
      const after = (await backend.kube.custom.getNamespacedCustomObject({ ...TEKTON, name })) as { spec: Record<string, unknown> };
      assert.equal(after.spec.status, undefined);
    });

    test('JobExecutor: the stored Job is the reference Job; status from the written conditions; cleanup deletes it', async () => {
      await ensureDependency(backend.kube, 'Secret', 'gitea-repo-creds');
      const request = sampleRequest({ engine: 'job', secrets: ['gitea-repo-creds'], parameters: { NAMESPACE: 'default', REPLICAS: '3' } });
      const handle = await create(jobs, request, 'wf/contract');
      const stored = await backend.kube.batch.readNamespacedJob({ name: handle.resourceName, namespace: NS });
      // The server keeps what was sent (literal reference values; the builder is compared with the original in test/vectors).
      assert.equal(stored.metadata?.labels?.['kubernaut.ai/workflow-execution'], request.workflowExecution.metadata.name);
      assert.equal(stored.metadata?.labels?.['kubernaut.ai/execution-engine'], 'job');
      const container = stored.spec?.template.spec?.containers[0];
      assert.equal(container?.image, 'quay.io/kubernaut/restart@sha256:abc123');
      assert.deepEqual(
        container?.env?.map((entry) => [entry.name, entry.value]),
        [
          ['TARGET_RESOURCE', request.workflowExecution.spec.targetResource],
          ['NAMESPACE', 'default'],
          ['REPLICAS', '3'],
          ['HOME', '/tmp'],
          ['TMPDIR', '/tmp'],
        ],
      );
      assert.ok(container?.volumeMounts?.some((mount) => mount.mountPath === '/run/kubernaut/secrets/gitea-repo-creds' && mount.readOnly));
      assert.equal(stored.spec?.activeDeadlineSeconds, 600);
      await startJob(backend.kube, NS, handle.resourceName).catch(async (error) =>
        assert.fail(`startJob: ${(error as { body?: string }).body}`),
      );
      let observed = await jobs.getStatus(request, handle);
      assert.equal(observed.kind === 'found' && observed.result.phase, 'Running');
      await finishJob(backend.kube, NS, handle.resourceName, 'failure').catch(async (error) =>
        assert.fail(`finishJob: ${(error as { body?: string }).body}`),
      );
      observed = await jobs.getStatus(request, handle);
      assert.deepEqual(observed.kind === 'found' && [observed.result.phase, observed.result.reason], ['Failed', 'BackoffLimitExceeded']);
      assert.equal((await jobs.cleanup(request, handle, { deleteResource: true, executionNamespace: NS })).resourceDeleted, true);
      assert.equal((await jobs.getStatus(request, handle)).kind, 'notFound');
    });

    test("the deterministic-name lock: adopt our own, refuse another execution's running Job, replace a finished one (#374), leave it (#383)", async () => {
      const target = `default/deployment/lock-${uniqueSuffix()}`;
      const first = sampleRequest({ engine: 'job', target });
      const handle = await create(jobs, first, 'wf/a');
      assert.equal((await create(jobs, first, 'wf/a')).resourceUid, handle.resourceUid, 'adopted');
      const second = sampleRequest({ engine: 'job', target });
      await assert.rejects(create(jobs, second, 'wf/b'), ResourceLockedError);
      const report = await jobs.cleanup(second, { ...handle, resourceUid: undefined }, { deleteResource: true, executionNamespace: NS });
      assert.equal(report.resourceDeleted, false, '#383');
      await finishJob(backend.kube, NS, handle.resourceName, 'success');
      const replaced = await create(jobs, second, 'wf/b');
      assert.notEqual(replaced.resourceUid, handle.resourceUid, '#374');
    });

    test('TektonExecutor: the stored PipelineRun is the reference one; conditions map; cancel is a merge patch the server accepts', async () => {
      await ensureDependency(backend.kube, 'ConfigMap', 'remediation-config');
      const request = sampleRequest({ engine: 'tekton', configMaps: ['remediation-config'] });
      const handle = await create(tekton, request, 'wf/contract');
      const stored = (await backend.kube.custom.getNamespacedCustomObject({ ...TEKTON, name: handle.resourceName })) as {
        spec: { pipelineRef: unknown; workspaces: unknown; timeouts: unknown };
        metadata: { labels: Record<string, string> };
      };
      assert.equal(stored.metadata.labels['kubernaut.ai/workflow-execution'], request.workflowExecution.metadata.name);
      assert.equal(stored.spec.pipelineRef && (stored.spec.pipelineRef as { resolver: string }).resolver, 'bundles');
      assert.deepEqual(stored.spec.workspaces, [{ name: 'configmap-remediation-config', configMap: { name: 'remediation-config' } }]);
      assert.deepEqual(stored.spec.timeouts, { pipeline: '10m0s' });
      await setPipelineRunCondition(backend.kube, NS, handle.resourceName, { status: 'Unknown', reason: 'Running' }, [
        { kind: 'TaskRun', name: `${handle.resourceName}-a`, pipelineTaskName: 'a' },
      ]);
      const running = await tekton.getStatus(request, handle);
      assert.deepEqual(running.kind === 'found' && [running.result.phase, running.result.reason, running.result.summary?.totalTasks], [
        'Running',
        'Running',
        1,
      ]);
      await tekton.stop(request, handle, { pipelineRunCancelMode: 'CancelledRunFinally' });
      assert.equal(
        ((await backend.kube.custom.getNamespacedCustomObject({ ...TEKTON, name: handle.resourceName })) as { spec: { status: string } })
          .spec.status,
        'CancelledRunFinally',
      );
      await setPipelineRunCondition(backend.kube, NS, handle.resourceName, {
        status: 'False',
        reason: 'Cancelled',
        message: `PipelineRun "${handle.resourceName}" was cancelled`,
      });
      const cancelled = await tekton.getStatus(request, handle);
      assert.deepEqual(cancelled.kind === 'found' && [cancelled.result.phase, cancelled.result.reason], ['Failed', 'Cancelled']);
      assert.equal((await tekton.cleanup(request, handle, { deleteResource: true, executionNamespace: NS })).resourceDeleted, true);
      assert.equal((await tekton.getStatus(request, handle)).kind, 'notFound');
    });

    test("end to end: the workflow on the real dev server creates, sees the controller's verdict, and cleans up", async () => {
      const registry = new ExecutorRegistry().register(jobs).register(tekton);
      const taskQueue = testTaskQueue(`contract-${backendName}`);
      const { worker, connection } = await createTestWorker({
        taskQueue,
        activities: createActivities({ registry, defaultExecutionNamespace: NS }),
      });
      const { client, close } = await connectTestClient();
      const running = worker.run();
      try {
        const executions = new ExecutionClient(client, { taskQueue });
        for (const engine of ['job', 'tekton'] as const) {
          const request = sampleRequest({ engine, policy: { pollInitialMs: 100, pollMaxMs: 200 } });
          const { workflowId } = await executions.startExecution(request);
          const handle = await eventually(
            async () => (await executions.getExecution(workflowId)).status?.handle,
            20_000,
            'resource created',
          );
          if (engine === 'job') await finishJob(backend.kube, NS, handle.resourceName, 'success');
          else
            await setPipelineRunCondition(backend.kube, NS, handle.resourceName, {
              status: 'True',
              reason: 'Succeeded',
              message: 'Tasks Completed: 1',
            });
          const result = await executions.waitForResult(workflowId);
          assert.equal(result.phase, 'Completed', `${engine}: ${result.reason} ${result.message}`);
          assert.equal((await (engine === 'job' ? jobs : tekton).getStatus(request, handle)).kind, 'notFound', 'cleaned up');
        }
      } finally {
        worker.shutdown();
        await running;
        await connection.close();
        await close();
      }
    });
  });
}

describe('execution pods in a namespace with a ResourceQuota (real kube-apiserver)', {
  skip: !realKubeAvailable() && 'kube-apiserver not built',
}, () => {
  test("the quota refuses the Job's pod without requests and limits and admits it with the operator's EXECUTION_POD_RESOURCES", async () => {
    const backend = await startBackend('kube-apiserver');
    const namespace = `quota-${uniqueSuffix()}`;
    try {
      await backend.kube.core.createNamespace({ body: { metadata: { name: namespace } } });
      await backend.kube.core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'kubernaut-workflow-runner' } } });
      const hard = { 'requests.cpu': '2', 'requests.memory': '2Gi', 'limits.memory': '4Gi' };
      const quota = await backend.kube.core.createNamespacedResourceQuota({
        namespace,
        body: { metadata: { name: 'compute' }, spec: { hard } },
      });
      // What the quota controller (not running beside this API server) writes first: admission enforces from then on.
      await backend.kube.core.replaceNamespacedResourceQuotaStatus({
        name: 'compute',
        namespace,
        body: { ...quota, status: { hard, used: { 'requests.cpu': '0', 'requests.memory': '0', 'limits.memory': '0' } } },
      });
      const podOf = (settings?: ExecutionPodSettings) => {
        const job = buildJob({
          request: sampleRequest({ engine: 'job' }),
          resourceName: `wfe-${uniqueSuffix()}`,
          executionNamespace: namespace,
          createdByRun: 'wf/quota',
          executionTimeoutMs: 600_000,
          ...(settings ? { podSettings: settings } : {}),
        });
        return { metadata: { name: `pod-${uniqueSuffix()}`, namespace }, spec: job.spec.template.spec } as unknown as V1Pod;
      };
      // The quota's admission answers asynchronously at first (it needs the quota's usage computed): retry until it does.
      const refused = await eventually(async () => {
        const status = await statusOf(backend.kube.core.createNamespacedPod({ namespace, body: podOf() })).catch(() => undefined);
        return status?.code === 403 ? status : undefined;
      }, 30_000);
      assert.match(refused.message, /must specify limits\.memory|must specify requests/);
      const admitted = await backend.kube.core.createNamespacedPod({
        namespace,
        body: podOf({
          resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '128Mi' } },
          nodeSelector: { 'kubernetes.io/os': 'linux' },
        }),
      });
      assert.deepEqual(admitted.spec?.nodeSelector, { 'kubernetes.io/os': 'linux' });
    } finally {
      await backend.kube.core.deleteNamespace({ name: namespace }).catch(() => undefined);
      await backend.stop();
    }
  });
});
