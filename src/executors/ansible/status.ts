/** Reading a finished AWX job's outcome: when its output is complete, and the detail of an internal error. */
import type { AwxJob } from '../../clients/awx-types.ts';
import type { ExecutionResult } from '../../domain/types.ts';

/** AWX saves a job's last events after its status; past this, a failure is reported with the events there are. */
export const EVENT_PROCESSING_GRACE_MS = 60_000;

/**
 * Whether a finished job's events are still being saved (its output tail would miss the failure, e.g. the `fatal:`
 * line), within the grace period counted from its `finished` time.
 */
export function eventsStillProcessing(job: AwxJob, nowMs = Date.now()): boolean {
  if (job.event_processing_finished !== false) return false;
  const finished = Date.parse(job.finished ?? '');
  return Number.isFinite(finished) && nowMs - finished < EVENT_PROCESSING_GRACE_MS;
}

/** Not final yet: the result is read again once AWX has saved the job's events. */
export function processingEventsResult(job: AwxJob): ExecutionResult {
  const message = `AWX job ${job.status}; AWX is still processing the job's events`;
  return { phase: 'Running', reason: 'AWXJobRunning', message, summary: { status: 'Running', reason: 'AWXJobRunning', message } };
}

/** The last non-empty line of an errored job's traceback (AWX's ends with a newline). */
export function tracebackDetail(job: AwxJob): string {
  if (job.status !== 'error' || !job.result_traceback) return '';
  return (
    job.result_traceback
      .split(/\r?\n/)
      .filter((line) => line.trim())
      .at(-1)
      ?.trim() ?? ''
  );
}
