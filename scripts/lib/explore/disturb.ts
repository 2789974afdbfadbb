/** Carries out a workflow-level disturbance on a scenario's execution: cancel, terminate, reset, or kill its worker. */
import type { WorkflowDisturbance } from './disturbances.ts';
import type { RunTracker } from './runs.ts';
import type { KillLane } from './workers.ts';
import type { World } from './world.ts';

export interface DisturbContext {
  world: World;
  tracker: RunTracker;
  /** The lane whose worker runs the scenario (kill scenarios only). */
  lane?: KillLane;
  /** Lets a paused call go on; a kill calls it while no worker is alive, so the dead worker's call lands late. */
  release: () => void;
}

export async function disturbWorkflow(kind: WorkflowDisturbance, context: DisturbContext): Promise<void> {
  const { world, tracker } = context;
  const handle = () => world.temporal.workflow.getHandle(tracker.workflowId);
  switch (kind) {
    case 'cancel':
      await handle().cancel();
      return;
    case 'terminate':
      await handle().terminate('fault-point explorer: terminate');
      return;
    case 'reset-first':
    case 'reset-last': {
      const { runId } = await tracker.latest();
      await world.cli.reset(tracker.workflowId, runId, kind === 'reset-first' ? 'FirstWorkflowTask' : 'LastWorkflowTask');
      await tracker.newRunAfter(runId);
      return;
    }
    case 'kill':
      if (!context.lane) throw new Error('a kill scenario needs a lane of its own');
      await context.lane.killAndReplace(context.release);
      return;
  }
}
