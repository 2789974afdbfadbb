import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildJob, buildPipelineRun, type ManifestInput } from '../../../src/domain/manifests.ts';
import { executionResourceName } from '../../../src/domain/resource-name.ts';
import type { ExecutionRequest } from '../../../src/domain/types.ts';
import { sampleRequest } from '../../support/requests.ts';

function input(request: ExecutionRequest, overrides: Partial<ManifestInput> = {}): ManifestInput {
  return {
    request,
    resourceName: executionResourceName(request.workflowExecution.spec.targetResource),
    executionNamespace: 'kubernaut-workflows',
    defaultServiceAccountName: 'worker-sa',
    createdByRun: 'wf/run-1',
    executionTimeoutMs: 30 * 60_000,
    ...overrides,
  };
}

describe('buildJob (reference §4.1–4.3)', () => {
  const request = sampleRequest({
    engine: 'job',
    name: 'wfe-abc',
    target: 'prod-ns/deployment/api-server',
    parameters: { NAMESPACE: 'default', A_FIRST: '1' },
  });

  test('apiVersion/kind, deterministic name, labels and annotation (IT-WE-014-003)', () => {
    const job = buildJob(input(request));
    assert.equal(job.apiVersion, 'batch/v1');
    assert.equal(job.kind, 'Job');
    assert.equal(job.metadata.name, 'wfe-42da7e4e56e06a44');
    assert.equal(job.metadata.namespace, 'kubernaut-workflows');
    assert.deepEqual(job.metadata.labels, {
      'kubernaut.ai/workflow-execution': 'wfe-abc',
      'kubernaut.ai/workflow-id': 'restart-deployment',
      'kubernaut.ai/target-resource': 'prod-ns__deployment__api-server',
      'kubernaut.ai/source-namespace': 'kubernaut-system',
      'kubernaut.ai/execution-engine': 'job',
    });
    assert.deepEqual(job.metadata.annotations, {
      'kubernaut.ai/target-resource': 'prod-ns/deployment/api-server',
      'kubernaut.ai/created-by-run': 'wf/run-1',
    });
  });

  test('UT-WE-014-020: one container "workflow", image = executionBundle (digest preserved), restartPolicy Never, backoffLimit 0', () => {
    const job = buildJob(input(request));
    const pod = job.spec.template.spec;
    assert.equal(job.spec.backoffLimit, 0);
    // The original's 600 s TTL is a deliberate difference: a week by default, configurable (see DEFAULT_JOB_TTL_SECONDS).
    assert.equal(job.spec.ttlSecondsAfterFinished, 7 * 86_400);
    assert.equal(buildJob({ ...input(request), jobTtlSecondsAfterFinished: 900 }).spec.ttlSecondsAfterFinished, 900);
    assert.equal(pod.restartPolicy, 'Never');
    assert.equal(pod.containers.length, 1);
    assert.equal(pod.containers[0]?.name, 'workflow');
    assert.equal(pod.containers[0]?.image, 'quay.io/kubernaut/restart@sha256:abc123');
    assert.deepEqual(job.spec.template.metadata.labels, {
      'kubernaut.ai/workflow-execution': 'wfe-abc',
      'kubernaut.ai/execution-engine': 'job',
    });
  });

  test('env: TARGET_RESOURCE first, parameters sorted by name, then HOME and TMPDIR (BR-WE-018)', () => {
    const env = buildJob(input(request)).spec.template.spec.containers[0]?.env;
    assert.deepEqual(env, [
      { name: 'TARGET_RESOURCE', value: 'prod-ns/deployment/api-server' },
      { name: 'A_FIRST', value: '1' },
      { name: 'NAMESPACE', value: 'default' },
      { name: 'HOME', value: '/tmp' },
      { name: 'TMPDIR', value: '/tmp' },
    ]);
  });

  test("§9.2 item 18: the request's serviceAccountName wins over the worker's; UT-WE-014-021 empty → kubernaut-workflow-runner", () => {
    assert.equal(buildJob(input(request)).spec.template.spec.serviceAccountName, 'worker-sa');
    assert.equal(
      buildJob(input(request, { defaultServiceAccountName: '' })).spec.template.spec.serviceAccountName,
      'kubernaut-workflow-runner',
    );
    const withAccount = sampleRequest({ engine: 'job' });
    withAccount.workflowExecution.spec.executionConfig = { serviceAccountName: 'per-workflow-sa' };
    assert.equal(buildJob(input(withAccount)).spec.template.spec.serviceAccountName, 'per-workflow-sa');
  });

  test('§9.2 item 17: activeDeadlineSeconds from the execution timeout', () => {
    assert.equal(buildJob(input(request)).spec.activeDeadlineSeconds, 1800);
    assert.equal(buildJob(input(request, { executionTimeoutMs: 1500 })).spec.activeDeadlineSeconds, 2);
  });

  test('BR-WE-018: restricted security context on pod and container, /tmp emptyDir', () => {
    const pod = buildJob(input(request)).spec.template.spec;
    assert.deepEqual(pod.securityContext, { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    assert.deepEqual(pod.containers[0]?.securityContext, {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    });
    assert.deepEqual(pod.volumes, [{ name: 'tmp', emptyDir: {} }]);
  });

  test('UT-WE-006-020/021/022: secret then configMap volumes, read-only mounts under /run/kubernaut', () => {
    const withDeps = sampleRequest({ engine: 'job', secrets: ['gitea-repo-creds'], configMaps: ['remediation-config'] });
    const pod = buildJob(input(withDeps)).spec.template.spec;
    assert.deepEqual(pod.volumes, [
      { name: 'secret-gitea-repo-creds', secret: { secretName: 'gitea-repo-creds' } },
      { name: 'configmap-remediation-config', configMap: { name: 'remediation-config' } },
      { name: 'tmp', emptyDir: {} },
    ]);
    assert.deepEqual(pod.containers[0]?.volumeMounts, [
      { name: 'secret-gitea-repo-creds', mountPath: '/run/kubernaut/secrets/gitea-repo-creds', readOnly: true },
      { name: 'configmap-remediation-config', mountPath: '/run/kubernaut/configmaps/remediation-config', readOnly: true },
      { name: 'tmp', mountPath: '/tmp' },
    ]);
  });

  test('EXECUTION_POD_SECURITY_CONTEXT=none: no security context, no /tmp volume, no HOME/TMPDIR — as the original, for images that need root', () => {
    const pod = buildJob({ ...input(request), podSecurityContext: 'none' }).spec.template.spec;
    assert.equal('securityContext' in pod, false);
    assert.equal('volumes' in pod, false);
    assert.equal('securityContext' in (pod.containers[0] ?? {}), false);
    assert.deepEqual(
      pod.containers[0]?.env.map((entry) => entry.name),
      ['TARGET_RESOURCE', 'A_FIRST', 'NAMESPACE'],
    );
    const run = buildPipelineRun({ ...input(request), podSecurityContext: 'none' });
    assert.equal('podTemplate' in run.spec.taskRunTemplate, false);
  });

  test("the operator's pod settings: resources on the Job's container; node selector, tolerations, priority class on both engines' pods", () => {
    const podSettings = {
      resources: { requests: { cpu: '100m' }, limits: { memory: '256Mi' } },
      nodeSelector: { pool: 'remediation' },
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'remediation', effect: 'NoSchedule' }],
      priorityClassName: 'remediation',
    };
    const pod = buildJob({ ...input(request), podSettings }).spec.template.spec;
    assert.deepEqual(pod.containers[0]?.resources, podSettings.resources);
    assert.deepEqual(
      [pod.nodeSelector, pod.tolerations, pod.priorityClassName],
      [podSettings.nodeSelector, podSettings.tolerations, 'remediation'],
    );
    const template = buildPipelineRun({ ...input(request), podSettings }).spec.taskRunTemplate.podTemplate;
    assert.deepEqual(template, {
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      nodeSelector: podSettings.nodeSelector,
      tolerations: podSettings.tolerations,
      priorityClassName: 'remediation',
    });
  });

  test('UT-WE-006-023: no dependencies → no secret-/configmap- volumes', () => {
    const names = (buildJob(input(request)).spec.template.spec.volumes ?? []).map((volume) => volume.name);
    assert.ok(!names.some((name) => name.startsWith('secret-') || name.startsWith('configmap-')));
  });

  test('§9.2 item 16: label values are sanitized fully (UT-WE-014-088 long target stays ≤ 63)', () => {
    const long = sampleRequest({ engine: 'job', target: `ns/Deployment/${'a'.repeat(60)}-` });
    long.workflowExecution.spec.workflowRef.workflowId = 'Restart: Deployment!';
    const labels = buildJob(input(long)).metadata.labels;
    assert.ok(labels['kubernaut.ai/target-resource'].length <= 63);
    assert.match(labels['kubernaut.ai/target-resource'], /^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/);
    assert.equal(labels['kubernaut.ai/workflow-id'], 'Restart__Deployment');
  });
});

describe('buildPipelineRun (reference §5.1)', () => {
  const request = sampleRequest({
    engine: 'tekton',
    name: 'wfe-tek',
    target: 'prod-ns/deployment/api-server',
    parameters: { NAMESPACE: 'default', REPLICAS: '3', A: 'x' },
  });

  test('UT-WE-014-060: name = executionResourceName, bundles resolver with exactly bundle/name/kind, SA in taskRunTemplate', () => {
    const run = buildPipelineRun(input(request));
    assert.equal(run.apiVersion, 'tekton.dev/v1');
    assert.equal(run.kind, 'PipelineRun');
    assert.equal(run.metadata.name, executionResourceName('prod-ns/deployment/api-server'));
    assert.deepEqual(run.spec.pipelineRef, {
      resolver: 'bundles',
      params: [
        { name: 'bundle', value: 'quay.io/kubernaut/restart@sha256:abc123' },
        { name: 'name', value: 'workflow' },
        { name: 'kind', value: 'pipeline' },
      ],
    });
    assert.equal(run.spec.taskRunTemplate.serviceAccountName, 'worker-sa');
  });

  test('UT-WE-014-061: empty SA → kubernaut-workflow-runner', () => {
    assert.equal(
      buildPipelineRun(input(request, { defaultServiceAccountName: undefined })).spec.taskRunTemplate.serviceAccountName,
      'kubernaut-workflow-runner',
    );
  });

  test('UT-WE-014-062/085: every parameter as a string param, sorted, then TARGET_RESOURCE last (3 + 1 = 4)', () => {
    assert.deepEqual(buildPipelineRun(input(request)).spec.params, [
      { name: 'A', value: 'x' },
      { name: 'NAMESPACE', value: 'default' },
      { name: 'REPLICAS', value: '3' },
      { name: 'TARGET_RESOURCE', value: 'prod-ns/deployment/api-server' },
    ]);
  });

  test('UT-WE-014-063/086: nil or empty parameters → exactly TARGET_RESOURCE', () => {
    const none = sampleRequest({ engine: 'tekton' });
    delete none.workflowExecution.spec.parameters;
    assert.equal(buildPipelineRun(input(none)).spec.params.length, 1);
    const empty = sampleRequest({ engine: 'tekton', parameters: {} });
    assert.deepEqual(
      buildPipelineRun(input(empty)).spec.params.map((param) => param.name),
      ['TARGET_RESOURCE'],
    );
  });

  test('UT-WE-014-064/087: labels and the unsanitized target annotation; tekton engine label added', () => {
    const run = buildPipelineRun(input(request));
    assert.equal(run.metadata.labels['kubernaut.ai/workflow-execution'], 'wfe-tek');
    assert.equal(run.metadata.labels['kubernaut.ai/workflow-id'], 'restart-deployment');
    assert.equal(run.metadata.labels['kubernaut.ai/source-namespace'], 'kubernaut-system');
    assert.equal(run.metadata.labels['kubernaut.ai/target-resource'], 'prod-ns__deployment__api-server');
    assert.equal((run.metadata.labels as Record<string, string>)['kubernaut.ai/execution-engine'], undefined, 'as the original: Jobs only');
    assert.equal(run.metadata.annotations['kubernaut.ai/target-resource'], 'prod-ns/deployment/api-server');
  });

  test('UT-WE-006-024..027: workspaces secret-<name> / configmap-<name>, none without dependencies', () => {
    assert.equal('workspaces' in buildPipelineRun(input(request)).spec, false);
    const both = sampleRequest({ engine: 'tekton', secrets: ['gitea-repo-creds'], configMaps: ['remediation-config'] });
    assert.deepEqual(buildPipelineRun(input(both)).spec.workspaces, [
      { name: 'secret-gitea-repo-creds', secret: { secretName: 'gitea-repo-creds' } },
      { name: 'configmap-remediation-config', configMap: { name: 'remediation-config' } },
    ]);
    const secretOnly = sampleRequest({ engine: 'tekton', secrets: ['gitea-repo-creds'] });
    assert.deepEqual(buildPipelineRun(input(secretOnly)).spec.workspaces, [
      { name: 'secret-gitea-repo-creds', secret: { secretName: 'gitea-repo-creds' } },
    ]);
  });

  test('§9.2 item 17 / BR-WE-018: timeouts.pipeline and the restricted pod template', () => {
    const run = buildPipelineRun(input(request, { executionTimeoutMs: 90 * 60_000 }));
    assert.deepEqual(run.spec.timeouts, { pipeline: '1h30m0s' });
    assert.deepEqual(run.spec.taskRunTemplate.podTemplate, {
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    });
  });
});
