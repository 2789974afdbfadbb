/** A start that must not run: bad input, or a workflow ID that would not hold the one-execution-per-target lock. */
import { ApplicationFailure, patched, workflowInfo } from '@temporalio/workflow';
import { FailureType } from '../domain/errors.ts';
import { executionIdOf } from '../domain/execution-id.ts';
import { formatValidationProblems, validateExecutionRequest } from '../domain/validate.ts';
import type { ExecutionState } from './execution-state.ts';

/** Parameter names checked per engine (what each backend accepts) instead of as environment variable names. */
export const PATCH_PER_ENGINE_PARAMETER_NAMES = 'per-engine-parameter-names';

/** Throws a non-retryable failure (nothing created) when the request is invalid or the workflow ID is not the target's. */
export function refuseBadStart(execution: ExecutionState): void {
  // Executions started before names were checked per engine replay with the rules they were started under.
  const problems = validateExecutionRequest(execution.request, { legacyParameterNames: !patched(PATCH_PER_ENGINE_PARAMETER_NAMES) });
  let refusal: { type: string; message: string; details: unknown[] } | undefined;
  if (problems.length > 0) {
    const message = `invalid execution request: ${formatValidationProblems(problems)}`;
    refusal = { type: FailureType.InvalidExecutionRequest, message, details: [{ problems }] };
  } else {
    const target = execution.request.workflowExecution.spec.targetResource;
    const expected = executionIdOf(target);
    const actual = workflowInfo().workflowId;
    if (actual !== expected) {
      const message = `workflow ID "${actual}" is not the execution name of spec.targetResource "${target}": start it with workflow ID "${expected}" (wfe- + sha256 of the target), which is what keeps one execution per target`;
      refusal = { type: FailureType.WorkflowIdMismatch, message, details: [] };
    }
  }
  if (!refusal) return;
  execution.setPhase({ phase: 'Failed', reason: refusal.type, message: refusal.message });
  execution.status.finishedAt = new Date().toISOString();
  throw ApplicationFailure.create({ ...refusal, nonRetryable: true });
}
