/** Scale: many executions in one run on the watch worker (2,000 by default, 10,000 with --scale), minute by minute. */
import { benchRequest, FAST_POLICY } from '../lib/requests.ts';
import { round } from '../lib/stats.ts';
import { type BenchContext, type PoolClient, perSecond } from './context.ts';

export async function measureScale(context: BenchContext) {
  const { harness, pools, options, say } = context;
  const pool = pools[0] as PoolClient;
  const total = options.scale ? 10_000 : 2_000;
  say(`[scale] ${total} executions in one run…`);
  await harness.startMany(total, 100, (index) =>
    pool.executions.startExecution(benchRequest(`scale-${index}`, { SANDBOX_DURATION_MS: '0' }, FAST_POLICY)),
  );
  await harness.waitDrained('scale-', 300_000);
  const rows = await harness.closed('scale-');
  const first = Math.min(...rows.map((row) => row.start));
  const perMinute = new Map<number, number>();
  for (const row of rows) {
    const minute = Math.floor((row.close - first) / 60_000);
    perMinute.set(minute, (perMinute.get(minute) ?? 0) + 1);
  }
  return {
    executions: rows.length,
    failures: rows.filter((row) => row.status !== 'COMPLETED').length,
    executionsPerSecond: round(perSecond(rows)),
    seconds: round((Math.max(...rows.map((row) => row.close)) - first) / 1000, 0),
    completedPerMinute: [...perMinute.entries()].sort(([a], [b]) => a - b).map(([, value]) => value),
  };
}
