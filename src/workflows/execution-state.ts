/**
 * What one execution knows about itself while it runs: the status the `status` query returns, the ExecutionPhase
 * search attribute kept in step with it, and what the next run needs if it continues as new.
 */
import { setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { ResolvedPolicy } from '../domain/policy.ts';
import type { Engine, ExecutionHandle, ExecutionRequest, ExecutionResult, PreparedCredentials } from '../domain/types.ts';
import {
  backendChangedSignal,
  type ContinuationState,
  ExecutionEngineKey,
  ExecutionPhaseKey,
  type ExecutionStatus,
  statusQuery,
  TargetResourceKey,
  WorkflowExecutionNameKey,
} from './definitions.ts';

export class ExecutionState {
  readonly request: ExecutionRequest;
  readonly status: ExecutionStatus;
  /** "<workflowId>/<runId>" of the run that created (the first of a continue-as-new chain). */
  readonly createdByRun: string;
  readonly continued: boolean;
  handle?: ExecutionHandle;
  prepared?: PreparedCredentials;
  lastResult?: ExecutionResult;
  lastDelayMs?: number;
  /** A watch signalled a change since the last poll began: poll now instead of waiting out the timer. */
  wake = false;
  /** When a poll first saw the pod unable to start (workflow time); cleared when it starts. */
  stuckSinceMs: number | undefined;
  deadlineMs = 0;
  private publishedPhase: string | undefined;

  constructor(request: ExecutionRequest, continuation?: ContinuationState) {
    const info = workflowInfo();
    const spec = request?.workflowExecution?.spec;
    this.request = request;
    this.continued = continuation !== undefined;
    this.createdByRun = continuation?.createdByRun ?? `${info.workflowId}/${info.runId}`;
    this.publishedPhase = info.typedSearchAttributes.get(ExecutionPhaseKey);
    if (continuation?.handle) this.handle = continuation.handle;
    if (continuation?.prepared) this.prepared = continuation.prepared;
    if (continuation?.lastResult) this.lastResult = continuation.lastResult;
    if (continuation?.lastDelayMs !== undefined) this.lastDelayMs = continuation.lastDelayMs;
    this.stuckSinceMs = continuation?.stuckSinceMs;
    // A continued run reports what the previous run last saw until its own first poll.
    const last = continuation?.lastResult;
    this.status = {
      workflowExecutionName: String(request?.workflowExecution?.metadata?.name ?? ''),
      engine: spec?.executionEngine ?? 'tekton',
      targetResource: String(spec?.targetResource ?? ''),
      phase: last?.phase ?? 'Pending',
      reason: last?.reason ?? 'Pending',
      message: last?.message ?? 'Execution accepted',
      polls: continuation?.polls ?? 0,
      startedAt: continuation?.startedAt ?? info.startTime.toISOString(),
      deadline: '',
      continuedAsNew: continuation?.continuedAsNew ?? 0,
      handle: continuation?.handle,
    };
    setHandler(statusQuery, () => this.status);
    setHandler(backendChangedSignal, () => {
      this.wake = true;
      this.status.notifications = (this.status.notifications ?? 0) + 1;
    });
  }

  /** Records a phase report; the search attribute is written only when the phase changes (one visibility write). */
  setPhase(result: ExecutionResult): void {
    Object.assign(this.status, { phase: result.phase, reason: result.reason, message: result.message, summary: result.summary });
    if (this.publishedPhase !== result.phase) upsertSearchAttributes([{ key: ExecutionPhaseKey, value: result.phase }]);
    this.publishedPhase = result.phase;
  }

  /** The deadline and the search attributes the Web UI filters by (the client sets them at start; a bare start may not). */
  begin(engine: Engine, policy: ResolvedPolicy): void {
    const info = workflowInfo();
    this.deadlineMs = new Date(this.status.startedAt).getTime() + policy.executionTimeoutMs;
    this.status.deadline = new Date(this.deadlineMs).toISOString();
    const wanted = [
      { key: ExecutionEngineKey, value: engine },
      { key: TargetResourceKey, value: this.request.workflowExecution.spec.targetResource },
      { key: WorkflowExecutionNameKey, value: this.request.workflowExecution.metadata.name },
    ] as const;
    const missing = wanted.filter(({ key, value }) => info.typedSearchAttributes.get(key) !== value);
    if (missing.length > 0) upsertSearchAttributes([...missing]);
    if (!this.continued) this.setPhase({ phase: 'Pending', reason: 'Pending', message: 'Execution accepted' });
  }

  /** The backend resource exists: the status says so; the first poll sets ExecutionPhase from what it sees. */
  created(handle: ExecutionHandle, engine: Engine): void {
    this.handle = handle;
    this.status.handle = handle;
    Object.assign(this.status, {
      phase: 'Running',
      reason: 'Created',
      message: `${engine} execution resource ${handle.resourceName} created`,
    });
  }

  /** What the next run of a continue-as-new chain resumes from. */
  continuation(handle: ExecutionHandle): ContinuationState {
    return {
      handle,
      createdByRun: this.createdByRun,
      startedAt: this.status.startedAt,
      polls: this.status.polls,
      continuedAsNew: this.status.continuedAsNew + 1,
      prepared: this.prepared,
      lastDelayMs: this.lastDelayMs,
      lastResult: this.lastResult,
      stuckSinceMs: this.stuckSinceMs,
    };
  }
}
