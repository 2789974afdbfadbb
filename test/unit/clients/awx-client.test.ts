import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AwxSandbox } from '../../../sandbox/awx/server.ts';
import { AwxError, AwxHttpClient } from '../../../src/clients/awx.ts';
import { type AwxFixture, startAwxFixture } from '../../support/awx-sandbox.ts';
import { uniqueSuffix } from '../../support/requests.ts';

const rejectsWithStatus = async (promise: Promise<unknown>, status: number, text: RegExp) =>
  assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof AwxError, String(error));
    assert.equal(error.status, status);
    assert.match(error.message, text);
    return true;
  });

describe('AwxHttpClient against the AWX sandbox over HTTPS (reference §6.7, Part A)', () => {
  let fixture: AwxFixture;
  before(async () => {
    fixture = await startAwxFixture();
  });
  after(() => fixture.stop());

  const typeBody = (name: string) => ({
    name,
    kind: 'cloud',
    inputs: { fields: [{ id: 'token', label: 'token', type: 'string', secret: true }] },
    injectors: { env: { MY_TOKEN: '{{ token }}' } },
  });

  test('UT-WE-015-010: CreateCredentialType POSTs name, kind cloud, inputs, injectors → id', async () => {
    const name = `type-${uniqueSuffix()}`;
    const id = await fixture.awx.createCredentialType(typeBody(name));
    const stored = fixture.sandbox.credentialTypes.get(id);
    assert.deepEqual([stored?.name, stored?.kind, stored?.injectors.env?.MY_TOKEN], [name, 'cloud', '{{ token }}']);
  });

  test('UT-WE-015-011: a 400 (duplicate name and kind) is an error carrying 400', async () => {
    const name = `dup-${uniqueSuffix()}`;
    await fixture.awx.createCredentialType(typeBody(name));
    await rejectsWithStatus(fixture.awx.createCredentialType(typeBody(name)), 400, /returned 400: .*already exists/);
  });

  test('UT-WE-015-012/013: FindCredentialTypeByName finds by exact name; none → undefined (a real not-found only)', async () => {
    const name = `find-${uniqueSuffix()}`;
    const id = await fixture.awx.createCredentialType(typeBody(name));
    assert.equal((await fixture.awx.findCredentialTypeByName(name))?.id, id);
    assert.equal(await fixture.awx.findCredentialTypeByName(`${name}-absent`), undefined);
  });

  test('§9.2 item 4: an auth error on lookup is an error, not "not found" (401 without leaking the token)', async () => {
    const wrong = new AwxHttpClient({ baseUrl: fixture.sandbox.url, token: 'wrong-token-value-12345', caFile: fixture.caFile });
    try {
      await rejectsWithStatus(wrong.findCredentialTypeByName('anything'), 401, /Authentication credentials were not provided/);
      await assert.rejects(
        wrong.findCredentialTypeByName('anything'),
        (error: Error) => !error.message.includes('wrong-token-value-12345'),
      );
    } finally {
      await wrong.close();
    }
  });

  test('UT-WE-015-014/016: CreateCredential with type, organization and string inputs; DeleteCredential → 204', async () => {
    const typeId = await fixture.awx.createCredentialType(typeBody(`cred-type-${uniqueSuffix()}`));
    const id = await fixture.awx.createCredential({
      name: `cred-${uniqueSuffix()}`,
      credential_type: typeId,
      organization: 1,
      inputs: { token: 'abc' },
    });
    assert.deepEqual(fixture.sandbox.credentials.get(id)?.inputs, { token: 'abc' });
    assert.equal(await fixture.awx.deleteCredential(id), 'deleted');
    assert.equal(fixture.sandbox.credentials.has(id), false);
  });

  test('UT-WE-015-017: delete of a missing credential is reported as notFound (404), not an exception', async () => {
    assert.equal(await fixture.awx.deleteCredential(999_999), 'notFound');
  });

  test('UT-WE-015-015: a 403 is an error carrying 403', async () => {
    fixture.sandbox.failNext('POST', /\/credentials\/$/, 403);
    await rejectsWithStatus(
      fixture.awx.createCredential({ name: 'x', credential_type: 1, organization: 1, inputs: {} }),
      403,
      /returned 403/,
    );
  });

  test('a failed credential create never echoes the secret input values in its error', async () => {
    const secret = `value-${uniqueSuffix()}`;
    await assert.rejects(
      fixture.awx.createCredential({ name: 'x', credential_type: 999_999, organization: 1, inputs: { password: secret } }),
      (error: Error) => error instanceof AwxError && error.status === 400 && !error.message.includes(secret),
    );
    const typeId = await fixture.awx.createCredentialType(typeBody(`t-${uniqueSuffix()}`));
    await assert.rejects(
      fixture.awx.createCredential({ name: 'x', credential_type: typeId, organization: 1, inputs: { unknown_field: secret } }),
      (error: Error) =>
        /inputs: Additional properties are not allowed \('unknown_field' was unexpected\)/.test(error.message) &&
        !error.message.includes(secret),
    );
  });

  test('UT-WE-015-018/019: launch with extra_vars object and credentials in order; without them no credentials key', async () => {
    const result = await fixture.awx.launchJobTemplateWithCredentials(10, { A: 1 }, [100, 200]);
    const job = fixture.sandbox.jobs.get(result.jobId);
    assert.deepEqual([job?.credentials, JSON.parse(job?.extra_vars ?? '{}'), result.ignoredFields], [[100, 200], { A: 1 }, {}]);
    const plain = await fixture.awx.launchJobTemplate(10, {});
    assert.deepEqual(fixture.sandbox.jobs.get(plain.jobId)?.credentials, [100, 200], 'the template credentials apply');
  });

  test("UT-WE-015-020: a 400 on launch carries 400 and AWX's reason", async () => {
    await rejectsWithStatus(
      fixture.awx.launchJobTemplateWithCredentials(10, {}, [100]),
      400,
      /Removing Vault credential at launch time without replacement is not supported/,
    );
  });

  test('launch reports the fields AWX ignored (template without prompts)', async () => {
    const template = fixture.sandbox.addTemplate({
      name: `no-prompts-${uniqueSuffix()}`,
      askVariablesOnLaunch: false,
      askCredentialOnLaunch: false,
    });
    const result = await fixture.awx.launchJobTemplateWithCredentials(template.id, { X: 'y' }, [100]);
    assert.deepEqual(result.ignoredFields, { extra_vars: { X: 'y' }, credentials: [100] });
  });

  test('§9.2 item 9: names are URL-encoded in queries', async () => {
    const template = fixture.sandbox.addTemplate({ name: `restart & check #${uniqueSuffix()} now` });
    assert.equal((await fixture.awx.findJobTemplateByName(template.name))?.id, template.id);
    assert.equal(await fixture.awx.findJobTemplateByName('restart'), undefined);
  });

  test('§9.2 item 9: lists follow `next` across pages (template credentials beyond the first page)', async () => {
    const typeIds = [];
    for (let index = 0; index < 3; index++) typeIds.push(await fixture.awx.createCredentialType(typeBody(`page-${uniqueSuffix()}`)));
    const name = `paged-${uniqueSuffix()}`;
    for (let index = 0; index < 205; index++)
      await fixture.awx.createCredential({ name, credential_type: typeIds[index % 3] ?? 0, organization: 1, inputs: {} });
    assert.equal((await fixture.awx.findCredentialsByName(name)).length, 205);
  });

  test('job status, cancel (202 then 405 once finished) and the output tail', async () => {
    const { jobId } = await fixture.awx.launchJobTemplate(10, { SANDBOX_OUTCOME: 'failure', SANDBOX_DURATION_MS: '20' });
    for (let index = 0; index < 100 && !['failed'].includes((await fixture.awx.getJob(jobId)).status); index++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    const job = await fixture.awx.getJob(jobId);
    assert.equal(job.status, 'failed');
    assert.match(await fixture.awx.getJobOutputTail(jobId, 2048), /connection refused/);
    assert.equal(await fixture.awx.cancelJob(jobId), 'notCancelable');
    const running = await fixture.awx.launchJobTemplate(10, { SANDBOX_OUTCOME: 'hold' });
    assert.equal(await fixture.awx.cancelJob(running.jobId), 'requested');
    await rejectsWithStatus(fixture.awx.getJob(987_654), 404, /returned 404/);
  });

  test('the output tail is bounded (read from the newest events, never the whole stdout)', async () => {
    const { jobId } = await fixture.awx.launchJobTemplate(10, { SANDBOX_OUTCOME: 'failure', SANDBOX_DURATION_MS: '10' });
    for (let index = 0; index < 100 && (await fixture.awx.getJob(jobId)).status !== 'failed'; index++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    const tail = await fixture.awx.getJobOutputTail(jobId, 40);
    assert.ok(tail.length <= 41);
    assert.match(tail, /^…/);
  });

  test('jobs of a template, newest first, since a time', async () => {
    const template = fixture.sandbox.addTemplate({ name: `jobs-${uniqueSuffix()}` });
    const first = await fixture.awx.launchJobTemplate(template.id, {});
    const second = await fixture.awx.launchJobTemplate(template.id, {});
    const jobs = await fixture.awx.listJobTemplateJobs(template.id, new Date(Date.now() - 60_000));
    assert.deepEqual(
      jobs.map((job) => job.id),
      [second.jobId, first.jobId],
    );
    assert.deepEqual(await fixture.awx.listJobTemplateJobs(template.id, new Date(Date.now() + 60_000)), []);
  });

  test('a redirect is refused, not followed (a redirected POST would silently become a GET)', async () => {
    const noSlash = new AwxHttpClient({
      baseUrl: fixture.sandbox.url,
      token: fixture.sandbox.token,
      caFile: fixture.caFile,
      apiPath: '/api/v2',
    });
    try {
      await rejectsWithStatus(
        (noSlash as unknown as { call: (...args: unknown[]) => Promise<unknown> }).call(
          'probe',
          'POST',
          `${fixture.sandbox.url}/api/v2/credentials`,
          { body: {}, expect: [201] },
        ),
        301,
        /redirect/,
      );
    } finally {
      await noSlash.close();
    }
  });

  test('§9.2 item 22: reads and deletes are retried on 5xx; a POST is not (it may have happened)', async () => {
    fixture.sandbox.failNext('GET', /\/job_templates\/10\/$/, 503, 2);
    assert.equal((await fixture.awx.getJobTemplate(10))?.id, 10);
    fixture.sandbox.failNext('GET', /\/job_templates\/10\/$/, 503, 3);
    await rejectsWithStatus(fixture.awx.getJobTemplate(10), 503, /returned 503/);
    fixture.sandbox.failNext('POST', /\/launch\/$/, 503, 1);
    const refused = () => fixture.sandbox.requests.get('POST 503') ?? 0;
    const before = refused();
    await rejectsWithStatus(fixture.awx.launchJobTemplate(10, {}), 503, /returned 503/);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(refused(), before + 1, 'sent once, not retried');
  });

  test('a transport failure is a retryable error without a status', async () => {
    const nowhere = new AwxHttpClient({ baseUrl: 'https://127.0.0.1:1', token: 't', connectTimeoutMs: 500 });
    try {
      await assert.rejects(
        nowhere.getJob(1),
        (error: unknown) => error instanceof AwxError && error.status === undefined && error.retryable,
      );
    } finally {
      await nowhere.close();
    }
  });
});

describe('AwxHttpClient TLS (reference §9.2 item 22)', () => {
  test('refuses a self-signed certificate unless given its CA file or the explicit insecure flag', async () => {
    const sandbox = await AwxSandbox.start({ tls: true });
    const strict = new AwxHttpClient({ baseUrl: sandbox.url, token: sandbox.token });
    const insecure = new AwxHttpClient({ baseUrl: sandbox.url, token: sandbox.token, insecureSkipTlsVerify: true });
    try {
      await assert.rejects(
        strict.getJobTemplate(10),
        (error: unknown) => error instanceof AwxError && /CERT|VERIFY|certificate/i.test(error.message),
      );
      assert.equal((await insecure.getJobTemplate(10))?.name, 'restart-pod');
    } finally {
      await strict.close();
      await insecure.close();
      await sandbox.stop();
    }
  });
});
