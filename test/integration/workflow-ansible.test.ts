import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AwxHttpClient } from '../../src/clients/awx.ts';
import type { ExecutionRequest } from '../../src/domain/types.ts';
import { AnsibleExecutor } from '../../src/executors/ansible/index.ts';
import { ExecutorRegistry } from '../../src/executors/registry.ts';
import { EXECUTION_NAMESPACE, type ExecutionEnvironment, startExecutionEnvironment } from '../support/execution-env.ts';
import { eventually } from '../support/kube-sandbox.ts';
import { sampleRequest, uniqueSuffix } from '../support/requests.ts';
import { installCapturingRuntime } from '../support/temporal.ts';

const FAST = { pollInitialMs: 50, pollMaxMs: 200, stopGraceMs: 5000 };
const logLines: string[] = [];
installCapturingRuntime(logLines);

describe('runExecution with the ansible engine on the real dev server, AWX and Kubernetes sandboxes', () => {
  let env: ExecutionEnvironment;
  const secretValues: string[] = [];
  before(async () => {
    env = await startExecutionEnvironment({ awx: true });
  });
  after(async () => {
    // Secret-leak scan over everything this file produced: histories of every execution and every log line.
    const histories: string[] = [];
    for await (const execution of env.client.workflow.list({ query: `WorkflowType = 'runExecution' AND TaskQueue = '${env.taskQueue}'` })) {
      histories.push(JSON.stringify(await env.client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory()));
    }
    const haystacks = [...histories, ...logLines];
    process.stdout.write(
      `# leak scan: ${histories.length} histories, ${logLines.length} log lines, ${secretValues.length} secret values\n`,
    );
    assert.ok(histories.length >= 5 && logLines.length > 0);
    for (const value of [...secretValues, env.awx?.sandbox.token ?? '']) {
      for (const candidate of [value, Buffer.from(value).toString('base64')]) {
        assert.equal(haystacks.filter((text) => text.includes(candidate)).length, 0, 'a secret value leaked');
      }
    }
    await env.stop();
  });

  const awx = () => {
    if (!env.awx) throw new Error('no AWX sandbox');
    return env.awx.sandbox;
  };
  /** Two Secrets with distinctive values, registered for the leak scan. */
  const twoSecrets = (): string[] =>
    ['db', 'api'].map((kind) => {
      const name = `${kind}-creds-${uniqueSuffix()}`;
      const value = `leak-canary-${kind}-${uniqueSuffix()}-${Math.random().toString(36).slice(2)}`;
      secretValues.push(value);
      env.kube.sandbox.createSecret(EXECUTION_NAMESPACE, name, { password: value, username: `user-${kind}` });
      return name;
    });
  const request = (parameters: Record<string, string> = {}, options: Parameters<typeof sampleRequest>[0] = {}): ExecutionRequest =>
    sampleRequest({ engine: 'ansible', parameters: { NAMESPACE: 'default', ...parameters }, policy: FAST, ...options });
  const ephemeralOf = (req: ExecutionRequest) =>
    awx()
      .liveEphemeralCredentials()
      .filter((credential) => credential.name.endsWith(`-${req.workflowExecution.metadata.name}`));
  const markerJobs = (workflowId: string) =>
    [...awx().jobs.values()].filter((job) =>
      (JSON.parse(job.extra_vars) as Record<string, string>).KUBERNAUT_EXECUTION_MARKER?.startsWith(`${workflowId}/`),
    );

  test('success with two secret dependencies: credentials exist during the run, none after; one job launched', async () => {
    const req = request({ SANDBOX_DURATION_MS: '300' }, { secrets: twoSecrets() });
    const started = await env.executions.startExecution(req);
    const result = await env.executions.waitForResult(started.workflowId);
    assert.deepEqual([result.phase, result.reason], ['Completed', 'AWXJobSuccessful']);
    const [job] = markerJobs(started.workflowId);
    assert.equal(markerJobs(started.workflowId).length, 1);
    const attached = (job?.credentials ?? []).filter((id) => id !== 100 && id !== 200);
    assert.equal(attached.length, 2);
    assert.ok(
      attached.every((id) => job?.credentialsAtStart[id] === true),
      'the credentials existed when the job ran',
    );
    assert.equal(ephemeralOf(req).length, 0);
    assert.ok(awx().credentials.has(100) && awx().credentials.has(200), 'template credentials untouched');
    const view = await env.executions.getExecution(started.workflowId);
    assert.equal(view.status?.cleanup?.report?.credentialsDeleted, 2);
  });

  test('failure: Failed AWXJobFailed with the tail of the job output; credentials deleted', async () => {
    const req = request({ SANDBOX_OUTCOME: 'failure', SANDBOX_DURATION_MS: '100' }, { secrets: twoSecrets() });
    const started = await env.executions.startExecution(req);
    const result = await env.executions.waitForResult(started.workflowId);
    assert.deepEqual([result.phase, result.reason], ['Failed', 'AWXJobFailed']);
    assert.match(result.message, /fatal: \[localhost\]: FAILED!.*connection refused/);
    assert.equal(ephemeralOf(req).length, 0);
    assert.equal(markerJobs(started.workflowId).length, 1);
  });

  test('cancel mid-run: the AWX job is canceled and the credentials deleted', async () => {
    const req = request({ SANDBOX_OUTCOME: 'hold' }, { secrets: twoSecrets() });
    const started = await env.executions.startExecution(req);
    await eventually(async () => (await env.executions.getExecution(started.workflowId)).status?.phase === 'Running');
    await env.executions.cancelExecution(started.workflowId);
    const result = await env.executions.waitForResult(started.workflowId);
    assert.deepEqual([result.phase, result.reason], ['Failed', 'Cancelled']);
    const [job] = markerJobs(started.workflowId);
    assert.equal(job?.status, 'canceled');
    assert.equal(ephemeralOf(req).length, 0);
  });

  test('timeout: DeadlineExceeded, the AWX job is canceled and the credentials deleted', async () => {
    const req = request({ SANDBOX_OUTCOME: 'hold' }, { secrets: twoSecrets(), timeout: '1500ms' });
    const started = await env.executions.startExecution(req);
    const result = await env.executions.waitForResult(started.workflowId);
    assert.deepEqual([result.phase, result.reason], ['Failed', 'DeadlineExceeded']);
    assert.equal(markerJobs(started.workflowId)[0]?.status, 'canceled');
    assert.equal(ephemeralOf(req).length, 0);
  });

  test('the template is looked up by name; an unknown template fails non-retryably naming it, nothing left behind', async () => {
    const template = awx().addTemplate({ name: `named template ${uniqueSuffix()}` });
    const ok = await env.executions.startExecution(request({}, { jobTemplateName: template.name }));
    assert.equal((await env.executions.waitForResult(ok.workflowId)).phase, 'Completed');
    assert.equal(awx().jobsOf(template.id).length, 1);
    const req = request({}, { jobTemplateName: 'does-not-exist', secrets: twoSecrets() });
    const started = await env.executions.startExecution(req);
    const result = await env.executions.waitForResult(started.workflowId);
    assert.deepEqual([result.phase, result.reason], ['Failed', 'ConfigurationError']);
    assert.match(result.message, /AWX job template "does-not-exist" not found/);
    assert.equal(ephemeralOf(req).length, 0, 'credentials made before the failure were deleted');
  });

  test('a worker with a wrong AWX token: the execution fails BackendRejected (401) and the token appears nowhere', async () => {
    const wrongToken = `wrong-awx-token-${uniqueSuffix()}`;
    secretValues.push(wrongToken);
    const isolated = await startExecutionEnvironment({
      registry: (kube) =>
        new ExecutorRegistry().register(
          new AnsibleExecutor({
            awx: new AwxHttpClient({ baseUrl: awx().url, token: wrongToken, caFile: env.awx?.caFile ?? '' }),
            kube: kube.kube,
          }),
        ),
    });
    try {
      const started = await isolated.executions.startExecution(request());
      const result = await isolated.executions.waitForResult(started.workflowId);
      assert.deepEqual([result.phase, result.reason], ['Failed', 'BackendRejected']);
      assert.match(result.message, /401/);
      assert.ok(!result.message.includes(wrongToken));
      const history = JSON.stringify(await isolated.client.workflow.getHandle(started.workflowId).fetchHistory());
      assert.ok(!history.includes(wrongToken));
    } finally {
      await isolated.stop();
    }
  });

  test('after every execution of this file: zero live ephemeral credentials', () => {
    assert.equal(awx().liveEphemeralCredentials().length, 0);
  });
});
