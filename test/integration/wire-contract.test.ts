import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { executionResourceName } from '../../src/domain/resource-name.ts';
import { WORKFLOW_TYPE } from '../../src/workflows/definitions.ts';
import { type ExecutionEnvironment, startExecutionEnvironment } from '../support/execution-env.ts';
import { sampleRequest } from '../support/requests.ts';
import { testNamespace, testServerAddress } from '../support/temporal.ts';

const run = promisify(execFile);

describe('wire contract: a service in any language starts an execution with nothing but the Temporal CLI', () => {
  let env: ExecutionEnvironment;
  before(async () => {
    env = await startExecutionEnvironment();
  });
  after(() => env.stop());

  test(`temporal workflow start --type ${WORKFLOW_TYPE} --task-queue <q> --input-file <json>, then temporal workflow result`, async () => {
    const cli = process.env.TEMPORAL_CLI_PATH ?? 'temporal';
    const request = sampleRequest({ engine: 'job', policy: { pollInitialMs: 100, pollMaxMs: 200 } });
    const workflowId = executionResourceName(request.workflowExecution.spec.targetResource);
    const input = join(mkdtempSync(join(tmpdir(), 'wire-')), 'request.json');
    writeFileSync(input, JSON.stringify(request));
    const common = ['--address', testServerAddress(), '--namespace', testNamespace()];
    await run(cli, [
      'workflow',
      'start',
      ...common,
      '--type',
      WORKFLOW_TYPE,
      '--task-queue',
      env.taskQueue,
      '--workflow-id',
      workflowId,
      '--input-file',
      input,
    ]);
    const { stdout } = await run(cli, ['workflow', 'result', ...common, '--workflow-id', workflowId, '--output', 'json']);
    const printed = JSON.parse(stdout) as { status: string; result: { phase: string; reason: string } };
    assert.equal(printed.status, 'COMPLETED');
    assert.deepEqual([printed.result.phase, printed.result.reason], ['Completed', 'Complete']);
    // Started without search attributes, the workflow set them itself.
    const view = await env.executions.getExecution(workflowId);
    assert.deepEqual(
      [view.engine, view.targetResource, view.workflowExecutionName],
      ['job', request.workflowExecution.spec.targetResource, request.workflowExecution.metadata.name],
    );
  });
});
