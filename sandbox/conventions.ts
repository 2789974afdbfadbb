/**
 * How a sandbox run decides its outcome: parameters of the execution (Job env vars, PipelineRun params, AWX extra_vars).
 *   SANDBOX_OUTCOME      success (default) | failure | hold (runs until released) |
 *                        image-pull-backoff, config-error (Job pod stuck) | error (AWX internal error)
 *   SANDBOX_DURATION_MS  how long the run takes once started (default 300)
 *   SANDBOX_CANCEL_DELAY_MS  AWX: how long a job takes to end once cancelled (default: at once), like a slow dispatcher;
 *                        "hold": it ends (canceled) only when released
 * A Job whose Secret volume names a Secret that does not exist gets stuck mounting it (event FailedMount), as on a cluster.
 */
export const OUTCOME_PARAMETER = 'SANDBOX_OUTCOME';
export const DURATION_PARAMETER = 'SANDBOX_DURATION_MS';
/** Job with SANDBOX_OUTCOME=image-pull-backoff: the pull succeeds after this many ms (a registry blip) and the run succeeds. */
export const STUCK_PARAMETER = 'SANDBOX_STUCK_MS';
export const DEFAULT_RUN_DURATION_MS = 300;
export const CANCEL_DELAY_PARAMETER = 'SANDBOX_CANCEL_DELAY_MS';

export type SandboxOutcome = 'success' | 'failure' | 'hold' | 'image-pull-backoff' | 'config-error' | 'error';

export function outcomeFrom(value: unknown): SandboxOutcome {
  const known: SandboxOutcome[] = ['success', 'failure', 'hold', 'image-pull-backoff', 'config-error', 'error'];
  return known.includes(value as SandboxOutcome) ? (value as SandboxOutcome) : 'success';
}

export function durationFrom(value: unknown): number {
  const duration = Number(value);
  return Number.isFinite(duration) && duration >= 0 ? duration : DEFAULT_RUN_DURATION_MS;
}

/** The cancel delay a run asks for, or undefined for the server's own. */
export function cancelDelayFrom(value: unknown): number | 'hold' | undefined {
  if (value === 'hold') return 'hold';
  const delay = Number(value);
  return value !== undefined && Number.isFinite(delay) && delay >= 0 ? delay : undefined;
}
