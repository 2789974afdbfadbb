/** How an execution ends: its cleanup recorded, then Completed returned, or a typed, non-retryable failure thrown. */
import { ApplicationFailure, metricMeter } from '@temporalio/workflow';
import { formatDuration } from '../domain/duration.ts';
import { FailureType } from '../domain/errors.ts';
import type { ResolvedPolicy } from '../domain/policy.ts';
import type { Engine, ExecutionResult, IncompleteCleanup } from '../domain/types.ts';
import { METRIC } from '../metrics.ts';
import type { Unwound } from './compensations.ts';
import type { ExecutionState } from './execution-state.ts';
import type { Outcome } from './poll.ts';

/** The status and a metric say what an incomplete cleanup left, and that the sweeper owns it. */
function recordCleanup(execution: ExecutionState, engine: Engine, { failures, report }: Unwound): IncompleteCleanup | undefined {
  if (failures.length === 0) {
    execution.status.cleanup = { state: 'done', report };
    return undefined;
  }
  const left = failures.flatMap((failure) => failure.left);
  execution.status.cleanup = {
    state: 'incomplete',
    left,
    owner: 'sweeper',
    report,
    error: failures.map((failure) => `${failure.step}: ${failure.message}`).join('; '),
  };
  metricMeter.createCounter(METRIC.cleanupIncomplete).add(1, { engine });
  return { complete: false, left, failures: failures.map(({ step, message }) => ({ step, message })), owner: 'sweeper' };
}

function recordDuration(execution: ExecutionState, engine: Engine, outcome: string): void {
  const seconds = (Date.now() - new Date(execution.status.startedAt).getTime()) / 1000;
  metricMeter
    .createHistogram(METRIC.executionDuration, 'float', 'seconds', 'Execution duration from start to end')
    .record(seconds, { engine, outcome });
}

export function finish(
  execution: ExecutionState,
  outcome: Exclude<Outcome, { kind: 'continueAsNew' }>,
  context: { engine: Engine; policy: ResolvedPolicy; unwound: Unwound },
): ExecutionResult {
  const { engine, policy } = context;
  const cleanup = recordCleanup(execution, engine, context.unwound);
  execution.status.finishedAt = new Date().toISOString();
  const finished = metricMeter.createCounter(METRIC.executionsFinished);
  const summary = execution.lastResult?.summary ? { summary: execution.lastResult.summary } : {};
  if (outcome.kind === 'cancelled') {
    execution.setPhase({ phase: 'Failed', reason: FailureType.Cancelled, message: 'Execution cancelled by request', ...summary });
    finished.add(1, { engine, outcome: 'cancelled' });
    recordDuration(execution, engine, 'cancelled');
    throw outcome.error;
  }
  const ended: ExecutionResult =
    outcome.kind === 'timeout'
      ? {
          phase: 'Failed',
          reason: FailureType.DeadlineExceeded,
          message: `Execution did not finish within ${formatDuration(policy.executionTimeoutMs)}`,
          ...summary,
        }
      : outcome.result;
  const result: ExecutionResult = { ...ended, cleanup };
  execution.setPhase(result);
  const label = result.phase === 'Completed' ? 'completed' : outcome.kind === 'finished' ? 'failed' : outcome.kind;
  finished.add(1, { engine, outcome: label });
  recordDuration(execution, engine, label);
  if (result.phase === 'Completed') return result;
  throw ApplicationFailure.create({
    type: result.reason || 'ExecutionFailed',
    message: result.message || result.reason,
    nonRetryable: true,
    details: [result],
  });
}
