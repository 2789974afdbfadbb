/**
 * The first version of the execution workflow, frozen: executions started before the compensation stack
 * (PATCH_COMPENSATION_STACK in src/workflows/run-execution.ts) replay and finish on this code, unchanged — which is why
 * it lives outside src/workflows and keeps its long single function. Do not edit it (only its import paths may move, and
 * its pure helpers live in run-execution-v1-helpers.ts, as frozen as it is);
 * remove it once no such execution can still be running (history retention passed) and the v1 histories are retired.
 */
import {
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  makeContinueAsNewFunc,
  metricMeter,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { ExecutionActivities } from '../activities/index.ts';
import { formatDuration } from '../domain/duration.ts';
import { FailureType } from '../domain/errors.ts';
import { needsPreparation, nextPollDelay, resolvePolicy } from '../domain/policy.ts';
import type { ExecutionHandle, ExecutionRequest, ExecutionResult, PreparedCredentials, StatusObservation } from '../domain/types.ts';
import { engineOf, formatValidationProblems, validateExecutionRequest } from '../domain/validate.ts';
import { METRIC } from '../metrics.ts';
import {
  type ContinuationState,
  ExecutionEngineKey,
  ExecutionPhaseKey,
  type ExecutionStatus,
  statusQuery,
  TargetResourceKey,
  WorkflowExecutionNameKey,
} from '../workflows/definitions.ts';
import { FINAL_FAILURES, failureOf, isTerminal, type Outcome } from './run-execution-v1-helpers.ts';

/** Behaviour changes guarded for replay of older histories (patched → deprecatePatch → removal). */
const PATCH_PHASE_UPSERTS_ON_CHANGE = 'phase-upserts-on-change';

// Creating may wait up to a minute for a stale resource of the same name to go (#374); transport errors, 5xx and 429
// are retried with backoff for up to 10 minutes, then the execution fails. Activities heartbeat every second, so a
// worker that dies mid-call is noticed after 10 s and the call retried elsewhere (it is idempotent).
const { prepareExecution, createExecution } = proxyActivities<ExecutionActivities>({
  startToCloseTimeout: '2m',
  heartbeatTimeout: '10s',
  scheduleToCloseTimeout: '10m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s', nonRetryableErrorTypes: FINAL_FAILURES },
});

// Stopping and cleaning up must happen whatever went wrong before: retried for up to 30 minutes.
const { stopExecution, cleanupExecution } = proxyActivities<ExecutionActivities>({
  startToCloseTimeout: '1m',
  heartbeatTimeout: '10s',
  scheduleToCloseTimeout: '30m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', nonRetryableErrorTypes: FINAL_FAILURES },
});

// Status polls are local activities (one marker event each instead of three activity events). A poll that still fails
// after 3 quick attempts is simply tried again at the next poll.
const { getExecutionStatus } = proxyLocalActivities<ExecutionActivities>({
  startToCloseTimeout: '30s',
  retry: {
    initialInterval: '200ms',
    backoffCoefficient: 2,
    maximumInterval: '2s',
    maximumAttempts: 3,
    nonRetryableErrorTypes: FINAL_FAILURES,
  },
});

export async function runExecutionV1(request: ExecutionRequest, continuation?: ContinuationState): Promise<ExecutionResult> {
  const info = workflowInfo();
  // Executions started before this patch upsert ExecutionPhase on every phase report (even unchanged) and once more
  // after creating; newer ones only when the phase changes. Checked once, here, for the whole run.
  const phaseUpsertsOnChangeOnly = patched(PATCH_PHASE_UPSERTS_ON_CHANGE);
  let publishedPhase = info.typedSearchAttributes.get(ExecutionPhaseKey);

  // 1. Validate (pure). Nothing is created for a bad request.
  const problems = validateExecutionRequest(request, { legacyParameterNames: true });
  const spec = request?.workflowExecution?.spec;
  const status: ExecutionStatus = {
    workflowExecutionName: String(request?.workflowExecution?.metadata?.name ?? ''),
    engine: spec?.executionEngine ?? 'tekton',
    targetResource: String(spec?.targetResource ?? ''),
    phase: 'Pending',
    reason: 'Pending',
    message: 'Execution accepted',
    polls: continuation?.polls ?? 0,
    startedAt: continuation?.startedAt ?? info.startTime.toISOString(),
    deadline: '',
    continuedAsNew: continuation?.continuedAsNew ?? 0,
    ...(continuation ? { handle: continuation.handle } : {}),
    // A continued run reports what the previous run last saw until its own first poll.
    ...(continuation?.lastResult
      ? { phase: continuation.lastResult.phase, reason: continuation.lastResult.reason, message: continuation.lastResult.message }
      : {}),
  };
  setHandler(statusQuery, () => status);
  const setPhase = (result: ExecutionResult): void => {
    Object.assign(status, { phase: result.phase, reason: result.reason, message: result.message, summary: result.summary });
    const stale = phaseUpsertsOnChangeOnly
      ? publishedPhase !== result.phase
      : info.typedSearchAttributes.get(ExecutionPhaseKey) !== result.phase;
    if (stale) upsertSearchAttributes([{ key: ExecutionPhaseKey, value: result.phase }]);
    publishedPhase = result.phase;
  };
  if (problems.length > 0) {
    const message = `invalid execution request: ${formatValidationProblems(problems)}`;
    setPhase({ phase: 'Failed', reason: FailureType.InvalidExecutionRequest, message });
    status.finishedAt = new Date().toISOString();
    throw ApplicationFailure.create({ type: FailureType.InvalidExecutionRequest, message, nonRetryable: true, details: [{ problems }] });
  }

  // 2. Search attributes, so the Web UI can filter executions (the client sets them at start; a bare start may not).
  const engine = engineOf(request);
  const policy = resolvePolicy(request);
  const startedAtMs = new Date(status.startedAt).getTime();
  const deadlineMs = startedAtMs + policy.executionTimeoutMs;
  status.deadline = new Date(deadlineMs).toISOString();
  const wanted = [
    { key: ExecutionEngineKey, value: engine },
    { key: TargetResourceKey, value: request.workflowExecution.spec.targetResource },
    { key: WorkflowExecutionNameKey, value: request.workflowExecution.metadata.name },
  ] as const;
  const missing = wanted.filter(({ key, value }) => info.typedSearchAttributes.get(key) !== value);
  if (missing.length > 0) upsertSearchAttributes([...missing]);
  if (!continuation) {
    setPhase({ phase: 'Pending', reason: 'Pending', message: 'Execution accepted' });
    metricMeter.createCounter(METRIC.executionsStarted).add(1, { engine });
  }

  let handle: ExecutionHandle | undefined = continuation?.handle;
  let prepared: PreparedCredentials | undefined = continuation?.prepared;
  let lastResult: ExecutionResult | undefined = continuation?.lastResult;
  let lastDelayMs = continuation?.lastDelayMs;
  const createdByRun = continuation?.createdByRun ?? `${info.workflowId}/${info.runId}`;

  /** One status poll; a failure that retrying may fix is recorded and skipped. */
  const observe = async (): Promise<StatusObservation | undefined> => {
    try {
      return await getExecutionStatus({ request, handle });
    } catch (error) {
      if (isCancellation(error)) throw error;
      const failure = failureOf(error);
      if (failure.nonRetryable) throw error;
      status.lastPollError = failure.message;
      return undefined;
    }
  };

  /** 4. Poll with durable timers, doubling the wait up to the cap, until a terminal phase or the deadline. */
  const pollUntilDone = async (): Promise<Outcome> => {
    for (;;) {
      const observation = await observe();
      status.polls += 1;
      if (observation?.kind === 'notFound') {
        // BR-WE-007: the resource vanished under us.
        return {
          kind: 'finished',
          result: { phase: 'Failed', reason: FailureType.ResourceDeletedExternally, message: observation.message },
        };
      }
      if (observation) {
        lastResult = observation.result;
        setPhase(observation.result);
        if (isTerminal(observation.result)) return { kind: 'finished', result: observation.result };
      }
      const history = workflowInfo();
      if (
        history.continueAsNewSuggested ||
        (policy.continueAsNewAfterEvents > 0 && history.historyLength >= policy.continueAsNewAfterEvents)
      ) {
        return { kind: 'continueAsNew' };
      }
      const remainingMs = deadlineMs - Date.now(); // workflow time: deterministic in the sandbox
      if (remainingMs <= 0) return { kind: 'timeout' };
      lastDelayMs = nextPollDelay(lastDelayMs, policy);
      status.pollDelayMs = lastDelayMs;
      await sleep(Math.min(lastDelayMs, remainingMs));
    }
  };

  // 3. Create (once per execution: a continued run resumes polling), then poll.
  let outcome: Outcome;
  try {
    if (!handle) {
      if (needsPreparation(request))
        prepared = await prepareExecution({ request, createdByRun, executionTimeoutMs: policy.executionTimeoutMs });
      handle = await createExecution({
        request,
        createdByRun,
        executionTimeoutMs: policy.executionTimeoutMs,
        ...(prepared ? { prepared } : {}),
      });
      status.handle = handle;
      const created = {
        phase: 'Running' as const,
        reason: 'Created',
        message: `${engine} execution resource ${handle.resourceName} created`,
      };
      // The first poll follows at once and sets ExecutionPhase from what it sees: upserting "Running" here as well cost a
      // visibility write per execution.
      if (phaseUpsertsOnChangeOnly) Object.assign(status, created);
      else setPhase(created);
    }
    outcome = await pollUntilDone();
  } catch (error) {
    if (isCancellation(error)) outcome = { kind: 'cancelled', error };
    else {
      const failure = failureOf(error);
      outcome = { kind: 'rejected', result: { phase: 'Failed', reason: failure.type, message: failure.message } };
    }
  }

  if (outcome.kind === 'continueAsNew' && handle) {
    // Keep history bounded: the next run resumes polling the same resource; nothing is cleaned up in between.
    const next: ContinuationState = {
      handle,
      createdByRun,
      startedAt: status.startedAt,
      polls: status.polls,
      continuedAsNew: status.continuedAsNew + 1,
      ...(prepared ? { prepared } : {}),
      ...(lastDelayMs === undefined ? {} : { lastDelayMs }),
      ...(lastResult ? { lastResult } : {}),
    };
    const continueAsNew = makeContinueAsNewFunc<typeof runExecutionV1>({ typedSearchAttributes: workflowInfo().typedSearchAttributes });
    return continueAsNew(request, next);
  }

  // 5. Always clean up, shielded from cancellation: stop what may still run, wait for it to wind down, delete.
  const stillRunning = handle !== undefined && outcome.kind !== 'finished' && !isTerminal(lastResult);
  await CancellationScope.nonCancellable(async () => {
    status.cleanup = { state: 'pending' };
    try {
      if (handle && stillRunning) {
        await stopExecution({ request, handle, pipelineRunCancelMode: policy.pipelineRunCancelMode });
        const graceEndMs = Date.now() + policy.stopGraceMs;
        let delay: number | undefined;
        for (;;) {
          const observation = await observe();
          if (observation?.kind === 'notFound' || (observation && isTerminal(observation.result)) || Date.now() >= graceEndMs) break;
          delay = nextPollDelay(delay, { pollInitialMs: Math.min(policy.pollInitialMs, 1000), pollMaxMs: 5000 });
          await sleep(Math.min(delay, Math.max(1, graceEndMs - Date.now())));
        }
      }
      const report = await cleanupExecution({ request, handle, prepared, createdByRun, deleteResource: !policy.keepFinishedResource });
      status.cleanup = { state: 'done', report };
    } catch (error) {
      status.cleanup = { state: 'failed', error: failureOf(error).message };
    }
  });

  // 6. Finish: Completed returns the result; everything else fails the workflow with a typed, non-retryable failure.
  status.finishedAt = new Date().toISOString();
  const finished = metricMeter.createCounter(METRIC.executionsFinished);
  if (outcome.kind === 'cancelled') {
    setPhase({
      phase: 'Failed',
      reason: FailureType.Cancelled,
      message: 'Execution cancelled by request',
      ...(lastResult?.summary ? { summary: lastResult.summary } : {}),
    });
    finished.add(1, { engine, outcome: 'cancelled' });
    throw outcome.error;
  }
  const result: ExecutionResult =
    outcome.kind === 'timeout'
      ? {
          phase: 'Failed',
          reason: FailureType.DeadlineExceeded,
          message: `Execution did not finish within ${formatDuration(policy.executionTimeoutMs)}`,
          ...(lastResult?.summary ? { summary: lastResult.summary } : {}),
        }
      : outcome.kind === 'continueAsNew'
        ? { phase: 'Failed', reason: 'ContinueAsNewWithoutHandle', message: 'cannot continue as new before the resource exists' }
        : outcome.result;
  setPhase(result);
  finished.add(1, { engine, outcome: result.phase === 'Completed' ? 'completed' : outcome.kind === 'finished' ? 'failed' : outcome.kind });
  if (result.phase === 'Completed') return result;
  throw ApplicationFailure.create({
    type: result.reason || 'ExecutionFailed',
    message: result.message || result.reason,
    nonRetryable: true,
    details: [result],
  });
}
