import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';

export interface FailureInfo {
  type: string;
  message: string;
  nonRetryable: boolean;
  /** What an incomplete cleanup left (CleanupIncompleteError details). */
  left?: string[];
}

/** The failure behind an activity error: its type, message and what it left. */
export function failureOf(error: unknown): FailureInfo {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure) {
    const detail = cause.details?.[0] as { left?: unknown } | undefined;
    const left = Array.isArray(detail?.left) ? detail.left.map(String) : undefined;
    return {
      type: cause.type ?? 'ActivityFailed',
      message: cause.message,
      nonRetryable: cause.nonRetryable ?? false,
      left,
    };
  }
  return { type: 'ActivityFailed', message: (cause as Error)?.message ?? String(cause), nonRetryable: false };
}
