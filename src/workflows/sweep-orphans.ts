/** The orphan sweep, run by a Temporal Schedule (one per task queue) or by hand (`kubernaut-exec sweep`). */
import { proxyActivities } from '@temporalio/workflow';
import type { SweeperActivities, SweepInput } from '../sweeper/activities.ts';
import type { SweepReport } from '../sweeper/sweeper.ts';

const { sweepOrphanedResources } = proxyActivities<SweeperActivities>({
  startToCloseTimeout: '10m',
  heartbeatTimeout: '1m',
  retry: { maximumAttempts: 3 },
});

export async function sweepOrphans(input: SweepInput = {}): Promise<SweepReport> {
  return sweepOrphanedResources(input);
}
