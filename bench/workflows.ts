/**
 * Workflows of the benchmark worker: the real runExecution, and the baselines it is measured against in the same run.
 */
import { proxyActivities, proxyLocalActivities, sleep, upsertSearchAttributes } from '@temporalio/workflow';
import type { ExecutionActivities } from '../src/activities/index.ts';
import type { ExecutionRequest, ExecutionResult } from '../src/domain/types.ts';
import { ExecutionPhaseKey } from '../src/workflows/definitions.ts';

export { runExecution } from '../src/workflows/run-execution.ts';

interface NoopActivities {
  noop(): Promise<void>;
}

const activities = proxyActivities<NoopActivities>({ startToCloseTimeout: '30s' });
const localActivities = proxyLocalActivities<NoopActivities>({ startToCloseTimeout: '30s' });

/**
 * The same shape as an execution with `polls` polls (create, polls with timers between them, cleanup), with no-op
 * bodies; with `phaseUpserts`, also the search attribute updates an execution makes.
 */
export async function baselineWorkflow(polls: number, pollDelayMs: number, phaseUpserts = 0): Promise<void> {
  for (let upsert = 0; upsert < phaseUpserts; upsert++) upsertSearchAttributes([{ key: ExecutionPhaseKey, value: `phase-${upsert}` }]);
  await activities.noop();
  for (let poll = 0; poll < polls; poll++) {
    if (poll > 0) await sleep(pollDelayMs);
    await localActivities.noop();
  }
  await activities.noop();
}

const execution = proxyActivities<ExecutionActivities>({ startToCloseTimeout: '2m', retry: { maximumInterval: '10s' } });

/** How a naive poller does it: a regular activity per poll every fixed interval (no backoff, no local activities). */
export async function naivePollingWorkflow(request: ExecutionRequest, intervalMs: number): Promise<ExecutionResult | undefined> {
  const createdByRun = 'bench/naive';
  const handle = await execution.createExecution({ request, createdByRun, executionTimeoutMs: 3_600_000 });
  let result: ExecutionResult | undefined;
  for (;;) {
    const observation = await execution.getExecutionStatus({ request, handle });
    if (observation.kind === 'notFound') break;
    result = observation.result;
    if (result.phase === 'Completed' || result.phase === 'Failed') break;
    await sleep(intervalMs);
  }
  await execution.cleanupExecution({ request, handle, createdByRun, deleteResource: true });
  return result;
}
