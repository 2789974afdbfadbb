/** What one workflow's history holds: events by kind, and the workflow tasks, activities and markers among them. */
import type { Client } from '@temporalio/client';

export interface HistoryShape {
  events: number;
  workflowTasks: number;
  activities: number;
  localActivities: number;
  timers: number;
  signals: number;
  searchAttributeUpserts: number;
}

export async function historyShape(client: Client, workflowId: string, runId?: string): Promise<HistoryShape> {
  const events = (await client.workflow.getHandle(workflowId, runId).fetchHistory()).events ?? [];
  const countOf = (has: (event: (typeof events)[number]) => unknown) => events.filter((event) => has(event)).length;
  return {
    events: events.length,
    workflowTasks: countOf((event) => event.workflowTaskCompletedEventAttributes),
    activities: countOf((event) => event.activityTaskScheduledEventAttributes),
    localActivities: countOf((event) => event.markerRecordedEventAttributes),
    timers: countOf((event) => event.timerStartedEventAttributes),
    signals: countOf((event) => event.workflowExecutionSignaledEventAttributes),
    searchAttributeUpserts: countOf((event) => event.upsertWorkflowSearchAttributesEventAttributes),
  };
}

/** The mean of each field over several histories. */
export function meanShape(shapes: HistoryShape[]): HistoryShape {
  const mean = (key: keyof HistoryShape) =>
    Number((shapes.reduce((sum, shape) => sum + shape[key], 0) / Math.max(1, shapes.length)).toFixed(2));
  return {
    events: mean('events'),
    workflowTasks: mean('workflowTasks'),
    activities: mean('activities'),
    localActivities: mean('localActivities'),
    timers: mean('timers'),
    signals: mean('signals'),
    searchAttributeUpserts: mean('searchAttributeUpserts'),
  };
}
