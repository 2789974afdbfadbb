import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { EXECUTION_NAMESPACE, type ExecutionEnvironment, startExecutionEnvironment } from '../support/execution-env.ts';
import { eventually } from '../support/kube-sandbox.ts';
import { sampleRequest, uniqueSuffix } from '../support/requests.ts';
import { testServerAddress } from '../support/temporal.ts';

const CLI = new URL('../../src/cli.ts', import.meta.url).pathname;
const run = promisify(execFile);

describe('kubernaut-exec CLI against the real dev server', () => {
  let env: ExecutionEnvironment;
  const dir = mkdtempSync(join(tmpdir(), 'cli-'));
  before(async () => {
    env = await startExecutionEnvironment();
  });
  after(() => env.stop());

  /** Runs the CLI as a process; resolves with its exit code and output. */
  const cliWith = (extraEnv: Record<string, string>, ...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [CLI, '--task-queue', env.taskQueue, ...args],
        { env: { ...process.env, TEMPORAL_ADDRESS: testServerAddress(), ...extraEnv } },
        (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  const cli = (...args: string[]) => cliWith({}, ...args);

  test('--help shows the commands, exit codes and examples', async () => {
    const { code, stdout } = await cli('--help');
    assert.equal(code, 0);
    for (const text of ['start', 'status', 'wait', 'cancel', 'list', 'logs', 'sweep', 'setup', 'Exit codes', 'Examples:'])
      assert.ok(stdout.includes(text), text);
  });

  test('start a YAML request --wait → exit 0 and a Completed result in JSON', async () => {
    const file = join(dir, 'request.yaml');
    const request = sampleRequest({ engine: 'job', policy: { pollInitialMs: 100, pollMaxMs: 200 } });
    writeFileSync(file, stringify(request));
    const { code, stdout, stderr } = await cli('start', file, '--wait', '-o', 'json');
    assert.equal(code, 0, stderr);
    const printed = JSON.parse(stdout) as { phase: string; workflowId: string };
    assert.equal(printed.phase, 'Completed');
  });

  test('start a bare WorkflowExecution manifest with flags, then status and list read it back', async () => {
    const target = `cache/Deployment/redis-${uniqueSuffix()}`;
    const started = await cli(
      'start',
      'examples/workflowexecution.yaml',
      '--name',
      `wfe-cli-${uniqueSuffix()}`,
      '--target',
      target,
      '--param',
      'SANDBOX_OUTCOME=hold',
      '-o',
      'json',
    );
    assert.equal(started.code, 0, started.stderr);
    const { workflowId } = JSON.parse(started.stdout) as { workflowId: string };
    await eventually(async () => (await env.executions.getExecution(workflowId)).status?.phase === 'Running');
    const status = await cli('status', workflowId);
    assert.equal(status.code, 0);
    assert.match(status.stdout, /RUNNING\s+engine=job phase=Running/);
    assert.match(status.stdout, new RegExp(`resource: ${EXECUTION_NAMESPACE}/${workflowId}`));
    const listed = await cli('list', '--engine', 'job', '--target', target, '-o', 'json');
    assert.deepEqual(
      (JSON.parse(listed.stdout) as { workflowId: string }[]).map((view) => view.workflowId),
      [workflowId],
    );
    // A second start for the running target: exit 3 (locked).
    const locked = await cli('start', 'examples/workflowexecution.yaml', '--name', `wfe-cli-${uniqueSuffix()}`, '--target', target);
    assert.equal(locked.code, 3, locked.stderr);
    assert.match(locked.stderr, /target locked/);
    const cancelled = await cli('cancel', workflowId);
    assert.equal(cancelled.code, 0);
    const waited = await cli('wait', workflowId);
    assert.equal(waited.code, 1, 'a cancelled execution is not Completed');
    assert.match(waited.stdout, /Failed \(Cancelled\)/);
  });

  test('an invalid request exits 2 naming the fields; nothing starts', async () => {
    const { code, stderr } = await cli('start', '--name', 'Bad_Name', '--target', 'nowhere', '--engine', 'job');
    assert.equal(code, 2);
    assert.match(stderr, /metadata\.name/);
    assert.match(stderr, /spec\.targetResource/);
    assert.match(stderr, /spec\.workflowRef\.executionBundle/);
  });

  test('regression: a missing or malformed request file exits 2 at once, before connecting (the address here is unreachable)', async () => {
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'workflowExecution: [unclosed');
    for (const [file, pattern] of [
      [join(dir, 'absent.yaml'), /absent\.yaml: cannot read it \(ENOENT\)/],
      [broken, /broken\.yaml: not valid YAML or JSON/],
    ] as const) {
      const { code, stderr } = await cliWith({ TEMPORAL_ADDRESS: '127.0.0.1:1' }, 'start', file);
      assert.equal(code, 2, stderr);
      assert.match(stderr, pattern);
      assert.ok(stderr.split('\n').filter(Boolean).length <= 2, `a short usage error, not the whole help: ${stderr}`);
    }
  });

  test('--version, --dry-run (prints the request and its workflow ID, starts nothing), -o yaml, list with a header', async () => {
    assert.match((await cli('--version')).stdout, /^\d+\.\d+\.\d+/);
    const target = `dry/Deployment/run-${uniqueSuffix()}`;
    const dry = await cli('start', 'examples/workflowexecution.yaml', '--target', target, '--dry-run', '-o', 'json');
    assert.equal(dry.code, 0, dry.stderr);
    const printed = JSON.parse(dry.stdout) as { workflowId: string; request: { workflowExecution: { spec: { targetResource: string } } } };
    assert.equal(printed.request.workflowExecution.spec.targetResource, target);
    await assert.rejects(env.executions.getExecution(printed.workflowId), 'nothing was started');
    const request = sampleRequest({ engine: 'job', policy: { pollInitialMs: 100, pollMaxMs: 200 } });
    const { workflowId } = await env.executions.startExecution(request);
    await env.executions.waitForResult(workflowId);
    const yaml = await cli('status', workflowId, '-o', 'yaml');
    assert.match(yaml.stdout, new RegExp(`workflowId: ${workflowId}`));
    assert.match(yaml.stdout, /phase: Completed/);
    const listed = await cli('list', '--target', request.workflowExecution.spec.targetResource);
    const [header, row] = listed.stdout.split('\n');
    assert.match(header ?? '', /^WORKFLOW ID\s+STATUS\s+ENGINE\s+PHASE\s+WORKFLOW EXECUTION\s+TARGET$/);
    assert.ok(row?.startsWith(workflowId));
  });

  test('wait --timeout exits 6 while the execution goes on', async () => {
    const request = sampleRequest({
      engine: 'job',
      parameters: { SANDBOX_OUTCOME: 'hold' },
      policy: { pollInitialMs: 100, pollMaxMs: 200 },
    });
    const { workflowId } = await env.executions.startExecution(request);
    const waited = await cli('wait', workflowId, '--timeout', '1s');
    assert.equal(waited.code, 6, waited.stderr);
    assert.match(waited.stdout, /still running after 1s/);
    assert.equal((await env.executions.getExecution(workflowId)).workflowStatus, 'RUNNING');
    await env.executions.cancelExecution(workflowId);
    await env.executions.waitForResult(workflowId);
  });

  test('regression: TEMPORAL_TLS=false beside an API key is refused (the key would go in plaintext); TEMPORAL_TLS=false alone means no TLS', async () => {
    const refused = await cliWith({ TEMPORAL_TLS: 'false', TEMPORAL_API_KEY: 'not-a-real-key' }, 'list');
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /plaintext/);
    assert.ok(!refused.stderr.includes('not-a-real-key'));
    const plain = await cliWith({ TEMPORAL_TLS: 'false' }, 'list', '--limit', '1');
    assert.equal(plain.code, 0, plain.stderr);
  });

  test('setup on a fresh namespace registers the search attributes and the sweeper schedule; start before it names the cause and the command', async () => {
    const namespace = `fresh-${uniqueSuffix()}`;
    await run(process.env.TEMPORAL_CLI_PATH ?? 'temporal', [
      'operator',
      'namespace',
      'create',
      '--namespace',
      namespace,
      '--address',
      testServerAddress(),
    ]);
    const file = join(dir, 'fresh.json');
    writeFileSync(file, JSON.stringify(sampleRequest({ engine: 'job' })));
    const before = await eventually(async () => {
      const attempt = await cli('--namespace', namespace, 'start', file);
      return /not registered|not found/.test(attempt.stderr) ? undefined : attempt; // the new namespace becomes visible
    }, 30_000);
    assert.equal(before.code, 5, before.stderr);
    assert.match(before.stderr, /not set up for executions .*run `kubernaut-exec setup`/);
    const setup = await cli('--namespace', namespace, 'setup', '-o', 'json');
    assert.equal(setup.code, 0, setup.stderr);
    const report = JSON.parse(setup.stdout) as { searchAttributes: { name: string; result: string }[]; sweeperSchedule: string };
    assert.deepEqual(
      report.searchAttributes.map((entry) => [entry.name, entry.result]),
      ['ExecutionEngine', 'TargetResource', 'ExecutionPhase', 'WorkflowExecutionName'].map((name) => [name, 'registered']),
    );
    assert.equal(report.sweeperSchedule, 'created');
    const again = JSON.parse((await cli('--namespace', namespace, 'setup', '-o', 'json')).stdout) as typeof report;
    assert.ok(
      again.searchAttributes.every((entry) => entry.result === 'already registered'),
      'idempotent',
    );
    assert.equal(again.sweeperSchedule, 'exists');
    const started = await eventually(async () => {
      const attempt = await cli('--namespace', namespace, 'start', file, '-o', 'json');
      return attempt.code === 0 ? attempt : undefined; // search attributes reach visibility shortly after
    }, 30_000);
    assert.match(started.stdout, /"workflowId"/);
  });

  test('logs shows an AWX job output with the Secret values masked', async () => {
    const awxEnv = await startExecutionEnvironment({ awx: true });
    try {
      const value = `log-secret-${uniqueSuffix()}`;
      awxEnv.kube.sandbox.createSecret(EXECUTION_NAMESPACE, 'log-creds', { password: value });
      const request = sampleRequest({
        engine: 'ansible',
        secrets: ['log-creds'],
        parameters: { SANDBOX_OUTCOME: 'hold' },
        policy: { pollInitialMs: 100, pollMaxMs: 200 },
      });
      const { workflowId } = await awxEnv.executions.startExecution(request);
      const handle = await eventually(async () => (await awxEnv.executions.getExecution(workflowId)).status?.handle);
      const job = awxEnv.awx?.sandbox.jobs.get(handle.awxJobId ?? -1) ?? assert.fail('job');
      job.events.push({
        counter: job.events.length + 1,
        event: 'runner_on_ok',
        stdout: `ok: password is ${value}`,
        created: new Date().toISOString(),
      });
      const logs = await cliWith({}, '--task-queue', awxEnv.taskQueue, 'logs', workflowId);
      assert.equal(logs.code, 0, logs.stderr);
      assert.match(logs.stdout, /ok: password is \[REDACTED\]/);
      assert.ok(!logs.stdout.includes(value));
      await awxEnv.executions.cancelExecution(workflowId);
      await awxEnv.executions.waitForResult(workflowId);
    } finally {
      await awxEnv.stop();
    }
  });

  test('a failed execution: wait exits 1; an unknown execution exits 4', async () => {
    const request = sampleRequest({
      engine: 'job',
      parameters: { SANDBOX_OUTCOME: 'failure', SANDBOX_DURATION_MS: '50' },
      policy: { pollInitialMs: 100, pollMaxMs: 200 },
    });
    const file = join(dir, 'failing.json');
    writeFileSync(file, JSON.stringify(request));
    const { code, stdout } = await cli('start', file, '--wait');
    assert.equal(code, 1);
    assert.match(stdout, /Failed \(BackoffLimitExceeded\)/);
    assert.equal((await cli('status', 'wfe-0000000000000000')).code, 4);
  });
});
