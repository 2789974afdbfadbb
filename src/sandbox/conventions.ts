/**
 * How a sandbox run decides its outcome: parameters of the execution (Job env vars, PipelineRun params, AWX extra_vars).
 *   SANDBOX_OUTCOME      success (default) | failure | hold (runs until released) |
 *                        image-pull-backoff, config-error (Job pod stuck) | error (AWX internal error)
 *   SANDBOX_DURATION_MS  how long the run takes once started (default 300)
 * A Job whose Secret volume names a Secret that does not exist gets stuck mounting it (event FailedMount), as on a cluster.
 */
export const OUTCOME_PARAMETER = 'SANDBOX_OUTCOME';
export const DURATION_PARAMETER = 'SANDBOX_DURATION_MS';
export const DEFAULT_RUN_DURATION_MS = 300;

export type SandboxOutcome = 'success' | 'failure' | 'hold' | 'image-pull-backoff' | 'config-error' | 'error';

export function outcomeFrom(value: unknown): SandboxOutcome {
  const known: SandboxOutcome[] = ['success', 'failure', 'hold', 'image-pull-backoff', 'config-error', 'error'];
  return known.includes(value as SandboxOutcome) ? (value as SandboxOutcome) : 'success';
}

export function durationFrom(value: unknown): number {
  const duration = Number(value);
  return Number.isFinite(duration) && duration >= 0 ? duration : DEFAULT_RUN_DURATION_MS;
}
