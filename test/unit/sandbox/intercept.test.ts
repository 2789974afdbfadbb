import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Agent, fetch } from 'undici';
import { AwxSandbox } from '../../../sandbox/awx/server.ts';
import type { CallDescription } from '../../../sandbox/intercept.ts';
import { KubeSandbox } from '../../../sandbox/kube/server.ts';
import { uniqueSuffix } from '../../support/requests.ts';

const NS = 'kubernaut-workflows';
const JOBS = `/apis/batch/v1/namespaces/${NS}/jobs`;
const jobBody = (name: string) => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name },
  spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'workflow', image: 'busybox' }] } } },
});

describe('sandbox intercept: hold, pause or fail one chosen call', () => {
  let kube: KubeSandbox;
  let awx: AwxSandbox;
  let kubeAgent: Agent;
  let awxAgent: Agent;
  before(async () => {
    kube = await KubeSandbox.start();
    awx = await AwxSandbox.start({ tls: true });
    kubeAgent = new Agent({ connect: { ca: kube.caPem } });
    awxAgent = new Agent({ connect: { ca: awx.caPem } });
  });
  after(async () => {
    await kubeAgent.close();
    await awxAgent.close();
    await kube.stop();
    await awx.stop();
  });

  const kubeCall = async (method: string, path: string, body?: unknown, signal?: AbortSignal) => {
    const response = await fetch(`${kube.url}${path}`, {
      method,
      dispatcher: kubeAgent,
      headers: { authorization: `Bearer ${kube.token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...(signal ? { signal } : {}),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const awxCall = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${awx.url}/api/v2/${path}`, {
      method,
      dispatcher: awxAgent,
      headers: { authorization: `Bearer ${awx.token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  };

  test('a status rule answers the one call its predicate picks with a Kubernetes Status, once; other calls pass', async () => {
    const [mine, other] = [`job-${uniqueSuffix()}`, `job-${uniqueSuffix()}`];
    const answered: number[] = [];
    const rule = kube.intercept({
      method: 'POST',
      match: (call) => call.path === JOBS && JSON.parse(call.body).metadata.name === mine,
      action: { kind: 'status', status: 409 },
      onAnswered: (_call, status) => answered.push(status),
    });
    assert.equal((await kubeCall('POST', JOBS, jobBody(other))).status, 201, 'not matched: processed');
    const refused = await kubeCall('POST', JOBS, jobBody(mine));
    assert.equal(refused.status, 409);
    assert.deepEqual([refused.body.kind, refused.body.reason, refused.body.code], ['Status', 'AlreadyExists', 409]);
    assert.equal(kube.createCount('Job', NS, mine), 0, 'an answered call is not processed');
    assert.equal((await kubeCall('POST', JOBS, jobBody(mine))).status, 201, 'the rule fired its one time');
    assert.deepEqual([rule.fired, answered], [1, [409]]);
  });

  test('a held call outlives its client: the side effect lands after the client gave up', async () => {
    const name = `job-${uniqueSuffix()}`;
    const events: string[] = [];
    const rule = kube.intercept({
      method: 'POST',
      match: (call) => call.body.includes(name),
      action: { kind: 'hold', ms: 400 },
      onArrive: () => events.push(`arrived, exists=${kube.createCount('Job', NS, name) > 0}`),
      onAnswered: (_call, status) => events.push(`answered ${status}`),
    });
    await assert.rejects(kubeCall('POST', JOBS, jobBody(name), AbortSignal.timeout(50)), /abort|timeout/i);
    await rule.settled();
    assert.equal(kube.createCount('Job', NS, name), 1, 'created although the client had gone');
    assert.deepEqual(events, ['arrived, exists=false', 'answered 201']);
  });

  test('a paused call waits for release, then is processed; arrived() resolves when it comes, settled() once answered', async () => {
    const name = `job-${uniqueSuffix()}`;
    let arrived: CallDescription | undefined;
    const rule = kube.intercept({
      method: 'GET',
      match: (call) => call.path === `${JOBS}/${name}`,
      action: { kind: 'pause' },
      onArrive: (call) => {
        arrived = call;
      },
    });
    let fired = false;
    void rule.arrived().then(() => {
      fired = true;
    });
    await kubeCall('POST', JOBS, jobBody(name));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(fired, false, 'no matching call yet');
    const read = kubeCall('GET', `${JOBS}/${name}?pretty=false`);
    await rule.arrived();
    assert.equal(arrived?.query, 'pretty=false');
    let answered = false;
    const settled = rule.settled().then(() => {
      answered = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(answered, false, 'still paused');
    rule.release();
    assert.equal((await read).status, 200);
    await settled;
    assert.equal(answered, true);
  });

  test('AWX: rules see what ids stand for (credential name, execution marker) and get AWX error bodies', async () => {
    const name = `kubernaut-ephemeral-s-${uniqueSuffix()}`;
    const marker = `wfe-${uniqueSuffix()}/run-1`;
    const seen: CallDescription['names'][] = [];
    const observer = awx.intercept({
      method: '*',
      times: Number.POSITIVE_INFINITY,
      match: (call) => call.names.credentialName === name || call.names.executionMarker === marker,
      onArrive: (call) => seen.push(call.names),
    });
    const refusal = awx.intercept({
      method: 'DELETE',
      match: (call) => call.names.credentialName === name,
      action: { kind: 'status', status: 403 },
    });
    const created = await awxCall('POST', 'credentials/', { name, description: 'mine', credential_type: 1, organization: 1, inputs: {} });
    assert.equal(created.status, 201);
    const denied = await awxCall('DELETE', `credentials/${created.body.id}/`);
    assert.deepEqual([denied.status, denied.body.detail], [403, 'You do not have permission to perform this action.']);
    assert.equal(awx.credentials.has(Number(created.body.id)), true);
    const launched = await awxCall('POST', 'job_templates/10/launch/', {
      extra_vars: { KUBERNAUT_EXECUTION_MARKER: marker, SANDBOX_OUTCOME: 'hold' },
    });
    assert.equal(launched.status, 201);
    await awxCall('GET', `jobs/${launched.body.job}/`);
    assert.equal((await awxCall('DELETE', `credentials/${created.body.id}/`)).status, 204);
    observer.remove();
    refusal.remove();
    assert.deepEqual(seen, [
      { credentialName: name, credentialDescription: 'mine' },
      { credentialName: name, credentialDescription: 'mine' },
      { executionMarker: marker },
      { executionMarker: marker },
      { credentialName: name, credentialDescription: 'mine' },
    ]);
    awx.release('success');
  });

  test('times: a rule fires as many times as asked; a removed rule no longer matches', async () => {
    const name = `job-${uniqueSuffix()}`;
    const rule = kube.intercept({ method: 'GET', match: (call) => call.path.endsWith(`/${name}`), times: 2 });
    for (let index = 0; index < 3; index++) await kubeCall('GET', `${JOBS}/${name}`);
    assert.equal(rule.fired, 2);
    const removed = kube.intercept({
      method: 'GET',
      match: (call) => call.path.endsWith(`/${name}`),
      action: { kind: 'status', status: 500 },
    });
    removed.remove();
    assert.equal((await kubeCall('GET', `${JOBS}/${name}`)).status, 404, 'processed: no such Job');
  });
});
