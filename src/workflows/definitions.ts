/**
 * The workflow's public surface: type name, queries, search attributes and the status a query returns. Shared by the
 * workflow, the client library and the CLI; safe in the workflow sandbox.
 */
import { defineSearchAttributeKey } from '@temporalio/common';
import { defineQuery, defineSignal } from '@temporalio/workflow';
import { SEARCH_ATTRIBUTES } from '../domain/constants.ts';
import type {
  CleanupReport,
  Engine,
  ExecutionHandle,
  ExecutionResult,
  ExecutionSummary,
  Phase,
  PreparedCredentials,
} from '../domain/types.ts';

export { DEFAULT_TASK_QUEUE, OUTPUT_WORKFLOW_TYPE, SWEEP_WORKFLOW_TYPE, WORKFLOW_TYPE } from '../domain/constants.ts';

export const ExecutionEngineKey = defineSearchAttributeKey(SEARCH_ATTRIBUTES.engine, 'KEYWORD');
export const TargetResourceKey = defineSearchAttributeKey(SEARCH_ATTRIBUTES.target, 'KEYWORD');
export const ExecutionPhaseKey = defineSearchAttributeKey(SEARCH_ATTRIBUTES.phase, 'KEYWORD');
export const WorkflowExecutionNameKey = defineSearchAttributeKey(SEARCH_ATTRIBUTES.name, 'KEYWORD');

export interface CleanupState {
  /** "failed" is the v1 workflow's word; newer runs say "incomplete" and name what was left. */
  state: 'pending' | 'done' | 'failed' | 'incomplete';
  report?: CleanupReport;
  error?: string;
  /** What an incomplete cleanup left: the orphan sweeper removes it once this run has closed. */
  left?: string[];
  owner?: 'sweeper';
}

/** What the `status` query returns. */
export interface ExecutionStatus {
  workflowExecutionName: string;
  engine: Engine;
  targetResource: string;
  phase: Phase;
  reason: string;
  message: string;
  summary?: ExecutionSummary;
  handle?: ExecutionHandle;
  /** Status polls so far, over all runs of a continue-as-new chain. */
  polls: number;
  /** The wait before the next poll (the poll interval in force), in milliseconds. */
  pollDelayMs?: number;
  startedAt: string;
  deadline: string;
  finishedAt?: string;
  /** The last poll that failed (polling goes on until the deadline). */
  lastPollError?: string;
  cleanup?: CleanupState;
  /** A stop request the backend refused (the resource was deleted or cancelled all the same). */
  stopError?: string;
  /** Signals from a watch that the backend changed (each wakes the poll loop). */
  notifications?: number;
  /** The pod cannot start as things are, since when (the execution fails after policy.stuckPodGraceMs). */
  stuck?: { reason: string; message: string; since: string };
  /** How many times this execution continued as new. */
  continuedAsNew: number;
}

export const statusQuery = defineQuery<ExecutionStatus>('status');

/** Sent by a worker's watch when the execution's Job or PipelineRun ended or disappeared: the workflow polls at once. */
export interface BackendChange {
  /** "<namespace>/<name>" of the object. */
  resource: string;
  /** What the watch saw: "ended" or "deleted". */
  change: 'ended' | 'deleted';
}
export const backendChangedSignal = defineSignal<[BackendChange]>('backendChanged');

/** What a run hands to the next one when it continues as new: enough to resume polling without creating again. */
export interface ContinuationState {
  handle: ExecutionHandle;
  prepared?: PreparedCredentials;
  createdByRun: string;
  startedAt: string;
  polls: number;
  lastDelayMs?: number;
  lastResult?: ExecutionResult;
  continuedAsNew: number;
  stuckSinceMs?: number;
}
