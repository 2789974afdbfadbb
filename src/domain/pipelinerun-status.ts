import type { ExecutionResult, ExecutionSummary } from './types.ts';

export interface PipelineRunCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}
export interface PipelineRunLike {
  status?: {
    conditions?: PipelineRunCondition[];
    childReferences?: { kind?: string; name?: string }[];
  };
}

function succeededCondition(pipelineRun: PipelineRunLike): PipelineRunCondition | undefined {
  return pipelineRun.status?.conditions?.find((condition) => condition.type === 'Succeeded');
}

/**
 * Summary (reference §5.2): totalTasks = child references of any kind; completedTasks = TaskRun children whose own
 * Succeeded condition is True (`succeededTaskRuns` names them; the executor reads them with one list call).
 */
export function summarizePipelineRun(pipelineRun: PipelineRunLike, succeededTaskRuns: ReadonlySet<string>): ExecutionSummary {
  const children = pipelineRun.status?.childReferences ?? [];
  const completedTasks = children.filter((child) => child.kind === 'TaskRun' && child.name && succeededTaskRuns.has(child.name)).length;
  const condition = succeededCondition(pipelineRun);
  // Upstream copies the condition's status as it is (empty when the condition has none); "Unknown" only without one.
  const summary: ExecutionSummary = {
    status: condition ? (condition.status ?? '') : 'Unknown',
    completedTasks,
    totalTasks: children.length,
  };
  if (condition?.reason) summary.reason = condition.reason;
  if (condition?.message) summary.message = condition.message;
  return summary;
}

/** PipelineRun → ExecutionResult by its Succeeded condition (reference §5.2). */
export function mapPipelineRunStatus(pipelineRun: PipelineRunLike, succeededTaskRuns: ReadonlySet<string> = new Set()): ExecutionResult {
  const condition = succeededCondition(pipelineRun);
  const summary = summarizePipelineRun(pipelineRun, succeededTaskRuns);
  if (!condition) {
    return { phase: 'Running', reason: 'Pending', message: 'Pipeline created, waiting for Tekton to start execution', summary };
  }
  const reason = condition.reason ?? '';
  if (condition.status === 'True') return { phase: 'Completed', reason, message: condition.message ?? '', summary };
  if (condition.status === 'False') return { phase: 'Failed', reason, message: condition.message ?? '', summary };
  return { phase: 'Running', reason, message: `Pipeline executing (${reason})`, summary };
}

/** A TaskRun as listed: its name and its Succeeded condition. */
export interface TaskRunLike extends PipelineRunLike {
  metadata?: { name?: string };
}

/** PipelineRun reasons whose TaskRuns failed only because the run was stopped: their TaskRuns say nothing more. */
const STOPPED_RUN_REASONS: ReadonlySet<string> = new Set(['Cancelled', 'CancelledRunFinally', 'StoppedRunFinally', 'PipelineRunTimeout']);
/** The reason Tekton gives a TaskRun stopped with its PipelineRun (cancel or the pipeline's timeout). */
const CANCELLED_TASK_RUN = 'TaskRunCancelled';
/** Upper bound of the TaskRun text appended to a failed PipelineRun's message. */
export const TASK_RUN_FAILURE_MAX_CHARS = 1000;

/**
 * The TaskRun that made a failed PipelineRun fail (Tekton's own message only counts tasks): the first, in the run's
 * child order, whose Succeeded condition is False for a reason of its own (not cancelled along with the run). None
 * when the run did not fail, or was stopped (cancel, its timeout).
 */
export function failedTaskRun(pipelineRun: PipelineRunLike, taskRuns: readonly TaskRunLike[]): TaskRunLike | undefined {
  const condition = succeededCondition(pipelineRun);
  if (condition?.status !== 'False' || STOPPED_RUN_REASONS.has(condition.reason ?? '')) return undefined;
  const order = (pipelineRun.status?.childReferences ?? []).map((child) => child.name);
  const rank = (taskRun: TaskRunLike) => {
    const index = order.indexOf(taskRun.metadata?.name);
    return index < 0 ? order.length : index;
  };
  return [...taskRuns]
    .filter((taskRun) => {
      const own = succeededCondition(taskRun);
      return own?.status === 'False' && own.reason !== CANCELLED_TASK_RUN;
    })
    .sort((a, b) => rank(a) - rank(b))[0];
}

/** `TaskRun <name>: <reason>: <message>`, what a failed TaskRun says about itself. */
export function describeTaskRunFailure(taskRun: TaskRunLike): string {
  const condition = succeededCondition(taskRun);
  const parts = [`TaskRun ${taskRun.metadata?.name ?? ''}`, condition?.reason, condition?.message].filter(Boolean);
  return parts.join(': ');
}

/** The failed result with the TaskRun's text appended to its message (bounded); reason and summary stay the run's. */
export function withTaskRunFailure(result: ExecutionResult, detail: string): ExecutionResult {
  if (!detail) return result;
  const bounded = detail.length > TASK_RUN_FAILURE_MAX_CHARS ? `${detail.slice(0, TASK_RUN_FAILURE_MAX_CHARS - 1)}…` : detail;
  return { ...result, message: result.message ? `${result.message}; ${bounded}` : bounded };
}

/** The stuck reason of a PipelineRun whose pipeline reference does not resolve (a missing or unreachable bundle). */
export const PIPELINE_REF_UNRESOLVED = 'PipelineRefUnresolved';

/**
 * A PipelineRun still resolving its pipeline reference. Tekton v1.10.1 cannot record a failed resolution (the
 * ResolutionRequest CRD refuses the status write), so a missing bundle leaves it here until the deadline; reported as
 * stuck, the workflow fails it after policy.stuckPodGraceMs, as it does a pod that cannot start.
 */
export function unresolvedPipelineRef(pipelineRun: PipelineRunLike): { reason: string; message: string } | undefined {
  const condition = succeededCondition(pipelineRun);
  if (condition?.status !== 'Unknown' || condition.reason !== 'ResolvingPipelineRef') return undefined;
  return { reason: PIPELINE_REF_UNRESOLVED, message: condition.message || 'the pipeline reference has not resolved' };
}
