import { createHash } from 'node:crypto';

/**
 * DD-WE-003: the deterministic name of the Job / PipelineRun for a target, used as a lock: "wfe-" + the first 16 hex
 * digits of sha256 of the target resource string exactly as given (no trimming, no case folding).
 * Also the Temporal workflow ID, so Temporal itself refuses a second execution for a target while one runs.
 * (Uses node:crypto, so it is called from activities and clients, never from workflow code.)
 */
export function executionResourceName(targetResource: string): string {
  return `wfe-${createHash('sha256').update(targetResource, 'utf8').digest('hex').slice(0, 16)}`;
}
