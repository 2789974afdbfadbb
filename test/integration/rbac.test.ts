import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { ApiException, RbacAuthorizationV1Api, type V1Role, type V1RoleBinding } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { createKubeClients, type KubeClients, loadKubeConfig } from '../../src/clients/kube.ts';
import { AnsibleExecutor } from '../../src/executors/ansible/index.ts';
import { JobExecutor } from '../../src/executors/job.ts';
import { TektonExecutor } from '../../src/executors/tekton.ts';
import { type AwxFixture, startAwxFixture } from '../support/awx-sandbox.ts';
import { finishJob, realKubeAvailable, setPipelineRunCondition } from '../support/kube-backends.ts';
import { eventually } from '../support/kube-sandbox.ts';
import { sampleRequest, uniqueSuffix } from '../support/requests.ts';

const NS = 'kubernaut-workflows';

describe('RBAC on a real kube-apiserver: the worker with the Role of the chart (deploy/kubernaut-temporal-executor.yaml)', {
  skip: !realKubeAvailable() && 'kube-apiserver not built',
}, () => {
  let admin: KubeClients;
  let worker: KubeClients;
  let awx: AwxFixture;
  const forbidden = async (promise: Promise<unknown>) =>
    assert.rejects(
      promise,
      (error: unknown) => error instanceof ApiException && error.code === 403 && /forbidden/.test(String(error.body)),
    );

  before(async () => {
    const adminConfig = loadKubeConfig({ kubeconfigPath: process.env.TEST_REAL_KUBE_ADMIN_KUBECONFIG ?? '' });
    admin = createKubeClients(adminConfig);
    worker = createKubeClients(loadKubeConfig({ kubeconfigPath: process.env.TEST_REAL_KUBE_WORKER_KUBECONFIG ?? '' }));
    awx = await startAwxFixture();
    // The Role and RoleBinding exactly as deployed, plus the same Role bound to this test's static-token identity.
    const rendered = parseAllDocuments(readFileSync(new URL('../../deploy/kubernaut-temporal-executor.yaml', import.meta.url), 'utf8')).map(
      (document) => document.toJS() as { kind?: string },
    );
    const role = rendered.find((document) => document.kind === 'Role') as V1Role;
    const binding = rendered.find((document) => document.kind === 'RoleBinding') as V1RoleBinding;
    const rbac = adminConfig.makeApiClient(RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({ namespace: NS, body: role }).catch(() => undefined);
    await rbac.createNamespacedRoleBinding({ namespace: NS, body: binding }).catch(() => undefined);
    await rbac
      .createNamespacedRoleBinding({
        namespace: NS,
        body: {
          metadata: { name: 'kubernaut-executor-test-user' },
          roleRef: binding.roleRef,
          subjects: [
            { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: process.env.TEST_REAL_KUBE_WORKER_USER ?? 'kubernaut-executor' },
          ],
        },
      })
      .catch(() => undefined);
    await eventually(() => worker.batch.listNamespacedJob({ namespace: NS }).then(() => true), 10_000, 'the binding in effect');
  });
  after(() => awx?.stop());

  test('every operation the executors need is allowed', async () => {
    const jobs = new JobExecutor({ kube: worker });
    const tekton = new TektonExecutor({ kube: worker });
    const context = (request: ReturnType<typeof sampleRequest>) => ({
      request,
      executionNamespace: NS,
      createdByRun: `rbac/${uniqueSuffix()}`,
      executionTimeoutMs: 60_000,
    });

    const jobRequest = sampleRequest({ engine: 'job' });
    const job = await jobs.create(context(jobRequest));
    assert.equal((await jobs.getStatus(jobRequest, job)).kind, 'found');
    await admin.batch.readNamespacedJob({ name: job.resourceName, namespace: NS }).then((stored) =>
      admin.batch.replaceNamespacedJobStatus({
        name: job.resourceName,
        namespace: NS,
        body: { ...stored, status: { startTime: new Date(), active: 1 } },
      }),
    );
    assert.equal((await jobs.getStatus(jobRequest, job)).kind, 'found', 'pods and events listed for stuck-pod detection');
    await finishJob(admin, NS, job.resourceName, 'success');
    // #374: replacing a finished Job of another execution needs get + delete.
    const replaced = await jobs.create(context(sampleRequest({ engine: 'job', target: jobRequest.workflowExecution.spec.targetResource })));
    await jobs.stop(jobRequest, replaced);
    assert.equal((await jobs.cleanup(jobRequest, job, { deleteResource: true, executionNamespace: NS })).resourceDeleted, false);

    const runRequest = sampleRequest({ engine: 'tekton' });
    const run = await tekton.create(context(runRequest));
    await setPipelineRunCondition(admin, NS, run.resourceName, { status: 'Unknown', reason: 'Running' }, [
      { kind: 'TaskRun', name: `${run.resourceName}-a`, pipelineTaskName: 'a' },
    ]);
    assert.equal((await tekton.getStatus(runRequest, run)).kind, 'found', 'TaskRuns listed');
    await tekton.stop(runRequest, run, { pipelineRunCancelMode: 'Cancelled' });
    assert.equal((await tekton.cleanup(runRequest, run, { deleteResource: true, executionNamespace: NS })).resourceDeleted, true);

    await admin.core
      .createNamespacedSecret({ namespace: NS, body: { metadata: { name: 'rbac-creds' }, stringData: { token: 'rbac-test' } } })
      .catch(() => undefined);
    await admin.core
      .createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'rbac-config' }, data: { mode: 'safe' } } })
      .catch(() => undefined);
    const ansible = new AnsibleExecutor({ awx: awx.awx, kube: worker });
    const ansibleRequest = sampleRequest({ engine: 'ansible', secrets: ['rbac-creds'], configMaps: ['rbac-config'] });
    const prepared = await ansible.prepare(context(ansibleRequest));
    const launched = await ansible.create({ ...context(ansibleRequest), prepared });
    assert.ok(launched.awxJobId, 'Secret and ConfigMap read with get');
  });

  test('what the Role does not grant is refused: deleting or listing Secrets, anything outside the execution namespace', async () => {
    await admin.core
      .createNamespacedSecret({ namespace: NS, body: { metadata: { name: 'keep-me' }, stringData: { a: 'b' } } })
      .catch(() => undefined);
    await forbidden(worker.core.deleteNamespacedSecret({ name: 'keep-me', namespace: NS }));
    await forbidden(worker.core.listNamespacedSecret({ namespace: NS }));
    await forbidden(
      worker.batch.createNamespacedJob({
        namespace: 'kubernaut-system',
        body: {
          metadata: { name: 'nope' },
          spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'x', image: 'x' }] } } },
        },
      }),
    );
    await forbidden(worker.core.listNamespace());
    assert.ok(await admin.core.readNamespacedSecret({ name: 'keep-me', namespace: NS }));
  });
});
