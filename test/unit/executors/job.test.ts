import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { V1Job } from '@kubernetes/client-node';
import { ResourceLockedError } from '../../../src/domain/errors.ts';
import { buildJob } from '../../../src/domain/manifests.ts';
import { executionResourceName } from '../../../src/domain/resource-name.ts';
import type { ExecutionHandle, ExecutionRequest } from '../../../src/domain/types.ts';
import { JobExecutor } from '../../../src/executors/job.ts';
import { eventually, type KubeFixture, startKubeFixture } from '../../support/kube-sandbox.ts';
import { sampleRequest, uniqueSuffix } from '../../support/requests.ts';

const NAMESPACE = 'kubernaut-workflows';

describe('JobExecutor against the sandbox API server (reference §4)', () => {
  let fixture: KubeFixture;
  let executor: JobExecutor;
  before(async () => {
    fixture = await startKubeFixture();
    executor = new JobExecutor({ kube: fixture.kube, defaultServiceAccountName: 'worker-sa', staleDeleteTimeoutMs: 5000 });
  });
  after(() => fixture.stop());

  const create = (request: ExecutionRequest, run = 'wf/run-1') =>
    executor.create({ request, executionNamespace: NAMESPACE, createdByRun: run, executionTimeoutMs: 600_000 });
  const readJob = (name: string) => fixture.kube.batch.readNamespacedJob({ name, namespace: NAMESPACE });
  /** Writes a Job status through the /status subresource, as the Job controller does. */
  const writeStatus = async (name: string, status: V1Job['status']) => {
    const job = await readJob(name);
    await fixture.kube.batch.replaceNamespacedJobStatus({ name, namespace: NAMESPACE, body: { ...job, status } });
  };
  const held = (options: Parameters<typeof sampleRequest>[0] = {}) =>
    sampleRequest({ engine: 'job', ...options, parameters: { NAMESPACE: 'default', SANDBOX_OUTCOME: 'hold', ...options.parameters } });

  test('UT-WE-014-050: engine is "job"', () => assert.equal(executor.engine, 'job'));

  test('requests reuse TLS connections (client-node alone opened one per request)', async () => {
    const request = held();
    const handle = await create(request);
    const before = fixture.sandbox.tlsConnections;
    for (let index = 0; index < 40; index++) await executor.getStatus(request, handle);
    assert.ok(
      fixture.sandbox.tlsConnections - before <= 2,
      `${fixture.sandbox.tlsConnections - before} new TLS connections for 40 status reads`,
    );
  });

  test('UT-WE-014-020: Create returns the wfe- name and the Job exists with the reference shape', async () => {
    const request = held();
    const handle = await create(request);
    const name = executionResourceName(request.workflowExecution.spec.targetResource);
    assert.equal(handle.resourceName, name);
    assert.match(handle.resourceName, /^wfe-[0-9a-f]{16}$/);
    const job = await readJob(name);
    const pod = job.spec?.template.spec;
    assert.equal(pod?.containers.length, 1);
    assert.equal(pod?.containers[0]?.image, 'quay.io/kubernaut/restart@sha256:abc123');
    assert.equal(pod?.serviceAccountName, 'worker-sa');
    assert.equal(pod?.restartPolicy, 'Never');
    assert.equal(job.metadata?.labels?.['kubernaut.ai/workflow-execution'], request.workflowExecution.metadata.name);
    assert.equal(job.metadata?.labels?.['kubernaut.ai/execution-engine'], 'job');
    const env = pod?.containers[0]?.env ?? [];
    assert.deepEqual({ ...env[0] }, { name: 'TARGET_RESOURCE', value: request.workflowExecution.spec.targetResource });
    assert.ok(env.some((entry) => entry.name === 'NAMESPACE' && entry.value === 'default'));
    assert.equal(handle.resourceUid, job.metadata?.uid);
  });

  test('the Job stored on the API server: lock labels, run annotation, limits, dependency volumes read-only', async () => {
    const request = held({ secrets: ['gitea-repo-creds'], configMaps: ['remediation-config'] });
    fixture.sandbox.createSecret(NAMESPACE, 'gitea-repo-creds', { username: 'admin' });
    fixture.sandbox.createConfigMap(NAMESPACE, 'remediation-config', { 'log-level': 'info' });
    const handle = await create(request, 'wf/run-fields');
    const stored = await readJob(handle.resourceName);
    const target = request.workflowExecution.spec.targetResource;
    // Literal values of the reference (§4.1); the builder itself is compared with the original's objects in test/vectors.
    assert.equal(stored.metadata?.labels?.['kubernaut.ai/workflow-execution'], request.workflowExecution.metadata.name);
    assert.equal(stored.metadata?.labels?.['kubernaut.ai/execution-engine'], 'job');
    assert.equal(stored.metadata?.labels?.['kubernaut.ai/target-resource'], target.replaceAll('/', '__'));
    assert.deepEqual(stored.metadata?.annotations, {
      'kubernaut.ai/target-resource': target,
      'kubernaut.ai/created-by-run': 'wf/run-fields',
    });
    assert.equal(stored.spec?.backoffLimit, 0);
    assert.equal(stored.spec?.ttlSecondsAfterFinished, 7 * 86_400);
    assert.equal(stored.spec?.activeDeadlineSeconds, 600);
    const storedPod = stored.spec?.template.spec;
    assert.equal(storedPod?.serviceAccountName, 'worker-sa');
    assert.equal(storedPod?.containers[0]?.image, 'quay.io/kubernaut/restart@sha256:abc123');
    // UT-WE-006-022: both dependencies → two dependency volumes and mounts.
    assert.deepEqual(
      storedPod?.volumes?.filter((volume) => volume.name !== 'tmp').map((volume) => volume.name),
      ['secret-gitea-repo-creds', 'configmap-remediation-config'],
    );
    assert.deepEqual(
      storedPod?.containers[0]?.volumeMounts?.filter((mount) => mount.name !== 'tmp').map((mount) => [mount.mountPath, mount.readOnly]),
      [
        ['/run/kubernaut/secrets/gitea-repo-creds', true],
        ['/run/kubernaut/configmaps/remediation-config', true],
      ],
    );
  });

  test('UT-WE-014-021: no service account anywhere → kubernaut-workflow-runner', async () => {
    const plain = new JobExecutor({ kube: fixture.kube });
    const request = held();
    const handle = await plain.create({ request, executionNamespace: NAMESPACE, createdByRun: 'wf/r', executionTimeoutMs: 60_000 });
    assert.equal((await readJob(handle.resourceName)).spec?.template.spec?.serviceAccountName, 'kubernaut-workflow-runner');
  });

  test('UT-WE-014-030/031/032: status from the Job conditions written through /status', async () => {
    fixture.sandbox.jobs.enabled = false;
    try {
      const request = held();
      const handle = await create(request);
      const startTime = new Date(); // immutable once set, as on Kubernetes
      await writeStatus(handle.resourceName, { active: 1, startTime });
      let observed = await executor.getStatus(request, handle);
      assert.equal(observed.kind === 'found' && observed.result.phase, 'Running');
      await writeStatus(handle.resourceName, {
        startTime,
        completionTime: new Date(),
        succeeded: 1,
        conditions: [
          { type: 'SuccessCriteriaMet', status: 'True', reason: 'CompletionsReached' },
          { type: 'Complete', status: 'True', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' },
        ],
      });
      observed = await executor.getStatus(request, handle);
      assert.deepEqual(observed.kind === 'found' && [observed.result.phase, observed.result.reason], ['Completed', 'Complete']);

      const failing = held();
      const failingHandle = await create(failing);
      await writeStatus(failingHandle.resourceName, {
        startTime: new Date(),
        failed: 1,
        conditions: [
          { type: 'FailureTarget', status: 'True', reason: 'BackoffLimitExceeded' },
          { type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' },
        ],
      });
      observed = await executor.getStatus(failing, failingHandle);
      assert.deepEqual(observed.kind === 'found' && [observed.result.phase, observed.result.reason], ['Failed', 'BackoffLimitExceeded']);
    } finally {
      fixture.sandbox.jobs.enabled = true;
    }
  });

  test('IT-WE-014-001/002: the simulated controller completes a Job, or fails it by the sandbox convention', async () => {
    const ok = sampleRequest({ engine: 'job', parameters: { SANDBOX_DURATION_MS: '50' } });
    const okHandle = await create(ok);
    const completed = await eventually(async () => {
      const observed = await executor.getStatus(ok, okHandle);
      return observed.kind === 'found' && observed.result.phase === 'Completed' ? observed.result : undefined;
    });
    assert.equal(completed.reason, 'Complete');
    assert.equal(completed.summary?.status, 'True');
    const bad = sampleRequest({ engine: 'job', parameters: { SANDBOX_OUTCOME: 'failure', SANDBOX_DURATION_MS: '50' } });
    const badHandle = await create(bad);
    const failed = await eventually(async () => {
      const observed = await executor.getStatus(bad, badHandle);
      return observed.kind === 'found' && observed.result.phase === 'Failed' ? observed.result : undefined;
    });
    assert.equal(failed.reason, 'BackoffLimitExceeded');
  });

  test('§9.2 item 17: the sandbox enforces activeDeadlineSeconds → Failed DeadlineExceeded', async () => {
    const request = held();
    const handle = await executor.create({ request, executionNamespace: NAMESPACE, createdByRun: 'wf/r', executionTimeoutMs: 1000 });
    const failed = await eventually(async () => {
      const observed = await executor.getStatus(request, handle);
      return observed.kind === 'found' && observed.result.phase === 'Failed' ? observed.result : undefined;
    }, 5000);
    assert.equal(failed.reason, 'DeadlineExceeded');
  });

  test('BR-WE-007: a Job deleted externally is reported as not found', async () => {
    const request = held();
    const handle = await create(request);
    await fixture.kube.batch.deleteNamespacedJob({ name: handle.resourceName, namespace: NAMESPACE, propagationPolicy: 'Background' });
    const observed = await executor.getStatus(request, handle);
    assert.equal(observed.kind, 'notFound');
    assert.match(observed.kind === 'notFound' ? observed.message : '', /deleted externally/);
  });

  test('a retried create of the same run adopts its own Job: one create, same UID', async () => {
    const request = held();
    const first = await create(request, 'wf/run-a');
    const second = await create(request, 'wf/run-a');
    assert.equal(second.resourceUid, first.resourceUid);
    assert.equal(fixture.sandbox.createCount('Job', NAMESPACE, first.resourceName), 1);
  });

  test('UT-WE-014-065 / IT-WE-014-016: a running Job of another execution locks the target → ExecutionLocked "already exists"', async () => {
    const target = `default/deployment/locked-${uniqueSuffix()}`;
    await create(held({ target }));
    await assert.rejects(create(held({ target }), 'wf/other'), (error: unknown) => {
      assert.ok(error instanceof ResourceLockedError);
      assert.match((error as Error).message, /already exists \(target resource locked\)/);
      return true;
    });
  });

  test('#374: a completed Job of an earlier execution is deleted for real, waited for, and replaced', async () => {
    const target = `default/deployment/stale-${uniqueSuffix()}`;
    const earlier = sampleRequest({ engine: 'job', target, parameters: { SANDBOX_DURATION_MS: '20' } });
    const earlierHandle = await create(earlier, 'wf/earlier');
    await eventually(async () => {
      const observed = await executor.getStatus(earlier, earlierHandle);
      return observed.kind === 'found' && observed.result.phase === 'Completed';
    });
    fixture.sandbox.store.gcDelayMs = 200; // the old Job stays visible for a while, as under GC
    const later = held({ target });
    const laterHandle = await create(later, 'wf/later');
    fixture.sandbox.store.gcDelayMs = 30;
    assert.notEqual(laterHandle.resourceUid, earlierHandle.resourceUid);
    const job = await readJob(laterHandle.resourceName);
    assert.equal(job.metadata?.labels?.['kubernaut.ai/workflow-execution'], later.workflowExecution.metadata.name);
    assert.equal(fixture.sandbox.createCount('Job', NAMESPACE, laterHandle.resourceName), 2);
  });

  test('a rerun of the same execution (another run) replaces its finished Job and adopts a running one', async () => {
    const request = sampleRequest({ engine: 'job', parameters: { SANDBOX_DURATION_MS: '20' } });
    const first = await create(request, 'wf/run-1');
    await eventually(async () => {
      const observed = await executor.getStatus(request, first);
      return observed.kind === 'found' && observed.result.phase === 'Completed';
    });
    const rerun = await create(request, 'wf/run-2');
    assert.notEqual(rerun.resourceUid, first.resourceUid);
    const running = held();
    const runningFirst = await create(running, 'wf/run-1');
    const takeover = await create(running, 'wf/run-2');
    assert.equal(takeover.resourceUid, runningFirst.resourceUid);
  });

  test('UT-WE-014-040: Cleanup deletes the Job at the deterministic name', async () => {
    const request = held();
    const handle = await create(request);
    const report = await executor.cleanup(request, handle, { deleteResource: true, executionNamespace: NAMESPACE });
    assert.equal(report.resourceDeleted, true);
    await assert.rejects(readJob(handle.resourceName), (error: { code?: number }) => error.code === 404);
  });

  test('cleanup works by key when no handle reached the workflow', async () => {
    const request = held();
    const handle = await create(request);
    const report = await executor.cleanup(request, undefined, { deleteResource: true, executionNamespace: NAMESPACE });
    assert.equal(report.resourceDeleted, true);
    await assert.rejects(readJob(handle.resourceName), (error: { code?: number }) => error.code === 404);
  });

  test('UT-WE-014-041: Cleanup when the Job does not exist → no error', async () => {
    const request = held();
    const handle: ExecutionHandle = {
      engine: 'job',
      executionNamespace: NAMESPACE,
      resourceName: executionResourceName(request.workflowExecution.spec.targetResource),
    };
    const report = await executor.cleanup(request, handle, { deleteResource: true, executionNamespace: NAMESPACE });
    assert.equal(report.resourceDeleted, false);
  });

  test('#383: cleanup leaves a Job labelled for another execution', async () => {
    const target = `default/deployment/owned-${uniqueSuffix()}`;
    const owner = held({ target });
    const handle = await create(owner);
    const other = held({ target });
    const report = await executor.cleanup(
      other,
      { ...handle, resourceUid: undefined },
      { deleteResource: true, executionNamespace: NAMESPACE },
    );
    assert.equal(report.resourceDeleted, false);
    assert.match(report.note ?? '', /#383/);
    assert.equal((await readJob(handle.resourceName)).metadata?.uid, handle.resourceUid);
  });

  test("regression: this execution's Job stays its own when its label was rewritten to another execution's (UID decides)", async () => {
    const request = held();
    const handle = await create(request);
    const job = await readJob(handle.resourceName);
    await fixture.kube.batch.replaceNamespacedJob({
      name: handle.resourceName,
      namespace: NAMESPACE,
      body: { ...job, metadata: { ...job.metadata, labels: { ...job.metadata?.labels, 'kubernaut.ai/workflow-execution': 'wfe-other' } } },
    });
    assert.equal((await executor.getStatus(request, handle)).kind, 'found');
    // Another object under our label: not ours.
    assert.equal((await executor.getStatus(request, { ...handle, resourceUid: 'uid-of-the-deleted-one' })).kind, 'notFound');
  });

  test('cleanup never deletes a newer Job of the same name (UID precondition)', async () => {
    const request = held();
    const handle = await create(request);
    const report = await executor.cleanup(
      request,
      { ...handle, resourceUid: 'some-older-uid' },
      { deleteResource: true, executionNamespace: NAMESPACE },
    );
    assert.equal(report.resourceDeleted, false);
    assert.equal((await readJob(handle.resourceName)).metadata?.uid, handle.resourceUid);
  });

  test('keepFinishedResource: cleanup leaves the Job', async () => {
    const request = held();
    const handle = await create(request);
    const report = await executor.cleanup(request, handle, { deleteResource: false, executionNamespace: NAMESPACE });
    assert.equal(report.resourceDeleted, false);
    assert.ok(await readJob(handle.resourceName));
  });

  test('stop deletes a running Job with Background propagation: its pods go too', async () => {
    const request = held();
    const handle = await create(request);
    const selector = `batch.kubernetes.io/controller-uid=${handle.resourceUid}`;
    await eventually(
      async () => (await fixture.kube.core.listNamespacedPod({ namespace: NAMESPACE, labelSelector: selector })).items.length === 1,
    );
    await executor.stop(request, handle, { pipelineRunCancelMode: 'Cancelled' });
    await assert.rejects(readJob(handle.resourceName), (error: { code?: number }) => error.code === 404);
    await eventually(
      async () => (await fixture.kube.core.listNamespacedPod({ namespace: NAMESPACE, labelSelector: selector })).items.length === 0,
      5000,
      'pods deleted',
    );
  });

  for (const [label, options, reason, pattern] of [
    ['ImagePullBackOff', { parameters: { SANDBOX_OUTCOME: 'image-pull-backoff' } }, 'ImagePullBackOff', /Back-off pulling image/],
    ['CreateContainerConfigError', { parameters: { SANDBOX_OUTCOME: 'config-error' } }, 'CreateContainerConfigError', /couldn't find key/],
    [
      'a dependency Secret deleted after the create (FailedMount)',
      { secrets: ['deleted-later'] },
      'FailedMount',
      /secret "deleted-later" not found/,
    ],
  ] as const) {
    test(`reports a pod stuck with ${label} (reason and message) without failing: the workflow decides after a grace period`, async () => {
      const request = sampleRequest({ engine: 'job', ...options });
      // Created directly (the executor's own create refuses a missing dependency before creating anything).
      const name = `stuck-${uniqueSuffix()}`;
      const created = await fixture.kube.batch.createNamespacedJob({
        namespace: NAMESPACE,
        body: buildJob({
          request,
          resourceName: name,
          executionNamespace: NAMESPACE,
          createdByRun: 'wf/run',
          executionTimeoutMs: 600_000,
        }) as V1Job,
      });
      const handle = {
        engine: 'job' as const,
        executionNamespace: NAMESPACE,
        resourceName: name,
        resourceUid: created.metadata?.uid ?? '',
      };
      const stuck = await eventually(async () => {
        const observed = await executor.getStatus(request, handle);
        return observed.kind === 'found' && observed.stuck ? { ...observed.stuck, phase: observed.result.phase } : undefined;
      });
      assert.deepEqual([stuck.phase, stuck.reason], ['Running', reason]);
      assert.match(stuck.message, pattern);
    });
  }

  test('regression: an auxiliary read refused (403 listing pods) never fails a running execution', async () => {
    const request = sampleRequest({ engine: 'job', parameters: { SANDBOX_OUTCOME: 'image-pull-backoff' } });
    const handle = await create(request);
    await eventually(async () => {
      const observed = await executor.getStatus(request, handle);
      return observed.kind === 'found' && observed.stuck !== undefined;
    });
    const refusal = fixture.sandbox.intercept({
      method: 'GET',
      match: (call) => call.path.endsWith('/pods'),
      action: { kind: 'status', status: 403 },
      times: Number.POSITIVE_INFINITY,
    });
    try {
      const observed = await executor.getStatus(request, handle);
      assert.equal(observed.kind, 'found');
      assert.equal(observed.kind === 'found' ? observed.result.phase : '', 'Running');
    } finally {
      refusal.remove();
    }
  });

  test('a missing dependency Secret or ConfigMap fails the create at once, naming it; nothing is created', async () => {
    for (const [options, pattern] of [
      [{ secrets: ['no-such-secret'] }, /dependency Secret "no-such-secret" not found/],
      [{ configMaps: ['no-such-configmap'] }, /dependency ConfigMap "no-such-configmap" not found/],
    ] as const) {
      const request = sampleRequest({ engine: 'job', ...options });
      await assert.rejects(create(request), (error: Error & { type?: string; retryable?: boolean }) => {
        assert.equal(error.type, 'ConfigurationError');
        assert.equal(error.retryable, false);
        assert.match(error.message, pattern);
        return true;
      });
      await assert.rejects(
        readJob(executionResourceName(request.workflowExecution.spec.targetResource)),
        (error: { code?: number }) => error.code === 404,
      );
    }
  });
});
