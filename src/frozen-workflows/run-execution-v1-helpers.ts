/**
 * The pure helpers of the frozen v1 execution workflow (run-execution-v1.ts), frozen with it: do not edit them;
 * they go when it goes.
 */
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import { FailureType } from '../domain/errors.ts';
import type { ExecutionResult } from '../domain/types.ts';

/** Failures no retry can fix: bad input, lock conflicts, unknown engines, missing dependencies, 4xx answers. */
export const FINAL_FAILURES = [
  FailureType.InvalidExecutionRequest,
  FailureType.ExecutionLocked,
  FailureType.UnsupportedEngine,
  FailureType.ConfigurationError,
  FailureType.BackendRejected,
];

export type Outcome =
  | { kind: 'finished'; result: ExecutionResult }
  | { kind: 'timeout' }
  | { kind: 'cancelled'; error: unknown }
  | { kind: 'rejected'; result: ExecutionResult }
  | { kind: 'continueAsNew' };

export const isTerminal = (result: ExecutionResult | undefined): boolean => result?.phase === 'Completed' || result?.phase === 'Failed';

/** The failure behind an activity error: its type and message. */
export function failureOf(error: unknown): { type: string; message: string; nonRetryable: boolean } {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure)
    return { type: cause.type ?? 'ActivityFailed', message: cause.message, nonRetryable: cause.nonRetryable ?? false };
  return { type: 'ActivityFailed', message: (cause as Error)?.message ?? String(cause), nonRetryable: false };
}
