import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { createKubeClients, loadKubeConfig } from '../../src/clients/kube.ts';
import { validateExecutionRequest } from '../../src/domain/validate.ts';
import { JobExecutor } from '../../src/executors/job.ts';
import { ExecutorRegistry } from '../../src/executors/registry.ts';
import { WORKFLOW_TYPE } from '../../src/workflows/definitions.ts';
import { type ExecutionEnvironment, startExecutionEnvironment } from '../support/execution-env.ts';
import { sampleRequest, uniqueSuffix } from '../support/requests.ts';

const FOLDER = new URL('../fixtures/bad-requests/', import.meta.url);
const corpus = readdirSync(FOLDER)
  .filter((file) => file.endsWith('.json'))
  .sort()
  .map((file) => ({
    file,
    ...(JSON.parse(readFileSync(new URL(file, FOLDER), 'utf8')) as { description: string; field: string; request: unknown }),
  }));

describe('bad input: a corpus of malformed requests fails fast, non-retryably, naming the field; nothing is created', () => {
  let env: ExecutionEnvironment;
  before(async () => {
    env = await startExecutionEnvironment({ awx: true });
  });
  after(() => env.stop());

  test(`the corpus has at least 30 cases (${corpus.length})`, () => assert.ok(corpus.length >= 30));

  test('validateExecutionRequest names the expected field for every case', () => {
    for (const { file, field, request } of corpus) {
      const fields = validateExecutionRequest(request).map((problem) => problem.field);
      assert.ok(fields.includes(field), `${file}: expected ${field}, got ${JSON.stringify(fields)}`);
    }
  });

  test('started through Temporal directly, each fails with InvalidExecutionRequest naming the field, in one workflow task, with no create', async () => {
    const creates = () =>
      env.kube.sandbox.totalCreates('Job') +
      env.kube.sandbox.totalCreates('PipelineRun') +
      (env.awx?.sandbox.launches.length ?? 0) +
      (env.awx?.sandbox.credentialCreates.size ?? 0);
    const before = creates();
    await Promise.all(
      corpus.map(async ({ file, field, request }) => {
        const handle = await env.client.workflow.start(WORKFLOW_TYPE, {
          taskQueue: env.taskQueue,
          workflowId: `bad-${file}-${uniqueSuffix()}`,
          args: [request],
        });
        const result = await env.executions.waitForResult(handle.workflowId);
        assert.deepEqual([result.phase, result.reason], ['Failed', 'InvalidExecutionRequest'], file);
        assert.ok(result.message.includes(`${field}:`), `${file}: ${result.message.slice(0, 200)}`);
        const history = await handle.fetchHistory();
        assert.ok(!history.events?.some((event) => event.activityTaskScheduledEventAttributes), `${file}: no activity was scheduled`);
        assert.equal(
          history.events?.filter((event) => event.workflowTaskStartedEventAttributes).length,
          1,
          `${file}: failed in its first workflow task`,
        );
      }),
    );
    assert.equal(creates(), before);
  });
});

describe('backend answers that retrying cannot fix end the execution with a clear reason after one attempt', () => {
  let env: ExecutionEnvironment;
  before(async () => {
    env = await startExecutionEnvironment({ awx: true });
  });
  after(() => env.stop());

  /** Runs a request; returns its result and how many times its create activity was attempted. */
  const runOnce = async (environment: ExecutionEnvironment, request: ReturnType<typeof sampleRequest>) => {
    const { workflowId } = await environment.executions.startExecution(request);
    const result = await environment.executions.waitForResult(workflowId);
    const history = await environment.client.workflow.getHandle(workflowId).fetchHistory();
    const attempts = (history.events ?? [])
      .filter((event) => event.activityTaskStartedEventAttributes)
      .map((event) => event.activityTaskStartedEventAttributes?.attempt ?? 1);
    return { result, maxAttempt: Math.max(1, ...attempts) };
  };
  const policy = { pollInitialMs: 50, pollMaxMs: 200 };

  for (const [status, kind, path] of [
    [400, 'Job', /\/jobs$/],
    [403, 'Job', /\/jobs$/],
    [422, 'PipelineRun', /\/pipelineruns$/],
  ] as const) {
    test(`Kubernetes ${status} on create of a ${kind} → Failed BackendRejected naming ${status}`, async () => {
      env.kube.sandbox.failNext('POST', path, status);
      const { result, maxAttempt } = await runOnce(env, sampleRequest({ engine: kind === 'Job' ? 'job' : 'tekton', policy }));
      assert.deepEqual([result.phase, result.reason], ['Failed', 'BackendRejected']);
      assert.match(result.message, new RegExp(`HTTP ${status}`));
      assert.equal(maxAttempt, 1);
    });
  }

  test('Kubernetes 401 (a worker with a bad token) → Failed BackendRejected after one attempt', async () => {
    const isolated = await startExecutionEnvironment({
      registry: (kube) => {
        const config = loadKubeConfig({ kubeconfigPath: kube.kubeconfigPath });
        config.users = config.users.map((user) => ({ ...user, token: 'not-the-token' }));
        return new ExecutorRegistry().register(new JobExecutor({ kube: createKubeClients(config) }));
      },
    });
    try {
      const { result, maxAttempt } = await runOnce(isolated, sampleRequest({ engine: 'job', policy }));
      assert.deepEqual([result.phase, result.reason, maxAttempt], ['Failed', 'BackendRejected', 1]);
      assert.match(result.message, /401/);
    } finally {
      await isolated.stop();
    }
  });

  test('AWX: unknown template (404) → ConfigurationError naming it; a 400 on launch → BackendRejected; both after one attempt', async () => {
    const missing = await runOnce(env, sampleRequest({ engine: 'ansible', jobTemplateName: 'not-a-template', policy }));
    assert.deepEqual([missing.result.reason, missing.maxAttempt], ['ConfigurationError', 1]);
    assert.match(missing.result.message, /"not-a-template" not found/);
    env.awx?.sandbox.failNext('POST', /\/launch\/$/, 400);
    const refused = await runOnce(env, sampleRequest({ engine: 'ansible', policy }));
    assert.deepEqual([refused.result.reason, refused.maxAttempt], ['BackendRejected', 1]);
    assert.match(refused.result.message, /returned 400/);
  });

  test('a transient 503 on create is retried and the execution completes (one resource)', async () => {
    env.kube.sandbox.failNext('POST', /\/jobs$/, 503, 2);
    const request = sampleRequest({ engine: 'job', policy });
    const { result, maxAttempt } = await runOnce(env, request);
    assert.deepEqual([result.phase, maxAttempt], ['Completed', 3]);
  });
});
