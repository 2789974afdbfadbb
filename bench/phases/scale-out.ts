/** Scale-out: 1, 2, 3 workers on one task queue, each beside the baseline, interleaved (see lib/scale-out.ts). */
import { lineChart } from '../lib/chart.ts';
import { benchRequest, FAST_POLICY } from '../lib/requests.ts';
import { measureScaleOut } from '../lib/scale-out.ts';
import type { BenchContext, PoolClient } from './context.ts';

export async function measureScaleOutPhase(context: BenchContext, options: { workers: string; batch: number }) {
  const { harness, pools, say } = context;
  const workerCounts = options.workers.split(',').map(Number);
  say(
    `[scale-out] ${workerCounts.join(', ')} workers × ${context.options.rounds} rounds × ${options.batch} executions and ${options.batch} baseline workflows on ${harness.server.kind}…`,
  );
  const scaleOut = await measureScaleOut(
    harness,
    (pools[0] as PoolClient).executions,
    {
      workerCounts,
      rounds: context.options.rounds,
      batch: options.batch,
      jobRequest: (name) => benchRequest(name, { SANDBOX_DURATION_MS: '0' }, FAST_POLICY),
    },
    say,
  );
  const line = (kind: 'executionsPerSecond' | 'baselinePerSecond') =>
    scaleOut.perWorkers.map((entry) => ({ x: entry.workers, y: entry[kind].median }));
  const chart = lineChart(
    `Scale-out on ${harness.server.kind}: executions/s (left) and no-op baseline/s (right), median of ${context.options.rounds} rounds`,
    'workers',
    { label: 'executions', unit: 'per s', color: '#1f77b4', points: line('executionsPerSecond') },
    { label: 'baseline', unit: 'per s', color: '#7f7f7f', points: line('baselinePerSecond') },
  );
  return { scaleOut, chart };
}
