import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { freePort } from '../../scripts/lib/free-port.ts';
import { createJsonLogger } from '../../src/logging.ts';
import { EXECUTION_NAMESPACE, type ExecutionEnvironment, startExecutionEnvironment } from '../support/execution-env.ts';
import { eventually } from '../support/kube-sandbox.ts';
import { sampleRequest, uniqueSuffix } from '../support/requests.ts';
import { installTestRuntime } from '../support/temporal.ts';

const port = await freePort();
const logLines: string[] = [];
// The worker's runtime as in production: JSON logs and the Prometheus endpoint with Temporal's metrics and ours.
installTestRuntime({
  logger: createJsonLogger('INFO', (line) => logLines.push(line)),
  telemetryOptions: {
    logging: { forward: {}, filter: { core: 'WARN', other: 'WARN' } },
    metrics: {
      prometheus: { bindAddress: `127.0.0.1:${port}`, countersTotalSuffix: true, unitSuffix: true, useSecondsForDurations: true },
    },
  },
});

describe('observability: Prometheus metrics and JSON logs of the worker', () => {
  let env: ExecutionEnvironment;
  const secretValue = `metrics-canary-${uniqueSuffix()}`;
  before(async () => {
    env = await startExecutionEnvironment({ awx: true });
    env.kube.sandbox.createSecret(EXECUTION_NAMESPACE, 'observed-creds', { password: secretValue });
  });
  after(() => env.stop());

  const scrape = async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const value = (text: string, name: string, labels: Record<string, string> = {}): number => {
    const lines = text.split('\n').filter((line) => line.startsWith(name) && !line.startsWith('#'));
    const matching = lines.filter((line) => Object.entries(labels).every(([key, label]) => line.includes(`${key}="${label}"`)));
    return matching.reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
  };

  test("the endpoint serves the Temporal runtime's metrics and ours by engine and outcome", async () => {
    const policy = { pollInitialMs: 50, pollMaxMs: 200 };
    const ok = await env.executions.startExecution(sampleRequest({ engine: 'ansible', secrets: ['observed-creds'], policy }));
    const bad = await env.executions.startExecution(
      sampleRequest({ engine: 'job', parameters: { SANDBOX_OUTCOME: 'failure', SANDBOX_DURATION_MS: '50' }, policy }),
    );
    assert.equal((await env.executions.waitForResult(ok.workflowId)).phase, 'Completed');
    assert.equal((await env.executions.waitForResult(bad.workflowId)).phase, 'Failed');
    const text = await eventually(
      async () => {
        const body = await scrape();
        return value(body, 'kubernaut_executions_finished', { engine: 'job', outcome: 'failed' }) >= 1 &&
          value(body, 'kubernaut_ephemeral_credentials_deleted') >= 1
          ? body
          : undefined;
      },
      15_000,
      'metrics exported',
    );
    process.stdout.write(
      `# metric families: ${
        new Set(
          text
            .split('\n')
            .filter((line) => line.startsWith('# TYPE'))
            .map((line) => line.split(' ')[2]),
        ).size
      }\n`,
    );
    assert.ok(value(text, 'temporal_workflow_completed') + value(text, 'temporal_workflow_failed') >= 1, 'SDK metrics are there');
    assert.ok(
      value(text, 'temporal_activity_execution_latency_count') >= 1 || text.includes('temporal_activity_execution_latency'),
      'activity metrics are there',
    );
    // Prometheus conventions: counters end in _total; the duration histogram is in seconds, by engine and outcome.
    assert.match(text, /^kubernaut_executions_finished_total\{/m);
    assert.match(text, /^# TYPE kubernaut_execution_duration_seconds histogram$/m);
    assert.match(text, /^kubernaut_execution_duration_seconds_count\{[^}]*engine="job"[^}]*outcome="failed"/m);
    assert.equal(value(text, 'kubernaut_executions_started', { engine: 'ansible' }), 1);
    assert.equal(value(text, 'kubernaut_executions_finished', { engine: 'ansible', outcome: 'completed' }), 1);
    assert.equal(value(text, 'kubernaut_executions_finished', { engine: 'job', outcome: 'failed' }), 1);
    assert.equal(value(text, 'kubernaut_ephemeral_credentials_created', { engine: 'ansible' }), 1);
    assert.equal(value(text, 'kubernaut_ephemeral_credentials_deleted', { engine: 'ansible' }), 1);
  });

  test('backend API errors are counted by status', async () => {
    env.kube.sandbox.faults.configure({ rate: 1, kinds: ['error'], seed: 3 });
    const started = await env.executions.startExecution(sampleRequest({ engine: 'job', policy: { pollInitialMs: 50, pollMaxMs: 200 } }));
    await eventually(
      async () => ((await scrape()).includes('kubernaut_backend_api_errors') ? true : undefined),
      15_000,
      'backend error metric',
    );
    env.kube.sandbox.faults.configure({ rate: 0 });
    assert.equal((await env.executions.waitForResult(started.workflowId)).phase, 'Completed', 'retried through the 500s');
    assert.ok(value(await scrape(), 'kubernaut_backend_api_errors', { engine: 'job', status: '500' }) >= 1);
  });

  test('logs are JSON lines with the execution identity and no secret value', () => {
    assert.ok(logLines.length > 0);
    const parsed = logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const created = parsed.find((entry) => entry.message === 'execution resource created' && entry.engine === 'ansible');
    assert.ok(created, 'a line per created resource');
    for (const field of ['time', 'level', 'workflowExecution', 'engine', 'targetResource', 'workflowId', 'activityType'])
      assert.ok(field in created, field);
    assert.ok(logLines.every((line) => !line.includes(secretValue)));
  });
});
