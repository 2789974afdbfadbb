import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { Agent, fetch } from 'undici';
import { KubeSandbox } from '../../../sandbox/kube/server.ts';
import { eventually } from '../../support/kube-sandbox.ts';
import { uniqueSuffix } from '../../support/requests.ts';

const run = promisify(execFile);

async function hasKubectl(): Promise<boolean> {
  try {
    await run('kubectl', ['version', '--client']);
    return true;
  } catch {
    return false;
  }
}

const kubectlAvailable = await hasKubectl();
const NS = 'kubernaut-workflows';

const jobBody = (name: string, labels: Record<string, string> = {}, env: Record<string, string> = { SANDBOX_OUTCOME: 'hold' }) => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name, labels },
  spec: {
    template: {
      spec: {
        restartPolicy: 'Never',
        containers: [{ name: 'workflow', image: 'busybox', env: Object.entries(env).map(([n, value]) => ({ name: n, value })) }],
      },
    },
  },
});

describe('sandbox Kubernetes API server: the contract of reference B1–B4', () => {
  let sandbox: KubeSandbox;
  let agent: Agent;
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    token: string | null = 'sandbox-token',
  ) => {
    const response = await fetch(`${sandbox.url}${path}`, {
      method,
      dispatcher: agent,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    assert.equal(response.headers.get('content-type'), 'application/json');
    // biome-ignore lint/suspicious/noExplicitAny: contract tests walk arbitrary Status and object bodies
    return { code: response.status, body: (await response.json()) as Record<string, any> };
  };
  const jobs = `/apis/batch/v1/namespaces/${NS}/jobs`;
  const runs = `/apis/tekton.dev/v1/namespaces/${NS}/pipelineruns`;

  before(async () => {
    sandbox = await KubeSandbox.start();
    agent = new Agent({ connect: { ca: sandbox.caPem } });
  });
  after(async () => {
    await agent.close();
    await sandbox.stop();
  });

  test('TLS is verified against the sandbox CA: a client without it is refused', async () => {
    await assert.rejects(fetch(`${sandbox.url}/version`), (error: Error & { cause?: { code?: string } }) =>
      /CERT|VERIFY/.test(String(error.cause?.code)),
    );
  });

  test('401 Unauthorized Status without the bearer token', async () => {
    const { code, body } = await call('GET', jobs, undefined, {}, null);
    assert.equal(code, 401);
    assert.deepEqual([body.kind, body.reason, body.message, body.code], ['Status', 'Unauthorized', 'Unauthorized', 401]);
  });

  test('create 201 with server fields; AlreadyExists 409 Status with details.kind = plural', async () => {
    const name = `job-${uniqueSuffix()}`;
    const created = await call('POST', jobs, jobBody(name));
    assert.equal(created.code, 201);
    assert.ok(created.body.metadata.uid && created.body.metadata.resourceVersion && created.body.metadata.creationTimestamp);
    assert.equal(created.body.metadata.generation, 1);
    assert.equal(created.body.spec.backoffLimit, 6, 'server default');
    assert.equal(created.body.spec.template.metadata.labels['batch.kubernetes.io/job-name'], name);
    const again = await call('POST', jobs, jobBody(name));
    assert.equal(again.code, 409);
    assert.deepEqual(again.body, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `jobs.batch "${name}" already exists`,
      reason: 'AlreadyExists',
      details: { name, group: 'batch', kind: 'jobs' },
      code: 409,
    });
  });

  test('NotFound 404 Status; a missing namespace is 404 namespaces "x" not found', async () => {
    const missing = await call('GET', `${jobs}/nope`);
    assert.equal(missing.code, 404);
    assert.deepEqual(
      [missing.body.reason, missing.body.message, missing.body.details],
      ['NotFound', 'jobs.batch "nope" not found', { name: 'nope', group: 'batch', kind: 'jobs' }],
    );
    const cm = await call('GET', `/api/v1/namespaces/${NS}/configmaps/nope`);
    assert.equal(cm.body.message, 'configmaps "nope" not found');
    const noNamespace = await call('POST', '/apis/batch/v1/namespaces/absent/jobs', jobBody('x'));
    assert.deepEqual([noNamespace.code, noNamespace.body.message], [404, 'namespaces "absent" not found']);
  });

  test('name validation: 422 Invalid with causes; Job names over 63 characters are refused', async () => {
    const bad = await call('POST', jobs, jobBody('Bad_Name'));
    assert.equal(bad.code, 422);
    assert.equal(bad.body.reason, 'Invalid');
    assert.match(bad.body.message, /^Job\.batch "Bad_Name" is invalid: metadata\.name: Invalid value/);
    assert.deepEqual([bad.body.details.kind, bad.body.details.causes[0].field], ['Job', 'metadata.name']);
    const long = await call('POST', jobs, jobBody('a'.repeat(64)));
    assert.equal(long.code, 422);
    const badLabel = await call('POST', jobs, jobBody(`l-${uniqueSuffix()}`, { 'kubernaut.ai/x': 'ends-with-' }));
    assert.equal(badLabel.code, 422);
  });

  test('list: label selectors (=, !=, in, notin, exists, !exists), field selectors, limit/continue; items omit kind', async () => {
    const tag = uniqueSuffix();
    for (const [index, tier] of ['a', 'b', 'c'].entries()) await call('POST', jobs, jobBody(`sel-${tag}-${index}`, { tag, tier }));
    await call('POST', jobs, jobBody(`sel-${tag}-3`, { tag }));
    const names = async (selector: string) =>
      ((await call('GET', `${jobs}?labelSelector=${encodeURIComponent(selector)}`)).body.items as { metadata: { name: string } }[]).map(
        (item) => item.metadata.name.split('-').at(-1),
      );
    assert.deepEqual(await names(`tag=${tag},tier=a`), ['0']);
    assert.deepEqual(await names(`tag==${tag},tier!=a`), ['1', '2', '3']);
    assert.deepEqual(await names(`tag=${tag},tier in (a, c)`), ['0', '2']);
    assert.deepEqual(await names(`tag=${tag},tier notin (a)`), ['1', '2', '3']);
    assert.deepEqual(await names(`tag=${tag},tier`), ['0', '1', '2']);
    assert.deepEqual(await names(`tag=${tag},!tier`), ['3']);
    const list = await call('GET', `${jobs}?labelSelector=tag%3D${tag}&limit=2`);
    assert.equal(list.body.kind, 'JobList');
    assert.equal(list.body.items[0].kind, undefined);
    assert.equal(list.body.items.length, 2);
    const rest = await call('GET', `${jobs}?labelSelector=tag%3D${tag}&limit=2&continue=${list.body.metadata.continue}`);
    assert.equal(rest.body.items.length, 2);
    assert.equal(rest.body.metadata.continue, undefined);
    const byName = await call('GET', `${jobs}?fieldSelector=metadata.name%3Dsel-${tag}-1`);
    assert.equal(byName.body.items.length, 1);
    const badSelector = await call('GET', `${jobs}?labelSelector=${encodeURIComponent('tier in (a')}`);
    assert.deepEqual([badSelector.code, badSelector.body.reason], [400, 'BadRequest']);
  });

  test('custom resource lists keep kind/apiVersion on items', async () => {
    const name = `pr-${uniqueSuffix()}`;
    await call('POST', runs, {
      apiVersion: 'tekton.dev/v1',
      kind: 'PipelineRun',
      metadata: { name },
      spec: { params: [{ name: 'SANDBOX_OUTCOME', value: 'hold' }] },
    });
    const list = await call('GET', `${runs}?fieldSelector=metadata.name%3D${name}`);
    assert.deepEqual(
      [list.body.kind, list.body.items[0].kind, list.body.items[0].apiVersion],
      ['PipelineRunList', 'PipelineRun', 'tekton.dev/v1'],
    );
  });

  test('PUT with a stale resourceVersion → 409 Conflict; a custom resource PUT without one → 422', async () => {
    const name = `put-${uniqueSuffix()}`;
    const created = (await call('POST', jobs, jobBody(name))).body;
    const updated = await call('PUT', `${jobs}/${name}`, { ...created, metadata: { ...created.metadata, labels: { x: 'y' } } });
    assert.equal(updated.code, 200);
    assert.notEqual(updated.body.metadata.resourceVersion, created.metadata.resourceVersion);
    const stale = await call('PUT', `${jobs}/${name}`, created);
    assert.equal(stale.code, 409);
    assert.equal(stale.body.reason, 'Conflict');
    assert.match(stale.body.message, /the object has been modified; please apply your changes to the latest version and try again/);
    const prName = `pr-${uniqueSuffix()}`;
    const run = (await call('POST', runs, { apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { name: prName }, spec: {} })).body;
    const unconditional = await call('PUT', `${runs}/${prName}`, { ...run, metadata: { name: prName } });
    assert.equal(unconditional.code, 422);
    assert.match(unconditional.body.message, /metadata\.resourceVersion: Invalid value: 0: must be specified for an update/);
  });

  test('PATCH honours the content type: merge, JSON patch; strategic merge on a custom resource → 415', async () => {
    const name = `patch-${uniqueSuffix()}`;
    await call('POST', runs, { apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { name }, spec: { params: [] } });
    const merged = await call(
      'PATCH',
      `${runs}/${name}`,
      { spec: { status: 'Cancelled' } },
      { 'content-type': 'application/merge-patch+json' },
    );
    assert.deepEqual([merged.code, merged.body.spec.status, merged.body.metadata.generation], [200, 'Cancelled', 2]);
    const patched = await call('PATCH', `${runs}/${name}`, [{ op: 'replace', path: '/spec/status', value: 'CancelledRunFinally' }], {
      'content-type': 'application/json-patch+json',
    });
    assert.equal(patched.body.spec.status, 'CancelledRunFinally');
    const strategic = await call('PATCH', `${runs}/${name}`, { spec: {} }, { 'content-type': 'application/strategic-merge-patch+json' });
    assert.equal(strategic.code, 415);
  });

  test('/status writes change only status; main-resource writes ignore status', async () => {
    sandbox.jobs.enabled = false;
    try {
      const name = `status-${uniqueSuffix()}`;
      const created = (await call('POST', jobs, jobBody(name))).body;
      const viaStatus = await call('PUT', `${jobs}/${name}/status`, {
        ...created,
        spec: { ...created.spec, backoffLimit: 99 },
        status: { active: 1 },
      });
      assert.deepEqual([viaStatus.body.spec.backoffLimit, viaStatus.body.status.active], [6, 1]);
      const viaMain = await call('PUT', `${jobs}/${name}`, { ...viaStatus.body, status: { active: 5 } });
      assert.equal(viaMain.body.status.active, 1);
    } finally {
      sandbox.jobs.enabled = true;
    }
  });

  test('Kubernetes ≥ 1.31 Job status rules: Complete without SuccessCriteriaMet or without completionTime → 422', async () => {
    sandbox.jobs.enabled = false;
    try {
      const name = `rules-${uniqueSuffix()}`;
      const created = (await call('POST', jobs, jobBody(name))).body;
      const now = new Date().toISOString();
      const bad = await call('PUT', `${jobs}/${name}/status`, {
        ...created,
        status: { startTime: now, completionTime: now, conditions: [{ type: 'Complete', status: 'True' }] },
      });
      assert.equal(bad.code, 422);
      assert.match(bad.body.message, /SuccessCriteriaMet/);
      const noTime = await call('PUT', `${jobs}/${name}/status`, {
        ...created,
        status: {
          startTime: now,
          conditions: [
            { type: 'SuccessCriteriaMet', status: 'True' },
            { type: 'Complete', status: 'True' },
          ],
        },
      });
      assert.equal(noTime.code, 422);
      const good = await call('PUT', `${jobs}/${name}/status`, {
        ...created,
        status: {
          startTime: now,
          completionTime: now,
          succeeded: 1,
          conditions: [
            { type: 'SuccessCriteriaMet', status: 'True' },
            { type: 'Complete', status: 'True' },
          ],
        },
      });
      assert.equal(good.code, 200);
    } finally {
      sandbox.jobs.enabled = true;
    }
  });

  test('DELETE of a Job without propagationPolicy orphans its pods (the batch/v1 default), Background removes them', async () => {
    const orphaned = `orphan-${uniqueSuffix()}`;
    const job = (await call('POST', jobs, jobBody(orphaned))).body;
    await eventually(
      async () => (await call('GET', `/api/v1/namespaces/${NS}/pods?labelSelector=job-name%3D${orphaned}`)).body.items.length === 1,
    );
    const deleted = await call('DELETE', `${jobs}/${orphaned}`);
    assert.equal(deleted.code, 200);
    assert.ok(deleted.body.metadata.deletionTimestamp, 'deferred: the object comes back with a deletionTimestamp');
    assert.deepEqual(deleted.body.metadata.finalizers, ['orphan']);
    await eventually(async () => (await call('GET', `${jobs}/${orphaned}`)).code === 404);
    const pods = (await call('GET', `/api/v1/namespaces/${NS}/pods?labelSelector=job-name%3D${orphaned}`)).body.items;
    assert.equal(pods.length, 1, 'the pod is still there');
    assert.ok(!pods[0].metadata.ownerReferences?.some((owner: { uid: string }) => owner.uid === job.metadata.uid));

    const background = `bg-${uniqueSuffix()}`;
    await call('POST', jobs, jobBody(background));
    await eventually(
      async () => (await call('GET', `/api/v1/namespaces/${NS}/pods?labelSelector=job-name%3D${background}`)).body.items.length === 1,
    );
    const gone = await call('DELETE', `${jobs}/${background}?propagationPolicy=Background`);
    assert.deepEqual([gone.code, gone.body.kind, gone.body.status, gone.body.details.name], [200, 'Status', 'Success', background]);
    assert.equal((await call('GET', `${jobs}/${background}`)).code, 404, 'the Job is gone at once');
    await eventually(
      async () => (await call('GET', `/api/v1/namespaces/${NS}/pods?labelSelector=job-name%3D${background}`)).body.items.length === 0,
    );
  });

  test('DeleteOptions come from the body when there is one: a query propagationPolicy beside a body is ignored (a Job then orphans)', async () => {
    const name = `body-${uniqueSuffix()}`;
    await call('POST', jobs, jobBody(name));
    await eventually(
      async () => (await call('GET', `/api/v1/namespaces/${NS}/pods?labelSelector=job-name%3D${name}`)).body.items.length === 1,
    );
    const deleted = await call('DELETE', `${jobs}/${name}?propagationPolicy=Background`, { kind: 'DeleteOptions', apiVersion: 'v1' });
    assert.deepEqual(deleted.body.metadata.finalizers, ['orphan'], 'the body without a policy wins: Orphan');
    const wrongUid = `uid-${uniqueSuffix()}`;
    const other = `precondition-${uniqueSuffix()}`;
    await call('POST', jobs, jobBody(other));
    const refused = await call('DELETE', `${jobs}/${other}`, { propagationPolicy: 'Background', preconditions: { uid: wrongUid } });
    assert.deepEqual([refused.code, refused.body.reason, refused.body.details.kind], [409, 'Conflict', 'Job']);
    assert.match(
      refused.body.message,
      new RegExp(
        `^Operation cannot be fulfilled on Job.batch "${other}": the UID in the precondition \\(${wrongUid}\\) does not match the UID in record`,
      ),
    );
  });

  test("a Job's status.startTime is immutable once set (unsuspended), as on Kubernetes", async () => {
    sandbox.jobs.enabled = false;
    try {
      const name = `start-${uniqueSuffix()}`;
      const created = (await call('POST', jobs, jobBody(name))).body;
      const first = await call('PUT', `${jobs}/${name}/status`, { ...created, status: { startTime: '2026-01-01T00:00:00Z', active: 1 } });
      assert.equal(first.code, 200);
      const moved = await call('PUT', `${jobs}/${name}/status`, {
        ...first.body,
        status: { startTime: '2026-01-01T00:00:05Z', active: 1 },
      });
      assert.equal(moved.code, 422);
      assert.match(
        moved.body.message,
        /status\.startTime: Invalid value: "2026-01-01T00:00:05Z": field is immutable for unsuspended job once set/,
      );
    } finally {
      sandbox.jobs.enabled = true;
    }
  });

  test('DELETE with Foreground (DeleteOptions body) keeps the object visible until its dependents are gone; 404 when missing', async () => {
    const name = `fg-${uniqueSuffix()}`;
    await call('POST', jobs, jobBody(name));
    await eventually(
      async () => (await call('GET', `/api/v1/namespaces/${NS}/pods?labelSelector=job-name%3D${name}`)).body.items.length === 1,
    );
    const deleting = await call('DELETE', `${jobs}/${name}`, { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Foreground' });
    assert.deepEqual(deleting.body.metadata.finalizers, ['foregroundDeletion']);
    assert.equal((await call('GET', `${jobs}/${name}`)).code, 200);
    assert.equal((await call('POST', jobs, jobBody(name))).code, 409, 'the name is still taken');
    await eventually(async () => (await call('GET', `${jobs}/${name}`)).code === 404);
    assert.equal((await call('DELETE', `${jobs}/${name}`)).code, 404);
  });

  test('discovery documents for kubectl: /api, /apis, group versions', async () => {
    assert.deepEqual((await call('GET', '/api')).body.versions, ['v1']);
    const groups = (await call('GET', '/apis')).body.groups.map((group: { name: string }) => group.name);
    assert.deepEqual(groups.sort(), ['batch', 'tekton.dev']);
    const batch = (await call('GET', '/apis/batch/v1')).body;
    assert.ok(batch.resources.some((resource: { name: string; kind: string }) => resource.name === 'jobs' && resource.kind === 'Job'));
    assert.ok(batch.resources.some((resource: { name: string }) => resource.name === 'jobs/status'));
  });

  test('injected faults: 500 InternalError Status, resets and delays at the configured rate', async () => {
    sandbox.faults.configure({ rate: 1, kinds: ['error'], seed: 7 });
    try {
      const { code, body } = await call('GET', jobs);
      assert.deepEqual([code, body.reason], [500, 'InternalError']);
      sandbox.faults.configure({ rate: 1, kinds: ['reset'], seed: 7 });
      await assert.rejects(call('GET', jobs));
    } finally {
      sandbox.faults.configure({ rate: 0 });
    }
    assert.ok(sandbox.faults.injected.error >= 1 && sandbox.faults.injected.reset >= 1);
  });

  test('kubectl get jobs,pipelineruns -o json works against the sandbox with its kubeconfig', {
    skip: !kubectlAvailable && 'kubectl not installed',
  }, async () => {
    const { mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const path = join(mkdtempSync(join(tmpdir(), 'kubectl-')), 'kubeconfig');
    sandbox.writeKubeconfig(path);
    const name = `kubectl-${uniqueSuffix()}`;
    await call('POST', jobs, jobBody(name));
    const { stdout } = await run('kubectl', ['--kubeconfig', path, 'get', 'jobs,pipelineruns', '-n', NS, '-o', 'json']);
    const list = JSON.parse(stdout) as { items: { kind: string; metadata: { name: string } }[] };
    assert.ok(list.items.some((item) => item.kind === 'Job' && item.metadata.name === name));
    assert.ok(list.items.some((item) => item.kind === 'PipelineRun'));
  });
});
