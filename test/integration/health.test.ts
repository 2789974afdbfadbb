import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { freeLoopbackPort, startWorkerEndpoint } from '../../src/worker-endpoint.ts';
import { createTestWorker, testNamespace, testServerAddress, testTaskQueue } from '../support/temporal.ts';

describe('worker endpoint: /healthz, /readyz, /metrics', () => {
  test('/healthz answers while the process is up; /readyz is ready while the worker polls and flips when it stops', async () => {
    const { worker, connection: nativeConnection } = await createTestWorker({ taskQueue: testTaskQueue('health'), activities: {} });
    const connection = await Connection.connect({ address: testServerAddress() });
    const client = new Client({ connection, namespace: testNamespace() });
    const endpoint = await startWorkerEndpoint({ bindAddress: `127.0.0.1:${await freeLoopbackPort()}`, worker, client, connection });
    const get = async (path: string) => {
      const response = await fetch(`${endpoint.url}${path}`);
      return { status: response.status, body: await response.text() };
    };
    try {
      assert.equal((await get('/healthz')).status, 200);
      assert.deepEqual(await get('/readyz'), { status: 503, body: '{"ready":false,"reason":"worker is initialized, not polling"}\n' });
      const running = worker.run();
      const ready = await (async () => {
        for (;;) {
          const answer = await get('/readyz');
          if (answer.status === 200) return answer;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      })();
      assert.deepEqual(JSON.parse(ready.body), { ready: true });
      const metrics = await get('/metrics');
      assert.equal(metrics.status, 200);
      assert.match(metrics.body, /# TYPE kubernaut_executions_running gauge\nkubernaut_executions_running\{engine="tekton"\} \d+/);
      worker.shutdown();
      await running;
      const stopped = await get('/readyz');
      assert.equal(stopped.status, 503);
      assert.match(JSON.parse(stopped.body).reason, /worker is stopped, not polling/);
      assert.equal((await get('/healthz')).status, 200, 'the process is still up');
    } finally {
      await endpoint.close();
      await connection.close();
      await nativeConnection.close();
    }
  });
});
