/** What the explorer does to an execution at a boundary, and when. */

/** Disturbances of the workflow or the worker: they fire while the call is paused (`during`) or once it was answered (`after`). */
export const WORKFLOW_DISTURBANCES = ['cancel', 'terminate', 'reset-first', 'reset-last', 'kill'] as const;
/** Disturbances of the call itself: the backend answers with an error status, or hangs past the client's timeout. */
export const CALL_DISTURBANCES = ['400', '403', '404', '409', '500', 'hang'] as const;

export type WorkflowDisturbance = (typeof WORKFLOW_DISTURBANCES)[number];
export type CallDisturbance = (typeof CALL_DISTURBANCES)[number];
export type Disturbance = WorkflowDisturbance | CallDisturbance;
export type Timing = 'during' | 'after' | 'at';

export const ALL_DISTURBANCES: readonly Disturbance[] = [...WORKFLOW_DISTURBANCES, ...CALL_DISTURBANCES];

export const isWorkflowDisturbance = (disturbance: Disturbance): disturbance is WorkflowDisturbance =>
  (WORKFLOW_DISTURBANCES as readonly string[]).includes(disturbance);

/** The timings that make sense for a disturbance: a call fault happens at the call. */
export function timingsOf(disturbance: Disturbance): Timing[] {
  return isWorkflowDisturbance(disturbance) ? ['during', 'after'] : ['at'];
}

/**
 * Disturbances after which the owner run is closed without having cleaned up itself, so the sweeper is what must
 * leave nothing behind (a final failure is decided from how the runs closed).
 */
export const LEAVES_OWNER_WITHOUT_CLEANUP: readonly Disturbance[] = ['terminate', 'reset-first', 'reset-last'];
