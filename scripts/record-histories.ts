/**
 * Records the workflow histories the replay test checks (test/histories/*.json): each engine × outcome (success,
 * failure, cancel, timeout, continue-as-new) plus an invalid request, run on a real dev server against the sandboxes.
 * Run it after a deliberate change of workflow behaviour (guarded with patched()): first move the current files into
 * a sub-folder named for the version they were recorded with (test/histories/v1-initial, …), then record, and commit
 * both. Old histories must keep replaying.   Usage: npm run record-histories
 */

import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { executionResourceName } from '../src/domain/resource-name.ts';
import type { Engine, ExecutionRequest } from '../src/domain/types.ts';
import { WORKFLOW_TYPE } from '../src/workflows/definitions.ts';
import { EXECUTION_NAMESPACE, startExecutionEnvironment } from '../test/support/execution-env.ts';
import { globalSetup, globalTeardown } from '../test/support/global-setup.ts';
import { eventually } from '../test/support/kube-sandbox.ts';
import { sampleRequest } from '../test/support/requests.ts';

const run = promisify(execFile);
const OUTPUT = new URL('../test/histories/', import.meta.url);
const FAST = { pollInitialMs: 100, pollMaxMs: 400, stopGraceMs: 5000 };

await globalSetup();
const env = await startExecutionEnvironment({ awx: true });
try {
  env.kube.sandbox.createSecret(EXECUTION_NAMESPACE, 'app-credentials', { username: 'demo', password: 'not-a-real-secret' });
  const save = async (name: string, workflowId: string) => {
    const runs: string[] = [];
    for await (const execution of env.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push(execution.runId);
    runs.reverse();
    for (const [index, runId] of runs.entries()) {
      // The CLI writes the canonical JSON form other Temporal tools read.
      const { stdout } = await run(
        process.env.TEMPORAL_CLI_PATH ?? 'temporal',
        [
          'workflow',
          'show',
          '--address',
          process.env.TEST_TEMPORAL_ADDRESS ?? '',
          '--workflow-id',
          workflowId,
          '--run-id',
          runId,
          '--output',
          'json',
        ],
        { maxBuffer: 64 * 1024 * 1024 },
      );
      const file = runs.length > 1 ? `${name}-run${index + 1}.json` : `${name}.json`;
      writeFileSync(new URL(file, OUTPUT), stdout);
      process.stdout.write(`recorded ${file} (${(JSON.parse(stdout) as { events: unknown[] }).events.length} events)\n`);
    }
  };
  const request = (
    engine: Engine,
    parameters: Record<string, string>,
    extra: Partial<Parameters<typeof sampleRequest>[0]> = {},
  ): ExecutionRequest =>
    sampleRequest({ engine, parameters: { NAMESPACE: 'default', ...parameters }, secrets: ['app-credentials'], policy: FAST, ...extra });
  const running = async (workflowId: string) =>
    eventually(async () => (await env.executions.getExecution(workflowId)).status?.phase === 'Running', 20_000);

  for (const engine of ['job', 'tekton', 'ansible'] as const) {
    const success = await env.executions.startExecution(request(engine, { SANDBOX_DURATION_MS: '600' }));
    await env.executions.waitForResult(success.workflowId);
    await save(`${engine}-success`, success.workflowId);

    const failure = await env.executions.startExecution(request(engine, { SANDBOX_OUTCOME: 'failure', SANDBOX_DURATION_MS: '300' }));
    await env.executions.waitForResult(failure.workflowId);
    await save(`${engine}-failure`, failure.workflowId);

    const cancel = await env.executions.startExecution(request(engine, { SANDBOX_OUTCOME: 'hold' }));
    await running(cancel.workflowId);
    await env.executions.cancelExecution(cancel.workflowId);
    await env.executions.waitForResult(cancel.workflowId);
    await save(`${engine}-cancel`, cancel.workflowId);

    const timeout = await env.executions.startExecution(request(engine, { SANDBOX_OUTCOME: 'hold' }, { timeout: '3s' }));
    await env.executions.waitForResult(timeout.workflowId);
    await save(`${engine}-timeout`, timeout.workflowId);

    const chained = await env.executions.startExecution(
      request(engine, { SANDBOX_OUTCOME: 'hold' }, { policy: { ...FAST, pollInitialMs: 20, pollMaxMs: 40, continueAsNewAfterEvents: 30 } }),
    );
    await eventually(async () => ((await env.executions.getExecution(chained.workflowId)).status?.continuedAsNew ?? 0) >= 1, 30_000);
    await eventually(() => env.kube.sandbox.release() + (env.awx?.sandbox.release() ?? 0) > 0 || undefined, 10_000);
    await env.executions.waitForResult(chained.workflowId);
    await save(`${engine}-continue-as-new`, chained.workflowId);
  }
  const invalid = request('job', { 'BAD NAME': 'x' });
  const handle = await env.client.workflow.start(WORKFLOW_TYPE, {
    taskQueue: env.taskQueue,
    // Under its target's name, as a client starts it (the replay test derives the ID the same way).
    workflowId: executionResourceName(String(invalid.workflowExecution.spec.targetResource)),
    args: [invalid],
  });
  await env.executions.waitForResult(handle.workflowId);
  await save('invalid-request', handle.workflowId);
} finally {
  await env.stop();
  await globalTeardown();
}
