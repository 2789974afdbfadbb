/** Executions as the CLI and other services see them: Temporal's description plus the status query, and list queries. */
import type { WorkflowExecutionDescription } from '@temporalio/client';
import type { Engine, Phase } from '../domain/types.ts';
import {
  ExecutionEngineKey,
  ExecutionPhaseKey,
  type ExecutionStatus,
  TargetResourceKey,
  WORKFLOW_TYPE,
  WorkflowExecutionNameKey,
} from '../workflows/definitions.ts';

/** An execution as the Web UI shows it: Temporal's view plus the status query when the worker can answer it. */
export interface ExecutionView {
  workflowId: string;
  runId: string;
  /** Temporal's status: RUNNING, COMPLETED, FAILED, CANCELLED, TERMINATED, TIMED_OUT, CONTINUED_AS_NEW. */
  workflowStatus: string;
  engine?: string;
  targetResource?: string;
  phase?: string;
  workflowExecutionName?: string;
  startTime: Date;
  closeTime?: Date;
  status?: ExecutionStatus;
  /** Why the status query got no answer (no worker polling, typically). */
  statusError?: string;
}

export interface ListFilter {
  engine?: Engine;
  targetResource?: string;
  phase?: Phase;
  /** Only executions that are still running. */
  running?: boolean;
  limit?: number;
}

const quote = (value: string): string => `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;

/** The visibility query for a filter (ExecutionEngine / TargetResource / ExecutionPhase search attributes). */
export function listQuery(filter: ListFilter): string {
  const terms = [`WorkflowType = '${WORKFLOW_TYPE}'`];
  if (filter.engine) terms.push(`ExecutionEngine = ${quote(filter.engine)}`);
  if (filter.targetResource) terms.push(`TargetResource = ${quote(filter.targetResource)}`);
  if (filter.phase) terms.push(`ExecutionPhase = ${quote(filter.phase)}`);
  if (filter.running) terms.push(`ExecutionStatus = 'Running'`);
  return terms.join(' AND ');
}

export function viewOf(description: WorkflowExecutionDescription, status?: ExecutionStatus): ExecutionView {
  const attributes = description.typedSearchAttributes;
  return {
    workflowId: description.workflowId,
    runId: description.runId,
    workflowStatus: description.status.name,
    engine: attributes.get(ExecutionEngineKey),
    targetResource: attributes.get(TargetResourceKey),
    phase: attributes.get(ExecutionPhaseKey),
    workflowExecutionName: attributes.get(WorkflowExecutionNameKey),
    startTime: description.startTime,
    ...(description.closeTime ? { closeTime: description.closeTime } : {}),
    ...(status ? { status } : {}),
  };
}
