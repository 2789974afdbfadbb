/** How the client library says no: invalid input, a locked target, an unprepared namespace; and one result for any end. */
import { CancelledFailure, TerminatedFailure, TimeoutFailure, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { SEARCH_ATTRIBUTE_NAMES } from '../domain/constants.ts';
import { FailureType } from '../domain/errors.ts';
import type { ExecutionResult } from '../domain/types.ts';
import { formatValidationProblems, type ValidationProblem } from '../domain/validate.ts';

/** The request was refused before anything started; `problems` name each bad field. */
export class InvalidExecutionRequestError extends Error {
  readonly type = FailureType.InvalidExecutionRequest;
  readonly problems: ValidationProblem[];
  constructor(problems: ValidationProblem[]) {
    super(`invalid execution request: ${formatValidationProblems(problems)}`);
    this.name = 'InvalidExecutionRequestError';
    this.problems = problems;
  }
}

/** Another execution for the same target is running (DD-WE-003): Temporal refused the second start. */
export class ExecutionLockedError extends Error {
  readonly type = FailureType.ExecutionLocked;
  readonly workflowId: string;
  readonly runningRunId?: string;
  readonly runningWorkflowExecutionName?: string;
  constructor(workflowId: string, runningRunId?: string, runningWorkflowExecutionName?: string) {
    super(
      `target locked: execution ${workflowId}${runningWorkflowExecutionName ? ` (WorkflowExecution "${runningWorkflowExecutionName}")` : ''} is still running` +
        `${runningRunId ? ` as run ${runningRunId}` : ''}; wait for it or cancel it`,
    );
    this.name = 'ExecutionLockedError';
    this.workflowId = workflowId;
    if (runningRunId) this.runningRunId = runningRunId;
    if (runningWorkflowExecutionName) this.runningWorkflowExecutionName = runningWorkflowExecutionName;
  }
}

/** The namespace lacks the search attributes executions carry: run `kubernaut-exec setup` (ExecutionClient.setup). */
export class SetupRequiredError extends Error {
  constructor(namespace: string, cause: string) {
    super(
      `the Temporal namespace "${namespace}" is not set up for executions (${cause}): run \`kubernaut-exec setup\` once; it registers the search attributes ${SEARCH_ATTRIBUTE_NAMES.join(', ')}`,
    );
    this.name = 'SetupRequiredError';
  }
}

/** Temporal's refusal of a start whose search attributes the namespace does not know. */
export function missingSearchAttribute(error: unknown): string | undefined {
  // The SDK wraps the server's answer ("Failed to start Workflow"); the cause says "… has no mapping defined for search attribute X".
  for (let cause = error as { message?: string; cause?: unknown } | undefined; cause; cause = cause.cause as typeof cause) {
    const message = cause.message ?? '';
    if (/search attribute/i.test(message) && /no mapping|not defined|not registered|unknown/i.test(message)) return message;
  }
  return undefined;
}

/** One ExecutionResult for any way a workflow can end. */
export function resultFromFailure(error: unknown): ExecutionResult {
  const cause = error instanceof WorkflowFailedError ? error.cause : error;
  if (cause instanceof ApplicationFailure) {
    const detail = cause.details?.[0] as Partial<ExecutionResult> | undefined;
    if (detail?.phase && typeof detail.reason === 'string') return detail as ExecutionResult;
    return { phase: 'Failed', reason: cause.type ?? 'ExecutionFailed', message: cause.message };
  }
  if (cause instanceof CancelledFailure)
    return { phase: 'Failed', reason: FailureType.Cancelled, message: 'Execution cancelled by request' };
  if (cause instanceof TerminatedFailure)
    return { phase: 'Failed', reason: 'Terminated', message: `Execution terminated: ${cause.message}` };
  if (cause instanceof TimeoutFailure) return { phase: 'Failed', reason: 'WorkflowTimedOut', message: cause.message };
  throw error;
}
