/**
 * One execution, one trace: the client's start, the workflow, each activity and the backend HTTP calls, received by
 * an OTLP/HTTP endpoint of the test's own.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../../src/activities/index.ts';
import { ExecutionClient } from '../../src/client.ts';
import { JobExecutor } from '../../src/executors/job.ts';
import { ExecutorRegistry } from '../../src/executors/registry.ts';
import { startTracing, type Tracing } from '../../src/tracing.ts';
import { type KubeFixture, startKubeFixture } from '../support/kube-sandbox.ts';
import { WORKFLOWS_PATH } from '../support/paths.ts';
import { sampleRequest } from '../support/requests.ts';
import { installQuietRuntime, testNamespace, testServerAddress, testTaskQueue } from '../support/temporal.ts';

interface ReceivedSpan {
  traceId: string;
  name: string;
  attributes: Record<string, unknown>;
}

describe('tracing: OTLP spans for one execution', () => {
  const spans: ReceivedSpan[] = [];
  const receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        resourceSpans?: {
          scopeSpans?: { spans?: { traceId: string; name: string; attributes?: { key: string; value: Record<string, unknown> }[] }[] }[];
        }[];
      };
      for (const resource of body.resourceSpans ?? [])
        for (const scope of resource.scopeSpans ?? [])
          for (const span of scope.spans ?? [])
            spans.push({
              traceId: span.traceId,
              name: span.name,
              attributes: Object.fromEntries((span.attributes ?? []).map((entry) => [entry.key, Object.values(entry.value)[0]])),
            });
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{}');
    });
  });
  let tracing: Tracing;
  let kube: KubeFixture;

  before(async () => {
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const { port } = receiver.address() as AddressInfo;
    tracing = startTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` }) ?? assert.fail('tracing configured');
    kube = await startKubeFixture();
  });
  after(async () => {
    await kube.stop();
    receiver.close();
  });

  test('start → workflow → each activity → the Kubernetes API calls share one trace', async () => {
    installQuietRuntime();
    const taskQueue = testTaskQueue('traced');
    const nativeConnection = await NativeConnection.connect({ address: testServerAddress() });
    const registry = new ExecutorRegistry().register(new JobExecutor({ kube: kube.kube }));
    const worker = await Worker.create({
      connection: nativeConnection,
      namespace: testNamespace(),
      taskQueue,
      workflowsPath: WORKFLOWS_PATH,
      activities: createActivities({ registry, defaultExecutionNamespace: 'kubernaut-workflows' }),
      plugins: [tracing.plugin],
    });
    const connection = await Connection.connect({ address: testServerAddress() });
    const executions = new ExecutionClient(new Client({ connection, namespace: testNamespace(), plugins: [tracing.plugin] }), {
      taskQueue,
    });
    try {
      await worker.runUntil(async () => {
        const { workflowId } = await executions.startExecution(
          sampleRequest({ engine: 'job', policy: { pollInitialMs: 100, pollMaxMs: 200 } }),
        );
        assert.equal((await executions.waitForResult(workflowId)).phase, 'Completed');
      });
      await tracing.shutdown(); // flushes every span to the receiver
      const start =
        spans.find((span) => span.name === 'StartWorkflow:runExecution') ?? assert.fail(`no start span in ${spans.map((s) => s.name)}`);
      const trace = spans.filter((span) => span.traceId === start.traceId).map((span) => span.name);
      for (const name of [
        'RunWorkflow:runExecution',
        'StartActivity:createExecution',
        'RunActivity:createExecution',
        'RunActivity:deleteExecutionResource',
      ])
        assert.ok(trace.includes(name), `${name} in the trace: ${trace.join(', ')}`);
      const http = spans.filter((span) => span.traceId === start.traceId && String(span.attributes['url.full'] ?? '').includes('/jobs'));
      assert.ok(http.length > 0, `a Kubernetes API call in the trace: ${trace.join(', ')}`);
    } finally {
      await connection.close();
      await nativeConnection.close();
    }
  });
});
