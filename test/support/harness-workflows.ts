/** A minimal workflow proving the test harness: a search attribute, an activity and a durable timer. */
import { defineSearchAttributeKey } from '@temporalio/common';
import { proxyActivities, sleep, upsertSearchAttributes } from '@temporalio/workflow';

export const ExecutionPhaseKey = defineSearchAttributeKey('ExecutionPhase', 'KEYWORD');

const { greet } = proxyActivities<{ greet(name: string): Promise<string> }>({ startToCloseTimeout: '10s' });

export async function harnessWorkflow(name: string): Promise<string> {
  upsertSearchAttributes([{ key: ExecutionPhaseKey, value: 'Running' }]);
  const greeting = await greet(name);
  await sleep(50);
  upsertSearchAttributes([{ key: ExecutionPhaseKey, value: 'Completed' }]);
  return greeting;
}
