import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { stringify } from 'yaml';
import { EXECUTION_NAMESPACE, type ExecutionEnvironment, startExecutionEnvironment } from '../support/execution-env.ts';
import { eventually } from '../support/kube-sandbox.ts';
import { sampleRequest, uniqueSuffix } from '../support/requests.ts';
import { testServerAddress } from '../support/temporal.ts';

const CLI = new URL('../../src/cli.ts', import.meta.url).pathname;

describe('kubernaut-exec CLI against the real dev server', () => {
  let env: ExecutionEnvironment;
  const dir = mkdtempSync(join(tmpdir(), 'cli-'));
  before(async () => {
    env = await startExecutionEnvironment();
  });
  after(() => env.stop());

  /** Runs the CLI as a process; resolves with its exit code and output. */
  const cli = (...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [CLI, '--address', testServerAddress(), '--task-queue', env.taskQueue, ...args], (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });

  test('--help shows the commands, exit codes and examples', async () => {
    const { code, stdout } = await cli('--help');
    assert.equal(code, 0);
    for (const text of ['start', 'status', 'wait', 'cancel', 'list', 'Exit codes', 'Examples:']) assert.ok(stdout.includes(text), text);
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
