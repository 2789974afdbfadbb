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
