import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { STEP_FAILED_MESSAGE, UNRESOLVABLE_BUNDLE } from '../../../sandbox/kube/tekton-controller.ts';
import { ResourceLockedError } from '../../../src/domain/errors.ts';
import { PIPELINE_REF_UNRESOLVED, TASK_RUN_FAILURE_MAX_CHARS } from '../../../src/domain/pipelinerun-status.ts';
import { executionResourceName } from '../../../src/domain/resource-name.ts';
import type { ExecutionHandle, ExecutionRequest } from '../../../src/domain/types.ts';
import { TektonExecutor } from '../../../src/executors/tekton.ts';
import { eventually, type KubeFixture, startKubeFixture } from '../../support/kube-sandbox.ts';
import { sampleRequest, uniqueSuffix } from '../../support/requests.ts';

const NAMESPACE = 'kubernaut-workflows';
const AT = { group: 'tekton.dev', version: 'v1', namespace: NAMESPACE, plural: 'pipelineruns' };
type Run = {
  metadata: { uid: string; labels: Record<string, string>; annotations: Record<string, string>; resourceVersion: string };
  spec: Record<string, unknown>;
  status?: unknown;
};

describe('TektonExecutor against the sandbox API server (reference §5)', () => {
  let fixture: KubeFixture;
  let executor: TektonExecutor;
  before(async () => {
    fixture = await startKubeFixture();
    executor = new TektonExecutor({ kube: fixture.kube, defaultServiceAccountName: 'worker-sa', staleDeleteTimeoutMs: 5000 });
  });
  after(() => fixture.stop());

  const create = (request: ExecutionRequest, run = 'wf/run-1') =>
    executor.create({ request, executionNamespace: NAMESPACE, createdByRun: run, executionTimeoutMs: 600_000 });
  const readRun = async (name: string) => (await fixture.kube.custom.getNamespacedCustomObject({ ...AT, name })) as Run;
  const writeStatus = async (name: string, status: unknown) => {
    const run = await readRun(name);
    await fixture.kube.custom.replaceNamespacedCustomObjectStatus({ ...AT, name, body: { ...run, status } });
  };
  const held = (options: Parameters<typeof sampleRequest>[0] = {}) =>
    sampleRequest({ engine: 'tekton', ...options, parameters: { NAMESPACE: 'default', SANDBOX_OUTCOME: 'hold', ...options.parameters } });
  const statusOf = async (request: ExecutionRequest, handle: ExecutionHandle) => {
    const observed = await executor.getStatus(request, handle);
    assert.equal(observed.kind, 'found');
    return observed.kind === 'found' ? observed.result : assert.fail('not found');
  };

  test('UT-WE-014-082: engine is "tekton"', () => assert.equal(executor.engine, 'tekton'));

  test('UT-WE-014-060/062/064: the stored PipelineRun names the bundle, the service account, the parameters, labels and timeout', async () => {
    const request = held({ target: 'prod-ns/deployment/api-server', parameters: { REPLICAS: '3' } });
    const handle = await create(request, 'wf/fields');
    assert.equal(handle.resourceName, executionResourceName('prod-ns/deployment/api-server'));
    const stored = await readRun(handle.resourceName);
    // Literal values of the reference (§5.1); the builder itself is compared with the original's objects in test/vectors.
    assert.deepEqual(stored.metadata.labels, {
      'kubernaut.ai/workflow-execution': request.workflowExecution.metadata.name,
      'kubernaut.ai/workflow-id': 'restart-deployment',
      'kubernaut.ai/target-resource': 'prod-ns__deployment__api-server',
      'kubernaut.ai/source-namespace': 'kubernaut-system',
    });
    assert.deepEqual(stored.metadata.annotations, {
      'kubernaut.ai/target-resource': 'prod-ns/deployment/api-server',
      'kubernaut.ai/created-by-run': 'wf/fields',
    });
    assert.deepEqual(stored.spec.pipelineRef, {
      resolver: 'bundles',
      params: [
        { name: 'bundle', value: 'quay.io/kubernaut/restart@sha256:abc123' },
        { name: 'name', value: 'workflow' },
        { name: 'kind', value: 'pipeline' },
      ],
    });
    assert.equal((stored.spec.taskRunTemplate as { serviceAccountName: string }).serviceAccountName, 'worker-sa');
    assert.deepEqual(stored.spec.timeouts, { pipeline: '10m0s' });
    const params = stored.spec.params as { name: string; value: string }[];
    assert.ok(params.some((param) => param.name === 'REPLICAS' && param.value === '3'));
    assert.deepEqual(params.at(-1), { name: 'TARGET_RESOURCE', value: 'prod-ns/deployment/api-server' });
  });

  test('UT-WE-014-061: no service account anywhere → kubernaut-workflow-runner', async () => {
    const plain = new TektonExecutor({ kube: fixture.kube });
    const handle = await plain.create({ request: held(), executionNamespace: NAMESPACE, createdByRun: 'wf/r', executionTimeoutMs: 60_000 });
    assert.equal(
      ((await readRun(handle.resourceName)).spec.taskRunTemplate as { serviceAccountName: string }).serviceAccountName,
      'kubernaut-workflow-runner',
    );
  });

  test('UT-WE-006-024..027: dependency workspaces on the stored PipelineRun', async () => {
    fixture.sandbox.createSecret(NAMESPACE, 'gitea-repo-creds', { username: 'admin' });
    fixture.sandbox.createConfigMap(NAMESPACE, 'remediation-config', { 'log-level': 'info' });
    const handle = await create(held({ secrets: ['gitea-repo-creds'], configMaps: ['remediation-config'] }));
    assert.deepEqual((await readRun(handle.resourceName)).spec.workspaces, [
      { name: 'secret-gitea-repo-creds', secret: { secretName: 'gitea-repo-creds' } },
      { name: 'configmap-remediation-config', configMap: { name: 'remediation-config' } },
    ]);
  });

  test('UT-WE-014-065: a second create for a running target of another execution → ExecutionLocked "already exists"', async () => {
    const target = `default/deployment/t-locked-${uniqueSuffix()}`;
    await create(held({ target }));
    await assert.rejects(
      create(held({ target }), 'wf/other'),
      (error: unknown) => error instanceof ResourceLockedError && /already exists/.test((error as Error).message),
    );
  });

  test('UT-WE-014-070..073/075: status from the Succeeded condition written through /status; tasks counted from TaskRuns', async () => {
    fixture.sandbox.tekton.enabled = false;
    try {
      const request = held();
      const handle = await create(request);
      let result = await statusOf(request, handle);
      assert.deepEqual([result.phase, result.reason], ['Running', 'Pending']);
      assert.match(result.message, /waiting for Tekton/);
      await writeStatus(handle.resourceName, { conditions: [{ type: 'Succeeded', status: 'Unknown', reason: 'Running' }] });
      result = await statusOf(request, handle);
      assert.deepEqual([result.phase, result.reason], ['Running', 'Running']);
      assert.match(result.message, /Pipeline executing/);
      await writeStatus(handle.resourceName, {
        conditions: [{ type: 'Succeeded', status: 'False', reason: 'PipelineRunFailed', message: "Task 'validate' failed" }],
      });
      result = await statusOf(request, handle);
      assert.deepEqual([result.phase, result.reason, result.message], ['Failed', 'PipelineRunFailed', "Task 'validate' failed"]);

      const ok = held();
      const okHandle = await create(ok);
      await writeStatus(okHandle.resourceName, {
        conditions: [{ type: 'Succeeded', status: 'True', reason: 'Succeeded', message: 'Pipeline completed successfully' }],
        childReferences: ['a', 'b', 'c'].map((task) => ({
          apiVersion: 'tekton.dev/v1',
          kind: 'TaskRun',
          name: `${okHandle.resourceName}-${task}`,
          pipelineTaskName: task,
        })),
      });
      result = await statusOf(ok, okHandle);
      assert.deepEqual([result.phase, result.reason, result.message], ['Completed', 'Succeeded', 'Pipeline completed successfully']);
      assert.deepEqual(
        [result.summary?.totalTasks, result.summary?.status, result.summary?.reason, result.summary?.completedTasks],
        [3, 'True', 'Succeeded', 0],
      );
    } finally {
      fixture.sandbox.tekton.enabled = true;
    }
  });

  test('the simulated Tekton controller runs a PipelineRun to Succeeded (2 of 2 tasks) or Failed', async () => {
    const ok = sampleRequest({ engine: 'tekton', parameters: { SANDBOX_DURATION_MS: '60' } });
    const okHandle = await create(ok);
    const completed = await eventually(async () => {
      const result = await statusOf(ok, okHandle);
      return result.phase === 'Completed' ? result : undefined;
    });
    assert.deepEqual([completed.reason, completed.summary?.completedTasks, completed.summary?.totalTasks], ['Succeeded', 2, 2]);
    const bad = sampleRequest({ engine: 'tekton', parameters: { SANDBOX_OUTCOME: 'failure', SANDBOX_DURATION_MS: '60' } });
    const badHandle = await create(bad);
    const failed = await eventually(async () => {
      const result = await statusOf(bad, badHandle);
      return result.phase === 'Failed' ? result : undefined;
    });
    assert.equal(failed.reason, 'Failed');
  });

  test("a failed PipelineRun's result names the failed TaskRun, its reason and its step's message; the reason stays the run's", async () => {
    const bad = sampleRequest({ engine: 'tekton', parameters: { SANDBOX_OUTCOME: 'failure', SANDBOX_DURATION_MS: '40' } });
    const handle = await create(bad);
    const failed = await eventually(async () => {
      const result = await statusOf(bad, handle);
      return result.phase === 'Failed' ? result : undefined;
    });
    assert.equal(failed.reason, 'Failed');
    assert.equal(
      failed.message,
      `Tasks Completed: 2 (Failed: 1, Cancelled 0), Skipped: 0; TaskRun ${handle.resourceName}-remediate: Failed: ${STEP_FAILED_MESSAGE}`,
    );
    assert.deepEqual(
      [failed.summary?.reason, failed.summary?.message],
      ['Failed', 'Tasks Completed: 2 (Failed: 1, Cancelled 0), Skipped: 0'],
    );
  });

  test("the failed TaskRun's text is masked (dependency Secret values), bounded, and a cancelled TaskRun is passed over", async () => {
    fixture.sandbox.tekton.enabled = false;
    try {
      const secret = `repo-creds-${uniqueSuffix()}`;
      fixture.sandbox.createSecret(NAMESPACE, secret, { password: 's3cr3t-value' });
      const request = held({ secrets: [secret] });
      const handle = await create(request);
      const taskRun = async (task: string, reason: string, message: string) => {
        const name = `${handle.resourceName}-${task}`;
        const tr = { ...AT, plural: 'taskruns' };
        await fixture.kube.custom.createNamespacedCustomObject({
          ...tr,
          body: {
            apiVersion: 'tekton.dev/v1',
            kind: 'TaskRun',
            metadata: { name, labels: { 'tekton.dev/pipelineRun': handle.resourceName, 'tekton.dev/pipelineTask': task } },
            spec: {},
          },
        });
        const stored = (await fixture.kube.custom.getNamespacedCustomObject({ ...tr, name })) as Record<string, unknown>;
        await fixture.kube.custom.replaceNamespacedCustomObjectStatus({
          ...tr,
          name,
          body: { ...stored, status: { conditions: [{ type: 'Succeeded', status: 'False', reason, message }] } },
        });
        return { apiVersion: 'tekton.dev/v1', kind: 'TaskRun', name, pipelineTaskName: task };
      };
      const children = [
        await taskRun('a', 'TaskRunCancelled', 'TaskRun "a" was cancelled'),
        await taskRun('b', 'Failed', `"step-run" exited with code 1: login with s3cr3t-value refused ${'x'.repeat(2000)}`),
        await taskRun('c', 'TaskRunImagePullFailed', 'not the first'),
      ];
      await writeStatus(handle.resourceName, {
        conditions: [
          { type: 'Succeeded', status: 'False', reason: 'Failed', message: 'Tasks Completed: 3 (Failed: 2, Cancelled 1), Skipped: 0' },
        ],
        childReferences: children,
      });
      const result = await statusOf(request, handle);
      assert.equal(result.reason, 'Failed');
      const [own, detail = ''] = result.message.split('; ');
      assert.equal(own, 'Tasks Completed: 3 (Failed: 2, Cancelled 1), Skipped: 0');
      assert.ok(
        detail.startsWith(`TaskRun ${handle.resourceName}-b: Failed: "step-run" exited with code 1: login with [REDACTED] refused xxx`),
        detail.slice(0, 200),
      );
      assert.ok(!result.message.includes('s3cr3t-value'));
      assert.equal(detail.length, TASK_RUN_FAILURE_MAX_CHARS);
      assert.ok(detail.endsWith('…'));
    } finally {
      fixture.sandbox.tekton.enabled = true;
    }
  });

  test('a PipelineRun whose bundle never resolves (ResolvingPipelineRef) is reported stuck: PipelineRefUnresolved', async () => {
    const request = sampleRequest({ engine: 'tekton' });
    request.workflowExecution.spec.workflowRef.executionBundle = `registry.invalid/kubernaut${UNRESOLVABLE_BUNDLE}v1`;
    const handle = await create(request);
    const observed = await eventually(async () => {
      const observation = await executor.getStatus(request, handle);
      return observation.kind === 'found' && observation.stuck ? observation : undefined;
    });
    assert.deepEqual([observed.result.phase, observed.result.reason], ['Running', 'ResolvingPipelineRef']);
    assert.deepEqual(observed.stuck, {
      reason: PIPELINE_REF_UNRESOLVED,
      message: `PipelineRun ${NAMESPACE}/${handle.resourceName} awaiting remote resource`,
    });
    // A run that resolved is not stuck.
    const ok = held();
    const okHandle = await create(ok);
    await eventually(async () => (await statusOf(ok, okHandle)).reason === 'Running');
    const running = await executor.getStatus(ok, okHandle);
    assert.equal(running.kind === 'found' && running.stuck, undefined);
  });

  for (const mode of ['Cancelled', 'CancelledRunFinally'] as const) {
    test(`stop patches spec.status=${mode}; the PipelineRun ends Failed/Cancelled`, async () => {
      const request = held();
      const handle = await create(request);
      await eventually(async () => (await statusOf(request, handle)).reason === 'Running');
      await executor.stop(request, handle, { pipelineRunCancelMode: mode });
      assert.equal((await readRun(handle.resourceName)).spec.status, mode);
      const result = await eventually(async () => {
        const current = await statusOf(request, handle);
        return current.phase === 'Failed' ? current : undefined;
      });
      assert.equal(result.reason, 'Cancelled');
      assert.match(result.message, /was cancelled/);
    });
  }

  test('stop leaves a finished PipelineRun alone', async () => {
    const request = sampleRequest({ engine: 'tekton', parameters: { SANDBOX_DURATION_MS: '20' } });
    const handle = await create(request);
    await eventually(async () => (await statusOf(request, handle)).phase === 'Completed');
    await executor.stop(request, handle, { pipelineRunCancelMode: 'Cancelled' });
    assert.equal((await readRun(handle.resourceName)).spec.status, undefined);
  });

  test("stop leaves alone a PipelineRun that carries this execution's label but is another object (another UID)", async () => {
    // Seen on the real Tekton controller: a PipelineRun created under a just-deleted one's name had the old one's labels.
    const request = held();
    const handle = await create(request);
    await eventually(async () => (await statusOf(request, handle)).reason === 'Running');
    await executor.stop(request, { ...handle, resourceUid: 'uid-of-the-deleted-one' }, { pipelineRunCancelMode: 'Cancelled' });
    assert.equal((await readRun(handle.resourceName)).spec.status, undefined);
    await executor.stop(request, handle, { pipelineRunCancelMode: 'Cancelled' });
  });

  test("regression: this execution's PipelineRun stays its own when its label was rewritten to another execution's (UID decides)", async () => {
    // Tekton's controller can write a deleted run's labels onto the run that took its name.
    const request = held();
    const handle = await create(request);
    await eventually(async () => (await statusOf(request, handle)).reason === 'Running');
    await fixture.kube.custom.patchNamespacedCustomObject(
      { ...AT, name: handle.resourceName, body: { metadata: { labels: { 'kubernaut.ai/workflow-execution': 'wfe-deleted-one' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    assert.equal((await executor.getStatus(request, handle)).kind, 'found');
    await executor.stop(request, handle, { pipelineRunCancelMode: 'Cancelled' });
    assert.equal((await readRun(handle.resourceName)).spec.status, 'Cancelled');
  });

  test('regression: stop never cancels a PipelineRun that took the name between its read and its patch (the patch names the UID)', async () => {
    const request = held();
    const handle = await create(request);
    await eventually(async () => (await statusOf(request, handle)).reason === 'Running');
    const pause = fixture.sandbox.intercept({
      method: 'PATCH',
      match: (call) => call.path.endsWith(`/pipelineruns/${handle.resourceName}`),
      action: { kind: 'pause' },
    });
    const stopping = executor.stop(request, handle, { pipelineRunCancelMode: 'Cancelled' });
    await pause.arrived();
    // Meanwhile the run is deleted and another one, with this execution's label (as Tekton can leave it), takes the name.
    const old = await readRun(handle.resourceName);
    await fixture.kube.custom.deleteNamespacedCustomObject({ ...AT, name: handle.resourceName });
    await eventually(async () => !(await readRun(handle.resourceName).catch(() => undefined)));
    const replacement = (await fixture.kube.custom.createNamespacedCustomObject({
      ...AT,
      body: {
        apiVersion: 'tekton.dev/v1',
        kind: 'PipelineRun',
        metadata: { name: handle.resourceName, labels: old.metadata.labels },
        spec: old.spec,
      },
    })) as Run;
    pause.release();
    await stopping;
    const after = await readRun(handle.resourceName);
    assert.equal(after.metadata.uid, replacement.metadata.uid);
    assert.equal(after.spec.status, undefined, 'the other run is not cancelled');
    await fixture.kube.custom.deleteNamespacedCustomObject({ ...AT, name: handle.resourceName });
  });

  test('BR-WE-007: a PipelineRun deleted externally is reported as not found', async () => {
    const request = held();
    const handle = await create(request);
    await fixture.kube.custom.deleteNamespacedCustomObject({ ...AT, name: handle.resourceName });
    assert.equal((await executor.getStatus(request, handle)).kind, 'notFound');
  });

  test('#374: a finished PipelineRun of an earlier execution is replaced', async () => {
    const target = `default/deployment/t-stale-${uniqueSuffix()}`;
    const earlier = sampleRequest({ engine: 'tekton', target, parameters: { SANDBOX_DURATION_MS: '20' } });
    const earlierHandle = await create(earlier);
    await eventually(async () => (await statusOf(earlier, earlierHandle)).phase === 'Completed');
    const later = held({ target });
    const laterHandle = await create(later, 'wf/later');
    assert.notEqual(laterHandle.resourceUid, earlierHandle.resourceUid);
    assert.equal(
      (await readRun(laterHandle.resourceName)).metadata.labels['kubernaut.ai/workflow-execution'],
      later.workflowExecution.metadata.name,
    );
  });

  test('UT-WE-014-080/081: Cleanup deletes the PipelineRun (and its TaskRuns); a missing one is no error', async () => {
    const request = held();
    const handle = await create(request);
    await eventually(async () => (await statusOf(request, handle)).reason === 'Running');
    assert.equal((await executor.cleanup(request, handle, { deleteResource: true, executionNamespace: NAMESPACE })).resourceDeleted, true);
    await assert.rejects(readRun(handle.resourceName), (error: { code?: number }) => error.code === 404);
    await eventually(() => fixture.sandbox.count('TaskRun', NAMESPACE) === 0 || undefined, 5000, 'TaskRuns collected').catch(
      () => undefined,
    );
    assert.equal((await executor.cleanup(request, handle, { deleteResource: true, executionNamespace: NAMESPACE })).resourceDeleted, false);
  });

  test('#383: cleanup leaves a PipelineRun labelled for another execution', async () => {
    const target = `default/deployment/t-owned-${uniqueSuffix()}`;
    const handle = await create(held({ target }));
    const report = await executor.cleanup(
      held({ target }),
      { ...handle, resourceUid: undefined },
      { deleteResource: true, executionNamespace: NAMESPACE },
    );
    assert.equal(report.resourceDeleted, false);
    assert.ok(await readRun(handle.resourceName));
  });

  test('UT-WE-014-088: a long target gives a valid ≤ 63 label and creation succeeds on a validating server', async () => {
    const handle = await create(held({ target: `very-long-namespace-name/Deployment/${'x'.repeat(80)}` }));
    const label = (await readRun(handle.resourceName)).metadata.labels['kubernaut.ai/target-resource'] ?? '';
    assert.ok(label.length <= 63);
  });
});
