import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { ExecutionPhaseKey, harnessWorkflow } from '../support/harness-workflows.ts';
import { connectTestClient, createTestWorker, testTaskQueue } from '../support/temporal.ts';

describe('test harness: a real Worker on the real Temporal dev server', () => {
  let client: Client;
  let close: () => Promise<void>;
  before(async () => ({ client, close } = await connectTestClient()));
  after(async () => close());

  test('runs a workflow with an activity and a durable timer; the client reads its result and search attribute', async () => {
    const taskQueue = testTaskQueue('harness');
    const { worker, connection } = await createTestWorker({
      taskQueue,
      workflowsPath: fileURLToPath(new URL('../support/harness-workflows.ts', import.meta.url)),
      activities: { greet: async (name: string) => `hello ${name}` },
    });
    try {
      const result = await worker.runUntil(async () => {
        const handle = await client.workflow.start(harnessWorkflow, { taskQueue, workflowId: `harness-${taskQueue}`, args: ['temporal'] });
        const value = await handle.result();
        const description = await handle.describe();
        assert.deepEqual(description.typedSearchAttributes.get(ExecutionPhaseKey), 'Completed');
        const history = await handle.fetchHistory();
        assert.ok(
          history.events?.some((event) => event.timerFiredEventAttributes),
          'a durable timer fired',
        );
        assert.ok(
          history.events?.some((event) => event.activityTaskCompletedEventAttributes),
          'an activity completed',
        );
        return value;
      });
      assert.equal(result, 'hello temporal');
    } finally {
      await connection.close();
    }
  });
});
