/** The activities as the execution workflow calls them, with each one's durability contract. */
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { ExecutionActivities } from '../activities/index.ts';
import { FailureType } from '../domain/errors.ts';

/** Failures no retry can fix: bad input, lock conflicts, unknown engines, missing dependencies, 4xx answers. */
export const FINAL_FAILURES = [
  FailureType.InvalidExecutionRequest,
  FailureType.ExecutionLocked,
  FailureType.UnsupportedEngine,
  FailureType.ConfigurationError,
  FailureType.BackendRejected,
];

// Creating may wait up to a minute for a stale resource of the same name to go (#374); transport errors, 5xx and 429
// are retried with backoff for up to 10 minutes, then the execution fails. Activities heartbeat every second, so a
// worker that dies mid-call is noticed after 10 s and the call retried elsewhere (it is idempotent). The workflow runs
// them shielded from cancellation, so their result is always known and undone.
export const { prepareExecution, createExecution } = proxyActivities<ExecutionActivities>({
  startToCloseTimeout: '2m',
  heartbeatTimeout: '10s',
  scheduleToCloseTimeout: '10m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s', nonRetryableErrorTypes: FINAL_FAILURES },
});

// Stopping and undoing must happen whatever went wrong before: retried for up to 30 minutes; what is still left then
// (or what a refusal left at once) belongs to the orphan sweeper.
export const { stopExecution, deleteExecutionResource, deleteEphemeralCredentials } = proxyActivities<ExecutionActivities>({
  startToCloseTimeout: '1m',
  heartbeatTimeout: '10s',
  scheduleToCloseTimeout: '30m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', nonRetryableErrorTypes: FINAL_FAILURES },
});

// Status polls are local activities (one marker event each instead of three activity events). A poll that still fails
// after 3 quick attempts is simply tried again at the next poll.
export const { getExecutionStatus } = proxyLocalActivities<ExecutionActivities>({
  startToCloseTimeout: '30s',
  retry: {
    initialInterval: '200ms',
    backoffCoefficient: 2,
    maximumInterval: '2s',
    maximumAttempts: 3,
    nonRetryableErrorTypes: FINAL_FAILURES,
  },
});
