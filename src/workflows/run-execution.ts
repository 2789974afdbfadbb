/**
 * One remediation execution: refuse a bad start → create (shielded, each side effect's undo recorded first) → poll
 * with durable timers → undo everything, newest first → result. Executions started before the compensation stack
 * replay on the frozen v1 code.
 */
import {
  CancellationScope,
  CancelledFailure,
  isCancellation,
  makeContinueAsNewFunc,
  metricMeter,
  patched,
  workflowInfo,
} from '@temporalio/workflow';
import { needsPreparation, type ResolvedPolicy, resolvePolicy } from '../domain/policy.ts';
import type { Engine, ExecutionRequest, ExecutionResult } from '../domain/types.ts';
import { engineOf } from '../domain/validate.ts';
import { runExecutionV1 } from '../frozen-workflows/run-execution-v1.ts';
import { METRIC } from '../metrics.ts';
import { createExecution, prepareExecution } from './activity-proxies.ts';
import { Compensations } from './compensations.ts';
import type { ContinuationState } from './definitions.ts';
import { ExecutionState } from './execution-state.ts';
import { failureOf } from './failure.ts';
import { finish } from './finish.ts';
import { type Outcome, pollUntilDone } from './poll.ts';
import { refuseBadStart } from './refuse.ts';
import { addCredentialsUndo, addResourceUndo } from './undo-steps.ts';

/** Behaviour changes guarded for replay of older histories (patched → deprecatePatch → removal). */
export const PATCH_COMPENSATION_STACK = 'compensation-stack';

export async function runExecution(request: ExecutionRequest, continuation?: ContinuationState): Promise<ExecutionResult> {
  if (!patched(PATCH_COMPENSATION_STACK)) return runExecutionV1(request, continuation);
  const execution = new ExecutionState(request, continuation);
  refuseBadStart(execution);
  const engine = engineOf(request);
  const policy = resolvePolicy(request);
  execution.begin(engine, policy);
  if (!continuation) metricMeter.createCounter(METRIC.executionsStarted).add(1, { engine });

  const undo = new Compensations();
  let outcome: Outcome;
  try {
    await createOnce(execution, undo, policy, engine);
    outcome = await pollUntilDone(execution, policy);
  } catch (error) {
    outcome = outcomeOf(error);
  }
  if (outcome.kind === 'continueAsNew' && execution.handle) {
    // Keep history bounded: the next run resumes polling the same resource; nothing is undone in between.
    const continueAsNew = makeContinueAsNewFunc<typeof runExecution>({ typedSearchAttributes: workflowInfo().typedSearchAttributes });
    return continueAsNew(request, execution.continuation(execution.handle));
  }
  const unwound = await undo.unwind();
  return finish(execution, outcome.kind === 'continueAsNew' ? { kind: 'timeout' } : outcome, { engine, policy, unwound });
}

/**
 * Prepare (AWX credentials) and create, once per execution (a continued run resumes polling). Each undo is recorded
 * before its side effect is attempted — an attempt that fails or is interrupted may still have made something — and
 * each step runs shielded from cancellation, so a cancel never abandons one in flight: it is known, then undone.
 */
async function createOnce(execution: ExecutionState, undo: Compensations, policy: ResolvedPolicy, engine: Engine): Promise<void> {
  const { request } = execution;
  if (needsPreparation(request) || execution.prepared) addCredentialsUndo(undo, execution);
  addResourceUndo(undo, execution, policy);
  if (execution.handle) return;
  const input = { request, createdByRun: execution.createdByRun, executionTimeoutMs: policy.executionTimeoutMs };
  if (needsPreparation(request)) execution.prepared = await shielded(() => prepareExecution(input));
  const prepared = execution.prepared;
  execution.created(await shielded(() => createExecution({ ...input, prepared })), engine);
}

/** Runs a step to its end whatever a cancellation request says, then honours the request. */
async function shielded<T>(step: () => Promise<T>): Promise<T> {
  const result = await CancellationScope.nonCancellable(step);
  if (CancellationScope.current().consideredCancelled) throw new CancelledFailure('Execution cancelled by request');
  return result;
}

function outcomeOf(error: unknown): Outcome {
  if (isCancellation(error)) return { kind: 'cancelled', error };
  if (CancellationScope.current().consideredCancelled)
    return { kind: 'cancelled', error: new CancelledFailure('Execution cancelled by request') };
  const failure = failureOf(error);
  return { kind: 'rejected', result: { phase: 'Failed', reason: failure.type, message: failure.message } };
}
