import type { ExecutionResult, Phase } from './types.ts';

const AWX_STATES: Record<string, { phase: Phase; reason: string; message: string }> = {
  pending: { phase: 'Pending', reason: 'AWXJobPending', message: 'AWX job is queued' },
  waiting: { phase: 'Pending', reason: 'AWXJobPending', message: 'AWX job is queued' },
  running: { phase: 'Running', reason: 'AWXJobRunning', message: 'AWX job is executing' },
  successful: { phase: 'Completed', reason: 'AWXJobSuccessful', message: 'AWX job completed successfully' },
  failed: { phase: 'Failed', reason: 'AWXJobFailed', message: 'AWX job execution failed' },
  error: { phase: 'Failed', reason: 'AWXJobError', message: 'AWX job encountered an internal error' },
  canceled: { phase: 'Failed', reason: 'AWXJobCanceled', message: 'AWX job was canceled' },
};

/** AWX states that can still be canceled (awx/main/constants.py CAN_CANCEL). */
export const AWX_ACTIVE_STATES: ReadonlySet<string> = new Set(['new', 'pending', 'waiting', 'running']);

/**
 * AWX job status → ExecutionResult (reference §6.5). Anything unlisted, `new` included, is Pending "AWXJobUnknown" as
 * upstream. A failed job's output (the tail the executor fetched, §9.2 item 10) replaces the message, as upstream's
 * result_stdout did; the reason still tells failed / error / canceled apart.
 * summary.status is the phase name, as upstream (§9.2 item 13 keeps that for compatibility).
 */
export function mapAwxStatus(job: { status?: string }, failureOutput?: string): ExecutionResult {
  const status = job.status ?? '';
  const known = AWX_STATES[status];
  const mapped = known ?? { phase: 'Pending' as const, reason: 'AWXJobUnknown', message: `Unknown AWX job status: ${status}` };
  const message = mapped.phase === 'Failed' && failureOutput ? failureOutput : mapped.message;
  return { ...mapped, message, summary: { status: mapped.phase, reason: mapped.reason, message } };
}
