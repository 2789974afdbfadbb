/** The sweeper's Temporal Schedule: created idempotently by every worker at start, so it exists once however many start. */
import { type Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';
import { SWEEP_WORKFLOW_TYPE } from '../workflows/definitions.ts';

/** One schedule per task queue: the workers of that queue run its sweeps. */
export function sweeperScheduleId(taskQueue: string): string {
  return `kubernaut-orphan-sweeper-${taskQueue}`;
}

export async function ensureSweeperSchedule(
  client: Client,
  options: { taskQueue: string; intervalMs: number; graceMs: number },
): Promise<'created' | 'exists'> {
  const scheduleId = sweeperScheduleId(options.taskQueue);
  try {
    await client.schedule.create({
      scheduleId,
      spec: { intervals: [{ every: options.intervalMs }] },
      action: {
        type: 'startWorkflow',
        workflowType: SWEEP_WORKFLOW_TYPE,
        workflowId: scheduleId,
        taskQueue: options.taskQueue,
        args: [{ graceMs: options.graceMs }],
      },
      // A sweep still running when the next is due: skip the next (they would only race each other).
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
      memo: { description: 'Removes Jobs, PipelineRuns, AWX jobs and ephemeral credentials whose execution has no open run' },
    });
    return 'created';
  } catch (error) {
    if (error instanceof ScheduleAlreadyRunning) return 'exists';
    throw error;
  }
}
