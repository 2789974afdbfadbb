/** The sweeper's one activity: a bounded sweep that heartbeats while it works. */
import { Context, heartbeat, log } from '@temporalio/activity';
import { count, METRIC } from '../metrics.ts';
import type { OrphanSweeper, SweepReport } from './sweeper.ts';

export interface SweepInput {
  /** Overrides the worker's grace period (e.g. 0 for a sweep run by hand right after a terminate). */
  graceMs?: number;
  maxActions?: number;
}

export function createSweeperActivities(sweeper: OrphanSweeper, defaults: { graceMs: number; maxActions: number }) {
  return {
    async sweepOrphanedResources(input: SweepInput = {}): Promise<SweepReport> {
      const report = await sweeper.sweep(
        { graceMs: input.graceMs ?? defaults.graceMs, maxActions: input.maxActions ?? defaults.maxActions },
        () => heartbeat(),
      );
      const meter = Context.current().metricMeter;
      for (const removed of report.removed) count(meter, METRIC.sweeperDeleted, 1, { kind: removed.kind });
      count(meter, METRIC.sweeperFailures, report.failed.length);
      log.info('orphan sweep done', {
        examined: report.examined,
        removed: report.removed.length,
        failed: report.failed.length,
        ownedByOpenRuns: report.ownedByOpenRuns,
        tooYoung: report.tooYoung,
        truncated: report.truncated,
      });
      return report;
    },
  };
}

export type SweeperActivities = ReturnType<typeof createSweeperActivities>;
