/**
 * npm run bench [-- --only throughput,history,latency,concurrency,scale] [--count 320] [--rounds 8] [--concurrency 1000]
 *   [--scale]
 * Measures side by side in one run on this machine, with a worker whose completion watch is on (the default) and one
 * with it off (WATCH_COMPLETION=false): throughput against a no-op baseline (phases/throughput.ts), history size and
 * Kubernetes API requests of a 10-minute run (phases/history.ts), detection latency of Jobs and PipelineRuns
 * (phases/latency.ts), memory and CPU with 20 and 1,000 executions running (phases/concurrency.ts), and many
 * executions in one run (phases/scale.ts). Writes bench/results/latest.json and latest.svg; each headline figure is
 * printed beside its goal and the previous run's.
 *
 * npm run bench -- --postgres [--rounds 8] [--batch 60] [--workers 1,2,3]
 * On the production-shaped Temporal (server v1.29.1 on PostgreSQL, scripts/lib/temporal-postgres): the scale-out
 * curve, executions/s with 1, 2 and 3 workers each beside the no-op baseline, with every process group's CPU.
 * Writes bench/results/postgres-scale-out.json and .svg. Other phases run on it with --only.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { ExecutionClient } from '../src/client.ts';
import { lineChart } from './lib/chart.ts';
import { startHarness } from './lib/harness.ts';
import { machineState } from './lib/machine.ts';
import { round } from './lib/stats.ts';
import { measureConcurrency } from './phases/concurrency.ts';
import type { BenchContext, PoolClient } from './phases/context.ts';
import { measureHistory } from './phases/history.ts';
import { measureLatency } from './phases/latency.ts';
import { measureScale } from './phases/scale.ts';
import { measureScaleOutPhase } from './phases/scale-out.ts';
import { headlines, headlineTable } from './phases/summary.ts';
import { measureThroughput } from './phases/throughput.ts';

const { values } = parseArgs({
  options: {
    scale: { type: 'boolean', default: false },
    /** Executions per kind in the throughput phase, split over the rounds. */
    count: { type: 'string', default: '320' },
    concurrency: { type: 'string', default: '1000' },
    /** Workflows the worker keeps in its cache (MAX_CACHED_WORKFLOWS): the memory / replay trade-off. */
    cache: { type: 'string', default: '100' },
    /** How long the concurrent executions are held running once all are, in seconds. */
    hold: { type: 'string', default: '30' },
    /** Comma-separated subset of throughput,history,latency,concurrency,scale,scaleout (default: all but scaleout; with --postgres: scaleout). */
    only: { type: 'string' },
    /** Base name of the result files in bench/results/ (default latest; with --postgres: postgres-scale-out). */
    out: { type: 'string' },
    /** The Temporal server v1.29.1 on PostgreSQL instead of the dev server. */
    postgres: { type: 'boolean', default: false },
    /** Scale-out: worker counts, and workflows per batch. */
    workers: { type: 'string', default: '1,2,3' },
    /** Interleaved rounds of the throughput and scale-out phases. */
    rounds: { type: 'string', default: '8' },
    batch: { type: 'string', default: '60' },
    /** Worker pools to measure: watch (the default configuration), noWatch (WATCH_COMPLETION=false). */
    pools: { type: 'string', default: 'watch,noWatch' },
    /** A note on the machine's state recorded with the figures (e.g. the burners started beside the run). */
    note: { type: 'string' },
  },
});
const only = new Set((values.only ?? (values.postgres ? 'scaleout' : 'throughput,history,latency,concurrency,scale')).split(','));
const out = values.out ?? (values.postgres ? 'postgres-scale-out' : 'latest');
const resultsUrl = new URL(`./results/${out}.json`, import.meta.url);
const previous = existsSync(resultsUrl) ? (JSON.parse(readFileSync(resultsUrl, 'utf8')) as Record<string, unknown>) : undefined;
const say = (line: string) => process.stdout.write(`${line}\n`);
const started = Date.now();
// Ctrl-C ends through process.exit, so the server, the database and the workers started here are stopped with it.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
const harness = await startHarness({ maxCachedWorkflows: Number(values.cache), postgres: values.postgres, noWatchPool: !values.postgres });
const { client } = harness;
const allPools: PoolClient[] = [
  { name: 'watch', pool: harness.pools.watch, executions: new ExecutionClient(client, { taskQueue: harness.pools.watch.taskQueue }) },
  ...(harness.pools.noWatch
    ? [
        {
          name: 'noWatch' as const,
          pool: harness.pools.noWatch,
          executions: new ExecutionClient(client, { taskQueue: harness.pools.noWatch.taskQueue }),
        },
      ]
    : []),
];
const pools = allPools.filter((pool) => values.pools.split(',').includes(pool.name));
const context: BenchContext = {
  harness,
  client,
  pools,
  say,
  options: {
    count: Number(values.count),
    rounds: Number(values.rounds),
    concurrency: Number(values.concurrency),
    cache: Number(values.cache),
    holdSeconds: Number(values.hold),
    scale: values.scale,
  },
};
const results: Record<string, unknown> = {
  machine: { cores: availableParallelism(), node: process.version, loadAverageAtStart: loadavg().map((value) => round(value)) },
  ...(values.note ? { note: values.note } : {}),
  server: harness.server.kind,
  workers: { watch: 'default configuration (completion watch on)', noWatch: 'WATCH_COMPLETION=false, its own namespace' },
  ...(harness.stack
    ? {
        topology: {
          temporalServer: harness.stack.versions.server,
          postgres: harness.stack.versions.postgres,
          schema: harness.stack.versions.schema,
          numHistoryShards: harness.stack.versions.numHistoryShards,
          visibility: 'SQL (postgres12)',
          startSeconds: harness.stack.timings,
        },
      }
    : {}),
};

/** Runs a phase with the machine's state over it recorded beside its figures. */
async function phase<T extends object>(name: string, measure: () => Promise<T>): Promise<T> {
  const window = harness.cpu();
  const figures = await measure();
  const machine = machineState(window());
  if (machine.limited)
    say(
      `  the machine was the limit: ${machine.machineCores} of ${availableParallelism()} cores busy, ${machine.otherCores} by other tenants`,
    );
  results[name] = { ...figures, machine };
  return figures;
}

let chart: string | undefined;
try {
  if (only.has('throughput')) await phase('throughput', () => measureThroughput(context));
  if (only.has('history')) await phase('historySize', () => measureHistory(context));
  if (only.has('latency')) await phase('detectionLatency', () => measureLatency(context));
  if (only.has('concurrency')) {
    const concurrency = await phase('concurrency', () => measureConcurrency(context));
    const large = concurrency.runs.find((run) => run.pool === 'watch' && run.executions === context.options.concurrency);
    const noWatch = concurrency.runs.find((run) => run.pool === 'noWatch' && run.executions === context.options.concurrency);
    chart = lineChart(
      `Worker RSS with ${context.options.concurrency} executions running: watch on (left) and off (right)`,
      'seconds since the executions started',
      { label: 'watch on', unit: 'MB', color: '#d62728', points: (large?.memoryEvery10s ?? []).map((s) => ({ x: s.seconds, y: s.rssMb })) },
      {
        label: 'watch off',
        unit: 'MB',
        color: '#1f77b4',
        points: (noWatch?.memoryEvery10s ?? []).map((s) => ({ x: s.seconds, y: s.rssMb })),
      },
    );
  }
  if (only.has('scale')) await phase('scale', () => measureScale(context));
  if (only.has('scaleout')) {
    const scaleOut = await phase('scaleOut', () => measureScaleOutPhase(context, { workers: values.workers, batch: Number(values.batch) }));
    results.scaleOut = scaleOut.scaleOut;
    chart = scaleOut.chart;
    say(scaleOut.scaleOut.limit);
  }
  // The per-namespace list+watch of each worker, over the whole run: shared by every execution, counted apart.
  results.sharedWatchRequests = { seconds: round((Date.now() - started) / 1000, 0), byCall: harness.apiRequests.shared() };
  results.totalSeconds = round((Date.now() - started) / 1000, 0);
  results.measuredAt = new Date().toISOString();
  const rows = headlines(results, previous);
  results.headline = rows;
  say('');
  say(headlineTable(rows));
  say(`total ${results.totalSeconds} s`);
  writeFileSync(resultsUrl, `${JSON.stringify(results, null, 2)}\n`);
  if (chart) writeFileSync(new URL(`./results/${out}.svg`, import.meta.url), chart);
  say(`wrote bench/results/${out}.json${chart ? ` and ${out}.svg` : ''}`);
} finally {
  await harness.stop();
}
