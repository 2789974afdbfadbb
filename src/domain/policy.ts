import { parseDuration } from './duration.ts';
import type { ExecutionRequest, PipelineRunCancelMode } from './types.ts';

/**
 * Defaults of the execution policy. Polling doubles from 2 s up to a 60 s cap: a run of 10 minutes takes 14 polls,
 * which keeps its history near 100 events while a short run is still seen finishing within seconds.
 */
export const DEFAULT_POLICY = {
  pollInitialMs: 2_000,
  pollMaxMs: 60_000,
  keepFinishedResource: false,
  continueAsNewAfterEvents: 0,
  pipelineRunCancelMode: 'Cancelled' as PipelineRunCancelMode,
  stopGraceMs: 120_000,
  /** Kubernetes' image pull back-off reaches its 5-minute cap after ~5 minutes: one full cycle more before giving up. */
  stuckPodGraceMs: 10 * 60_000,
  /** A watched Job / PipelineRun signals its end within a second; this poll only covers a lost event. */
  watchedPollMs: 5 * 60_000,
} as const;

/** Default execution timeout when spec.executionConfig.timeout is not set (later upstream: BR-WORKFLOW-008). */
export const DEFAULT_EXECUTION_TIMEOUT_MS = 30 * 60_000;

export interface ResolvedPolicy {
  pollInitialMs: number;
  pollMaxMs: number;
  keepFinishedResource: boolean;
  /** 0 = only when Temporal suggests it. */
  continueAsNewAfterEvents: number;
  pipelineRunCancelMode: PipelineRunCancelMode;
  stopGraceMs: number;
  stuckPodGraceMs: number;
  watchedPollMs: number;
  executionTimeoutMs: number;
}

/** The policy with every default filled in. Expects a request that passed validation. */
export function resolvePolicy(request: ExecutionRequest): ResolvedPolicy {
  const policy = request.policy ?? {};
  const timeoutText = request.workflowExecution.spec.executionConfig?.timeout;
  const pollInitialMs = policy.pollInitialMs ?? DEFAULT_POLICY.pollInitialMs;
  return {
    pollInitialMs,
    pollMaxMs: Math.max(policy.pollMaxMs ?? DEFAULT_POLICY.pollMaxMs, pollInitialMs),
    keepFinishedResource: policy.keepFinishedResource ?? DEFAULT_POLICY.keepFinishedResource,
    continueAsNewAfterEvents: policy.continueAsNewAfterEvents ?? DEFAULT_POLICY.continueAsNewAfterEvents,
    pipelineRunCancelMode: policy.pipelineRunCancelMode ?? DEFAULT_POLICY.pipelineRunCancelMode,
    stopGraceMs: policy.stopGraceMs ?? DEFAULT_POLICY.stopGraceMs,
    stuckPodGraceMs: policy.stuckPodGraceMs ?? DEFAULT_POLICY.stuckPodGraceMs,
    watchedPollMs: policy.watchedPollMs ?? DEFAULT_POLICY.watchedPollMs,
    executionTimeoutMs: (timeoutText ? parseDuration(timeoutText) : undefined) ?? DEFAULT_EXECUTION_TIMEOUT_MS,
  };
}

/** The wait before the next poll: doubling from the initial interval, capped at the maximum. */
export function nextPollDelay(previousDelayMs: number | undefined, policy: Pick<ResolvedPolicy, 'pollInitialMs' | 'pollMaxMs'>): number {
  if (previousDelayMs === undefined) return policy.pollInitialMs;
  return Math.min(previousDelayMs * 2, policy.pollMaxMs);
}

/** AWX executions with Secret dependencies create ephemeral credentials first, so their ids are in history before the launch. */
export function needsPreparation(request: ExecutionRequest): boolean {
  return request.workflowExecution.spec.executionEngine === 'ansible' && (request.dependencies?.secrets?.length ?? 0) > 0;
}
