/** Reads an execution's output on a worker (for `kubernaut-exec logs`): one activity, its result returned. */
import { proxyActivities } from '@temporalio/workflow';
import type { ExecutionOutput, OutputActivities, OutputInput } from '../activities/output.ts';

const { readExecutionOutput } = proxyActivities<OutputActivities>({ startToCloseTimeout: '1m', retry: { maximumAttempts: 2 } });

export async function executionOutput(input: OutputInput): Promise<ExecutionOutput> {
  return readExecutionOutput(input);
}
