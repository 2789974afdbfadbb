import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { AwxHttpClient } from '../../../src/clients/awx.ts';
import { ephemeralCredentialName } from '../../../src/domain/awx-credentials.ts';
import { FailureType } from '../../../src/domain/errors.ts';
import type { ExecutionHandle, ExecutionRequest, PreparedCredentials } from '../../../src/domain/types.ts';
import { AnsibleExecutor } from '../../../src/executors/ansible/index.ts';
import type { CreateContext } from '../../../src/executors/executor.ts';
import { type AnsibleFixture, createContext, startAnsibleFixture } from '../../support/ansible-executor.ts';
import type { AwxFixture } from '../../support/awx-sandbox.ts';
import { eventually, type KubeFixture } from '../../support/kube-sandbox.ts';
import { sampleRequest, uniqueSuffix } from '../../support/requests.ts';

const NS = 'kubernaut-workflows';

describe('AnsibleExecutor against the AWX and Kubernetes sandboxes (reference §6)', () => {
  let awx: AwxFixture;
  let kube: KubeFixture;
  let executor: AnsibleExecutor;
  let fixture: AnsibleFixture;
  before(async () => {
    fixture = await startAnsibleFixture();
    ({ awx, kube, executor } = fixture);
  });
  after(() => fixture.stop());
  beforeEach(() => {
    awx.sandbox.launches.length = 0;
  });

  const request = (options: Parameters<typeof sampleRequest>[0] = {}) => sampleRequest({ engine: 'ansible', ...options });
  const context = createContext;
  const run = async (req: ExecutionRequest, extra: Partial<CreateContext> = {}) => {
    const ctx = context(req, extra);
    return { ctx, ...(await fixture.launch(ctx)) };
  };
  /** The ephemeral credential name this context gets for a Secret. */
  const credentialName = (ctx: CreateContext, secretName: string) =>
    ephemeralCredentialName(secretName, {
      createdByRun: ctx.createdByRun,
      workflowExecution: ctx.request.workflowExecution.metadata,
      executionNamespace: ctx.executionNamespace,
    });
  const secret = (data: Record<string, string>) => fixture.secret(data);
  const cleanupOptions = (ctx: CreateContext, prepared?: PreparedCredentials) => ({
    deleteResource: true,
    executionNamespace: NS,
    createdByRun: ctx.createdByRun,
    ...(prepared ? { prepared } : {}),
  });

  test('engine is "ansible"', () => assert.equal(executor.engine, 'ansible'));

  test('UT-WE-015-001: template looked up by name, launched; ref awx-job-<id>; NAMESPACE a string, REPLICAS the number 3', async () => {
    const { handle, job, vars } = await run(request({ parameters: { NAMESPACE: 'default', REPLICAS: '3' } }));
    assert.equal(job?.job_template, 10);
    assert.match(handle.resourceName, /^awx-job-\d+$/);
    assert.equal(vars.NAMESPACE, 'default');
    assert.equal(vars.REPLICAS, 3);
  });

  test('UT-WE-015-006/007: WFE_* and RR_* system variables (empty RR without a reference); "512Mi" stays a string', async () => {
    const req = request({ parameters: { NEW_MEMORY_LIMIT: '512Mi' } });
    const { vars } = await run(req);
    assert.deepEqual(
      [vars.WFE_NAME, vars.WFE_NAMESPACE, vars.RR_NAME, vars.RR_NAMESPACE, vars.NEW_MEMORY_LIMIT],
      [req.workflowExecution.metadata.name, 'kubernaut-system', 'rr-1', 'kubernaut-system', '512Mi'],
    );
    const noRef = request();
    delete noRef.workflowExecution.spec.remediationRequestRef;
    const second = await run(noRef);
    assert.deepEqual([second.vars.RR_NAME, second.vars.RR_NAMESPACE], ['', '']);
  });

  test('a job template can be given by id (engineConfig.jobTemplateId)', async () => {
    const req = request();
    req.workflowExecution.spec.workflowRef.engineConfig = { playbookPath: 'x.yml', jobTemplateId: 10 };
    assert.equal((await run(req)).job?.job_template, 10);
  });

  test('UT-WE-015-004: no engineConfig → an error naming engineConfig', async () => {
    const req = request();
    delete req.workflowExecution.spec.workflowRef.engineConfig;
    await assert.rejects(executor.create(context(req)), /engineConfig/);
  });

  test('unknown template → non-retryable ConfigurationError naming it', async () => {
    await assert.rejects(
      executor.create(context(request({ jobTemplateName: 'no-such-template' }))),
      (error: Error & { type?: string; retryable?: boolean }) => {
        assert.equal(error.type, FailureType.ConfigurationError);
        assert.equal(error.retryable, false);
        assert.match(error.message, /AWX job template "no-such-template" not found/);
        return true;
      },
    );
  });

  test('UT-WE-015-005: a template lookup auth error propagates with "AWX" and its status, token not included', async () => {
    const wrong = new AnsibleExecutor({
      awx: new AwxHttpClient({ baseUrl: awx.sandbox.url, token: 'not-the-token-987', caFile: awx.caFile }),
      kube: kube.kube,
    });
    await assert.rejects(wrong.create(context(request())), (error: Error & { status?: number }) => {
      assert.match(error.message, /AWX/);
      assert.equal(error.status, 401);
      assert.ok(!error.message.includes('not-the-token-987'));
      return true;
    });
  });

  test('UT-WE-015-032: no dependencies → plain launch (no credentials key)', async () => {
    const { prepared } = await run(request());
    assert.deepEqual(prepared.ephemeralCredentialIds, []);
    assert.equal('credentials' in (awx.sandbox.launches.at(-1)?.body ?? {}), false);
  });

  test('UT-WE-015-030 / UT-WE-365-001: a Secret becomes type kubernaut-secret-<name> and an ephemeral credential; launched with [100, 200, it]', async () => {
    const name = secret({ username: 'admin', password: 'secret123' });
    const req = request({ secrets: [name] });
    const { ctx, prepared, handle, job } = await run(req);
    const [id] = prepared.ephemeralCredentialIds;
    const credential = awx.sandbox.credentials.get(id ?? -1);
    const type = awx.sandbox.credentialTypes.get(credential?.credential_type ?? -1);
    assert.equal(type?.name, `kubernaut-secret-${name}`);
    assert.deepEqual(type?.injectors.env, {
      [`KUBERNAUT_SECRET_${name.toUpperCase().replaceAll('-', '_')}_PASSWORD`]: '{{ password }}',
      [`KUBERNAUT_SECRET_${name.toUpperCase().replaceAll('-', '_')}_USERNAME`]: '{{ username }}',
    });
    assert.equal(credential?.name, credentialName(ctx, name));
    assert.deepEqual([credential?.organization, credential?.inputs], [1, { username: 'admin', password: 'secret123' }]);
    assert.deepEqual(job?.credentials, [100, 200, id]);
    assert.deepEqual(handle.ephemeralCredentialIds, [id], '§9.2 item 1: only the ephemeral ids are kept');
  });

  test('UT-WE-015-031: an existing credential type is reused, not created again', async () => {
    const name = secret({ token: 'x' });
    await run(request({ secrets: [name] }));
    const typesBefore = awx.sandbox.credentialTypes.size;
    const { prepared } = await run(request({ secrets: [name] }));
    assert.equal(awx.sandbox.credentialTypes.size, typesBefore);
    assert.equal(
      awx.sandbox.credentials.get(prepared.ephemeralCredentialIds[0] ?? -1)?.credential_type,
      [...awx.sandbox.credentialTypes.values()].find((type) => type.name === `kubernaut-secret-${name}`)?.id,
    );
  });

  test('UT-WE-015-033: a missing Secret → ConfigurationError naming it', async () => {
    await assert.rejects(
      executor.prepare(context(request({ secrets: ['absent-secret'] }))),
      (error: Error & { type?: string }) => error.type === 'ConfigurationError' && /absent-secret/.test(error.message),
    );
  });

  test('§9.2 item 2: when a later Secret fails, credentials created for earlier ones are rolled back', async () => {
    const first = secret({ a: '1' });
    const req = request({ secrets: [first, 'missing-second'] });
    const before = awx.sandbox.liveEphemeralCredentials().length;
    const ctx = context(req);
    await assert.rejects(executor.prepare(ctx), /missing-second/);
    assert.equal(awx.sandbox.liveEphemeralCredentials().length, before);
    assert.equal(awx.sandbox.credentialCreates.get(credentialName(ctx, first)), 1);
  });

  test('a transient failure on a later Secret keeps the earlier credential; the retry finds it (one create per name)', async () => {
    const first = secret({ a: '1' });
    const second = secret({ b: '2' });
    const req = request({ secrets: [first, second] });
    const ctx = context(req);
    awx.sandbox.failNext('GET', new RegExp(`/credential_types/\\?.*name=kubernaut-secret-${second}`), 503, 3);
    await assert.rejects(executor.prepare(ctx), (error: Error & { retryable?: boolean }) => error.retryable === true);
    assert.equal(
      awx.sandbox.liveEphemeralCredentials().filter((credential) => credential.name.includes(first)).length,
      1,
      'kept for the retry',
    );
    const prepared = await executor.prepare({ ...ctx, attempt: 2 });
    assert.equal(prepared.ephemeralCredentialIds.length, 2);
    for (const name of [first, second]) assert.equal(awx.sandbox.credentialCreates.get(credentialName(ctx, name)), 1);
  });

  test('§9.2 item 5: a retried prepare finds its credential by name instead of creating a second', async () => {
    const name = secret({ a: '1' });
    const req = request({ secrets: [name] });
    const ctx = context(req);
    const first = await executor.prepare(ctx);
    const second = await executor.prepare({ ...ctx, attempt: 2 });
    assert.deepEqual(second.ephemeralCredentialIds, first.ephemeralCredentialIds);
    assert.equal(second.created, 0);
    assert.equal(awx.sandbox.credentialCreates.get(credentialName(ctx, name)), 1);
  });

  test("§9.2 item 3: when a Secret's keys change, a type for the new fields is used; the old type stays as it was", async () => {
    const name = `rotating-${uniqueSuffix()}`;
    kube.sandbox.createSecret(NS, name, { token: 'v1' });
    await run(request({ secrets: [name] }));
    await kube.kube.core.replaceNamespacedSecret({
      name,
      namespace: NS,
      body: { metadata: { name }, stringData: { token: 'v2', extra: 'e' } },
    });
    const { prepared } = await run(request({ secrets: [name] }));
    const type = awx.sandbox.credentialTypes.get(
      awx.sandbox.credentials.get(prepared.ephemeralCredentialIds[0] ?? -1)?.credential_type ?? -1,
    );
    assert.match(type?.name ?? '', new RegExp(`^kubernaut-secret-${name}-[0-9a-f]{8}$`));
    assert.deepEqual(type?.inputs.fields?.map((field) => field.id).sort(), ['extra', 'token']);
    const original = [...awx.sandbox.credentialTypes.values()].find((candidate) => candidate.name === `kubernaut-secret-${name}`);
    assert.deepEqual(
      original?.inputs.fields?.map((field) => field.id),
      ['token'],
    );
  });

  test('§9.2 item 4: an auth error looking up the type is an error, not a create', async () => {
    const name = secret({ a: '1' });
    const typesBefore = awx.sandbox.credentialTypes.size;
    awx.sandbox.failNext('GET', /\/credential_types\/(\?|$)/, 403);
    await assert.rejects(
      executor.prepare(context(request({ secrets: [name] }))),
      (error: Error & { status?: number }) => error.status === 403,
    );
    assert.equal(awx.sandbox.credentialTypes.size, typesBefore);
  });

  test('concurrent executions needing the same new credential type: one type, both succeed', async () => {
    const name = secret({ a: '1' });
    const results = await Promise.all([
      executor.prepare(context(request({ secrets: [name] }))),
      executor.prepare(context(request({ secrets: [name] }))),
    ]);
    assert.equal(results.length, 2);
    assert.equal([...awx.sandbox.credentialTypes.values()].filter((type) => type.name === `kubernaut-secret-${name}`).length, 1);
  });

  test('§9.2 item 6: keys like tls.crt map to safe field ids and env names that AWX accepts', async () => {
    const name = secret({ 'tls.crt': 'CERT', 'tls.key': 'KEY' });
    const { prepared } = await run(request({ secrets: [name] }));
    const credential = awx.sandbox.credentials.get(prepared.ephemeralCredentialIds[0] ?? -1);
    assert.deepEqual(credential?.inputs, { tls_crt: 'CERT', tls_key: 'KEY' });
    const env = awx.sandbox.credentialTypes.get(credential?.credential_type ?? -1)?.injectors.env ?? {};
    assert.ok(Object.keys(env).every((key) => /^[A-Z0-9_]+$/.test(key)));
    assert.ok(Object.values(env).includes('{{ tls_crt }}'));
  });

  test('UT-WE-015-040/041: ConfigMaps become string extra_vars; with a Secret too, a with-credentials launch', async () => {
    kube.sandbox.createConfigMap(NS, 'app-config', { 'log-level': 'debug', 'max-retries': '5' });
    const cmOnly = await run(request({ configMaps: ['app-config'] }));
    assert.deepEqual(
      [cmOnly.vars.KUBERNAUT_CONFIGMAP_APP_CONFIG_LOG_LEVEL, cmOnly.vars.KUBERNAUT_CONFIGMAP_APP_CONFIG_MAX_RETRIES],
      ['debug', '5'],
    );
    assert.equal('credentials' in (awx.sandbox.launches.at(-1)?.body ?? {}), false);
    kube.sandbox.createConfigMap(NS, 'app-settings', { timeout: '30s' });
    const both = await run(request({ secrets: [secret({ a: '1' })], configMaps: ['app-settings'] }));
    assert.equal(both.vars.KUBERNAUT_CONFIGMAP_APP_SETTINGS_TIMEOUT, '30s');
    // Names and keys become [A-Z0-9_]: "." like "-" (a key "log.level" would read as an attribute in Jinja).
    kube.sandbox.createConfigMap(NS, 'dotted.cm', { 'log.level': 'warn' });
    assert.equal((await run(request({ configMaps: ['dotted.cm'] }))).vars.KUBERNAUT_CONFIGMAP_DOTTED_CM_LOG_LEVEL, 'warn');
    assert.ok(both.job?.credentials.includes(both.prepared.ephemeralCredentialIds[0] ?? -1));
  });

  test('UT-WE-015-042: a missing ConfigMap → error naming it', async () => {
    await assert.rejects(executor.create(context(request({ configMaps: ['absent-cm'] }))), /absent-cm/);
  });

  test('UT-WE-365-002: an ephemeral id equal to a template credential is not sent twice', async () => {
    await executor.create(context(request(), { prepared: { ephemeralCredentialIds: [200] } }));
    assert.deepEqual(awx.sandbox.launches.at(-1)?.body.credentials, [100, 200]);
  });

  test('UT-WE-365-003: a template without credentials → exactly the ephemeral ones', async () => {
    const template = awx.sandbox.addTemplate({ name: `bare-${uniqueSuffix()}` });
    const { job, prepared } = await run(request({ jobTemplateName: template.name, secrets: [secret({ a: '1' })] }));
    assert.deepEqual(job?.credentials, prepared.ephemeralCredentialIds);
  });

  test('UT-WE-365-005: listing the template credentials refused (403) → degraded launch with the ephemeral ones only', async () => {
    const template = awx.sandbox.addTemplate({ name: `hidden-${uniqueSuffix()}` });
    awx.sandbox.failNext('GET', /\/job_templates\/\d+\/credentials\/(\?|$)/, 403);
    const { job, prepared } = await run(request({ jobTemplateName: template.name, secrets: [secret({ a: '1' })] }));
    assert.deepEqual(job?.credentials, prepared.ephemeralCredentialIds);
  });

  test('a transient 500 listing the template credentials is retried rather than launching without them', async () => {
    const name = secret({ a: '1' });
    const ctx = context(request({ secrets: [name] }));
    const prepared = await executor.prepare(ctx);
    awx.sandbox.failNext('GET', /\/job_templates\/10\/credentials\/(\?|$)/, 500, 3);
    await assert.rejects(executor.create({ ...ctx, prepared }), (error: Error & { retryable?: boolean }) => error.retryable === true);
    const handle = await executor.create({ ...ctx, prepared, attempt: 2 });
    assert.deepEqual(awx.sandbox.jobs.get(handle.awxJobId ?? -1)?.credentials, [100, 200, ...prepared.ephemeralCredentialIds]);
  });

  test('a template that would ignore the variables or credentials is refused before launching, naming the setting', async () => {
    const noVars = awx.sandbox.addTemplate({ name: `no-vars-${uniqueSuffix()}`, askVariablesOnLaunch: false });
    await assert.rejects(executor.create(context(request({ jobTemplateName: noVars.name }))), /ask_variables_on_launch/);
    const noCreds = awx.sandbox.addTemplate({ name: `no-creds-${uniqueSuffix()}`, askCredentialOnLaunch: false });
    await assert.rejects(
      executor.create(context(request({ jobTemplateName: noCreds.name }), { prepared: { ephemeralCredentialIds: [100] } })),
      /ask_credential_on_launch/,
    );
    assert.equal(awx.sandbox.jobsOf(noVars.id).length + awx.sandbox.jobsOf(noCreds.id).length, 0);
  });

  test('regression: such a template is refused by prepare, before any credential holding the Secret values is created', async () => {
    const noCreds = awx.sandbox.addTemplate({ name: `no-creds-${uniqueSuffix()}`, askCredentialOnLaunch: false });
    const name = secret({ password: 'never-sent' });
    const creates = awx.sandbox.credentialCreates.size;
    await assert.rejects(
      executor.prepare(context(request({ jobTemplateName: noCreds.name, secrets: [name] }))),
      /ask_credential_on_launch/,
    );
    assert.equal(awx.sandbox.credentialCreates.size, creates, 'no credential was created');
  });

  test('crash safety: a retried create finds the job an earlier attempt launched (by its marker) and does not launch again', async () => {
    const ctx = context(request({ parameters: { SANDBOX_OUTCOME: 'hold' } }));
    const first = await executor.create(ctx);
    const retried = await executor.create({ ...ctx, attempt: 2 });
    assert.equal(retried.awxJobId, first.awxJobId);
    assert.equal(awx.sandbox.jobsWithMarker(ctx.createdByRun).length, 1);
  });

  test('status: a failed job carries the tail of its output (UT-WE-015-002b); a purged job is deleted externally (§9.2 item 21)', async () => {
    const { handle } = await run(request({ parameters: { SANDBOX_OUTCOME: 'failure', SANDBOX_DURATION_MS: '20' } }));
    const failed = await eventually(async () => {
      const observed = await executor.getStatus(request(), handle);
      return observed.kind === 'found' && observed.result.phase === 'Failed' ? observed.result : undefined;
    });
    assert.equal(failed.reason, 'AWXJobFailed');
    assert.match(failed.message, /connection refused/);
    assert.equal(failed.summary?.status, 'Failed');
    awx.sandbox.purgeJob(handle.awxJobId ?? -1);
    const gone = await executor.getStatus(request(), handle);
    assert.equal(gone.kind, 'notFound');
  });

  test('an executionRef without the awx-job- prefix is an error naming it', async () => {
    const handle: ExecutionHandle = { engine: 'ansible', executionNamespace: NS, resourceName: 'job-12' };
    await assert.rejects(executor.getStatus(request(), handle), /does not have awx-job- prefix/);
  });

  test('UT-WE-015-034 / 56 / §9.2 item 1: cleanup cancels the running job and deletes only the ephemeral credentials', async () => {
    const req = request({ secrets: [secret({ a: '1' }), secret({ b: '2' })], parameters: { SANDBOX_OUTCOME: 'hold' } });
    const { ctx, prepared, handle } = await run(req);
    const report = await executor.cleanup(req, handle, cleanupOptions(ctx, prepared));
    assert.equal(report.credentialsDeleted, 2);
    for (const id of prepared.ephemeralCredentialIds) assert.equal(awx.sandbox.credentials.has(id), false);
    assert.ok(awx.sandbox.credentials.has(100) && awx.sandbox.credentials.has(200), 'the template credentials stay');
    await eventually(() => awx.sandbox.jobs.get(handle.awxJobId ?? -1)?.status === 'canceled' || undefined);
  });

  test('UT-WE-015-036 / 57: no credentials and no ref → nothing deleted, nothing cancelled', async () => {
    const deletes = awx.sandbox.credentialDeletes;
    const report = await executor.cleanup(request(), undefined, { deleteResource: true, executionNamespace: NS });
    assert.equal(report.credentialsDeleted, 0);
    assert.equal(awx.sandbox.credentialDeletes, deletes);
  });

  test('cleanup finds credentials by name whose ids never reached the workflow (orphans) and deletes them', async () => {
    const name = secret({ a: '1' });
    const req = request({ secrets: [name] });
    const ctx = context(req);
    await executor.prepare(ctx); // its result "lost" in a crash
    const report = await executor.cleanup(req, undefined, cleanupOptions(ctx));
    assert.deepEqual([report.credentialsDeleted, report.orphanedCredentialsFound], [1, 1]);
    assert.equal(
      awx.sandbox.liveEphemeralCredentials().filter((credential) => credential.name.endsWith(req.workflowExecution.metadata.name)).length,
      0,
    );
  });

  test('cleanup without a handle finds and cancels the job an interrupted create launched', async () => {
    const req = request({ parameters: { SANDBOX_OUTCOME: 'hold' } });
    const ctx = context(req);
    const handle = await executor.create(ctx); // handle "lost"
    await executor.cleanup(req, undefined, cleanupOptions(ctx));
    await eventually(() => awx.sandbox.jobs.get(handle.awxJobId ?? -1)?.status === 'canceled' || undefined);
  });

  test('UT-WE-015-035 (made safer): a failed credential delete fails cleanup after trying the rest, so it is retried; nothing leaks', async () => {
    const req = request({ secrets: [secret({ a: '1' }), secret({ b: '2' })] });
    const { ctx, prepared, handle } = await run(req);
    awx.sandbox.failNext('DELETE', new RegExp(`/credentials/${prepared.ephemeralCredentialIds[0]}/$`), 500, 3);
    await assert.rejects(
      executor.cleanup(req, handle, cleanupOptions(ctx, prepared)),
      (error: Error & { retryable?: boolean }) => error.retryable === true,
    );
    assert.equal(awx.sandbox.credentials.has(prepared.ephemeralCredentialIds[1] ?? -1), false, 'the other one was deleted');
    const retry = await executor.cleanup(req, handle, cleanupOptions(ctx, prepared));
    assert.equal(retry.credentialsDeleted, 1);
    for (const id of prepared.ephemeralCredentialIds) assert.equal(awx.sandbox.credentials.has(id), false);
  });

  test('stop cancels a running job; a finished one (405) is fine', async () => {
    const running = await run(request({ parameters: { SANDBOX_OUTCOME: 'hold' } }));
    await executor.stop(request(), running.handle);
    await eventually(() => awx.sandbox.jobs.get(running.handle.awxJobId ?? -1)?.status === 'canceled' || undefined);
    await executor.stop(request(), running.handle);
  });
});
