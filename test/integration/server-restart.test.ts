import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { type DevServer, startDevServer } from '../../scripts/lib/dev-server.ts';
import { freePort } from '../../scripts/lib/free-port.ts';
import { createActivities } from '../../src/activities/index.ts';
import { ExecutionClient } from '../../src/client.ts';
import { AnsibleExecutor } from '../../src/executors/ansible/index.ts';
import { JobExecutor } from '../../src/executors/job.ts';
import { ExecutorRegistry } from '../../src/executors/registry.ts';
import { TektonExecutor } from '../../src/executors/tekton.ts';
import { type AwxFixture, startAwxFixture } from '../support/awx-sandbox.ts';
import { eventually, type KubeFixture, startKubeFixture } from '../support/kube-sandbox.ts';
import { TEST_SERVER_ARGS } from '../support/paths.ts';
import { sampleRequest } from '../support/requests.ts';
import { installQuietRuntime } from '../support/temporal.ts';

describe('Temporal server restart mid-run (same SQLite file): running executions resume and finish', () => {
  const dir = mkdtempSync(join(tmpdir(), 'restart-'));
  let server: DevServer;
  let port: number;
  let kube: KubeFixture;
  let awx: AwxFixture;
  const start = async () =>
    startDevServer({
      cliPath: process.env.TEMPORAL_CLI_PATH ?? 'temporal',
      dbFile: join(dir, 'temporal.db'),
      logFile: join(dir, 'temporal.log'),
      port,
      extraArgs: TEST_SERVER_ARGS,
    });
  before(async () => {
    port = await freePort();
    server = await start();
    kube = await startKubeFixture();
    awx = await startAwxFixture();
  });
  after(async () => {
    await server?.stop();
    await kube?.stop();
    await awx?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('three held executions survive a stop and restart of the server, then complete; one resource each', async () => {
    installQuietRuntime();
    const registry = new ExecutorRegistry()
      .register(new JobExecutor({ kube: kube.kube }))
      .register(new TektonExecutor({ kube: kube.kube }))
      .register(new AnsibleExecutor({ awx: awx.awx, kube: kube.kube }));
    const taskQueue = 'restart';
    const nativeConnection = await NativeConnection.connect({ address: server.address });
    const worker = await Worker.create({
      connection: nativeConnection,
      taskQueue,
      workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE ?? '' },
      activities: createActivities({ registry, defaultExecutionNamespace: 'kubernaut-workflows' }),
    });
    const running = worker.run();
    const connect = async () => {
      const connection = await Connection.connect({ address: server.address });
      return { connection, executions: new ExecutionClient(new Client({ connection }), { taskQueue }) };
    };
    let { connection, executions } = await connect();
    const started = [];
    for (const engine of ['job', 'tekton', 'ansible'] as const) {
      started.push({
        engine,
        ...(await executions.startExecution(
          sampleRequest({ engine, parameters: { SANDBOX_OUTCOME: 'hold' }, policy: { pollInitialMs: 100, pollMaxMs: 500 } }),
        )),
      });
    }
    for (const { workflowId } of started)
      await eventually(async () => (await executions.getExecution(workflowId)).status?.phase === 'Running', 20_000);
    await connection.close();

    await server.stop();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    server = await start();
    ({ connection, executions } = await connect());
    try {
      await eventually(() => kube.sandbox.release() + awx.sandbox.release() >= 3 || undefined, 10_000);
      for (const { engine, workflowId } of started) {
        const result = await executions.waitForResult(workflowId);
        assert.equal(result.phase, 'Completed', `${engine}: ${result.reason} ${result.message}`);
      }
      assert.equal(kube.sandbox.totalCreates('Job') + kube.sandbox.totalCreates('PipelineRun') + awx.sandbox.jobs.size, 3);
      assert.equal(awx.sandbox.liveEphemeralCredentials().length, 0);
    } finally {
      worker.shutdown();
      await running;
      await nativeConnection.close();
      await connection.close();
    }
  });
});
