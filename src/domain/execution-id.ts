import { sha256Hex } from './sha256.ts';

/**
 * DD-WE-003: the deterministic name of a target's execution — "wfe-" + the first 16 hex digits of sha256 of the target
 * resource string exactly as given. It names the Job / PipelineRun and is the Temporal workflow ID, so Temporal itself
 * refuses a second execution for a target while one runs. Pure: workflow code checks its own ID with it.
 */
export function executionIdOf(targetResource: string): string {
  return `wfe-${sha256Hex(targetResource).slice(0, 16)}`;
}
