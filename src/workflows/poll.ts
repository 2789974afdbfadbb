/**
 * Waiting for the backend's end with durable timers: polls doubling up to the cap (or, while a worker's watch covers the
 * resource, one long safety-net interval), woken early by the watch's signal; until an end, the deadline or a
 * continue-as-new.
 */
import { condition, isCancellation, workflowInfo } from '@temporalio/workflow';
import { FailureType } from '../domain/errors.ts';
import { nextPollDelay, type ResolvedPolicy } from '../domain/policy.ts';
import type { ExecutionResult, StatusObservation } from '../domain/types.ts';
import { getExecutionStatus } from './activity-proxies.ts';
import type { ExecutionState } from './execution-state.ts';
import { failureOf } from './failure.ts';

export type Outcome =
  | { kind: 'finished'; result: ExecutionResult }
  | { kind: 'timeout' }
  | { kind: 'cancelled'; error: unknown }
  | { kind: 'rejected'; result: ExecutionResult }
  | { kind: 'continueAsNew' };

export const isTerminal = (result: ExecutionResult | undefined): boolean => result?.phase === 'Completed' || result?.phase === 'Failed';

/** One status poll; a failure that retrying may fix is recorded and skipped. */
async function observe(execution: ExecutionState): Promise<StatusObservation | undefined> {
  try {
    return await getExecutionStatus({ request: execution.request, handle: execution.handle });
  } catch (error) {
    if (isCancellation(error)) throw error;
    const failure = failureOf(error);
    if (failure.nonRetryable) throw error;
    execution.status.lastPollError = failure.message;
    return undefined;
  }
}

/**
 * A pod that cannot start fails the execution only once it has been seen stuck for the whole grace period (workflow
 * time): Kubernetes keeps retrying an image pull or a mount, and one that clears in time fails nothing.
 */
function stuckTooLong(
  execution: ExecutionState,
  stuck: { reason: string; message: string } | undefined,
  policy: ResolvedPolicy,
): ExecutionResult | undefined {
  if (!stuck || policy.stuckPodGraceMs <= 0) {
    execution.stuckSinceMs = undefined;
    return undefined;
  }
  execution.stuckSinceMs ??= Date.now();
  execution.status.stuck = { ...stuck, since: new Date(execution.stuckSinceMs).toISOString() };
  if (Date.now() - execution.stuckSinceMs < policy.stuckPodGraceMs) return undefined;
  const message = `${stuck.message} (for ${Math.round((Date.now() - execution.stuckSinceMs) / 1000)} s)`;
  const summary = { ...execution.lastResult?.summary, status: 'False', reason: stuck.reason, message };
  return { phase: 'Failed', reason: stuck.reason, message, summary };
}

function continueAsNewDue(policy: ResolvedPolicy): boolean {
  const history = workflowInfo();
  return (
    history.continueAsNewSuggested || (policy.continueAsNewAfterEvents > 0 && history.historyLength >= policy.continueAsNewAfterEvents)
  );
}

export async function pollUntilDone(execution: ExecutionState, policy: ResolvedPolicy): Promise<Outcome> {
  for (;;) {
    execution.wake = false; // a signal arriving during this poll wakes the next wait at once
    // Decided before the status call: a local activity that outlives its workflow task moves historyLength on the
    // original run but not on replay, so reading it afterwards is not deterministic.
    const continueAsNew = continueAsNewDue(policy);
    const observation = await observe(execution);
    execution.status.polls += 1;
    if (observation?.kind === 'notFound') {
      // BR-WE-007: the resource vanished under us.
      return { kind: 'finished', result: { phase: 'Failed', reason: FailureType.ResourceDeletedExternally, message: observation.message } };
    }
    if (observation) {
      execution.lastResult = observation.result;
      execution.setPhase(observation.result);
      if (isTerminal(observation.result)) return { kind: 'finished', result: observation.result };
      const stuck = stuckTooLong(execution, observation.stuck, policy);
      if (stuck) return { kind: 'finished', result: stuck };
    }
    if (continueAsNew) return { kind: 'continueAsNew' };
    const remainingMs = execution.deadlineMs - Date.now(); // workflow time: deterministic in the sandbox
    if (remainingMs <= 0) return { kind: 'timeout' };
    // A watched resource's end arrives as a signal: the poll is then only the safety net, at the long interval.
    const watched = observation?.kind === 'found' && observation.watched === true;
    execution.lastDelayMs = watched ? policy.watchedPollMs : nextPollDelay(execution.lastDelayMs, policy);
    execution.status.pollDelayMs = execution.lastDelayMs;
    await condition(() => execution.wake, Math.min(execution.lastDelayMs, remainingMs));
  }
}
