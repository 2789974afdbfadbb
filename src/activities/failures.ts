import { ApplicationFailure } from '@temporalio/common';
import { CleanupIncompleteError, ExecutionError } from '../domain/errors.ts';

/**
 * Executor errors as Temporal failures: the error's type becomes the failure type, and whether Temporal retries follows
 * the error (bad input, lock conflicts and 4xx are final; transport errors, 5xx and 429 are retried). Anything else is
 * left to Temporal's retry policy. Messages name the operation and object, never a secret value.
 */
export function asActivityFailure(error: unknown): unknown {
  if (error instanceof ApplicationFailure) return error;
  if (error instanceof ExecutionError) {
    const status = (error as ExecutionError & { status?: number }).status;
    const left = error instanceof CleanupIncompleteError ? { left: error.left } : {};
    return ApplicationFailure.create({
      message: error.message,
      type: error.type,
      nonRetryable: !error.retryable,
      details: status === undefined && !left.left ? [] : [{ ...(status === undefined ? {} : { status }), ...left }],
    });
  }
  return error;
}
