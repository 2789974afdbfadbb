/**
 * Concurrency: N executions held running at once on one worker, then released, with the watch on and off, at a small
 * N and the large one: peak RSS and heap, the worker's CPU seconds per execution, the RSS slope per execution between
 * the two sizes, poll punctuality once all run, and the machine's state. Every wait is for progress (all running, all
 * closed), never a fixed deadline: a busy machine slows a phase, and the figures say so, but does not fail it.
 */
import type { Client } from '@temporalio/client';
import { processCpuSeconds } from '../lib/cpu.ts';
import type { MemorySample } from '../lib/harness.ts';
import { machineState } from '../lib/machine.ts';
import { benchRequest } from '../lib/requests.ts';
import { percentile, round } from '../lib/stats.ts';
import type { BenchContext, PoolClient } from './context.ts';

const mb = (bytes: number) => round(bytes / 2 ** 20, 1);

/** Waits until `read()` reaches `target`; fails only when it has not moved for `stallMs`. */
async function waitForProgress(read: () => number, target: number, stallMs: number, what: string): Promise<void> {
  let last = -1;
  let movedAt = Date.now();
  for (let value = read(); value < target; value = read()) {
    if (value > last) [last, movedAt] = [value, Date.now()];
    else if (Date.now() - movedAt > stallMs) throw new Error(`${what}: ${value} of ${target}, no progress for ${stallMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** How late each poll ran after its timer was due, from a sample of histories; `steady` once all were running. */
async function pollLateness(client: Client, rows: { workflowId: string; runId: string }[], steadyFrom: number, steadyTo: number) {
  const all: number[] = [];
  const steady: number[] = [];
  for (const row of rows.filter((_row, index) => index % 10 === 0)) {
    const history = await client.workflow.getHandle(row.workflowId, row.runId).fetchHistory();
    let due: number | undefined;
    for (const event of history.events ?? []) {
      const time = Number(event.eventTime?.seconds ?? 0) * 1000 + Math.floor((event.eventTime?.nanos ?? 0) / 1e6);
      const timer = event.timerStartedEventAttributes?.startToFireTimeout;
      if (timer) due = time + Number(timer.seconds ?? 0) * 1000 + Math.floor((timer.nanos ?? 0) / 1e6);
      if (event.markerRecordedEventAttributes && due !== undefined) {
        all.push(time - due);
        if (due >= steadyFrom && due <= steadyTo) steady.push(time - due);
        due = undefined;
      }
    }
  }
  return {
    pollsSampled: all.length,
    latePollsOver1s: all.filter((value) => value > 1000).length,
    steadyPollsSampled: steady.length,
    steadyLatePollsOver1s: steady.filter((value) => value > 1000).length,
    steadyP99PollLatenessMs: round(percentile(steady, 0.99), 0),
  };
}

function breakdown(sample: MemorySample) {
  const spaces = Object.fromEntries(Object.entries(sample.spaces ?? {}).map(([name, bytes]) => [name, mb(bytes)]));
  return {
    rssMb: mb(sample.rss),
    rssFileMb: mb(sample.rssFile ?? 0),
    rssAnonMb: mb(sample.rssAnon ?? 0),
    mainHeapTotalMb: mb(sample.heapTotal ?? 0),
    mainHeapUsedMb: mb(sample.heapUsed),
    mainHeapSpacesMb: spaces,
    anonOutsideMainHeapMb: mb((sample.rssAnon ?? 0) - (sample.heapTotal ?? 0)),
  };
}

async function holdMany(context: BenchContext, pool: PoolClient, count: number, holdSeconds: number) {
  const { harness, client } = context;
  const prefix = `conc-${pool.name.toLowerCase()}-${count}-`;
  const memory = pool.pool.memory;
  const memoryFrom = memory.length;
  const rssBefore = memory.at(-1)?.rss;
  const pid = pool.pool.workers.pids()[0] ?? 0;
  const cpuBefore = processCpuSeconds(pid);
  const window = harness.cpu();
  const startedAt = Date.now();
  const heldBefore = harness.kube.jobs.heldCount;
  await harness.startMany(count, 50, (index) =>
    pool.executions.startExecution(benchRequest(`${prefix}${index}`, { SANDBOX_OUTCOME: 'hold' }, undefined)),
  );
  await waitForProgress(() => harness.kube.jobs.heldCount - heldBefore, count, 120_000, `${prefix}* running`);
  const allRunning = Date.now();
  await new Promise((resolve) => setTimeout(resolve, holdSeconds * 1000));
  const releasedAt = Date.now();
  harness.kube.release('success', (name) => name.startsWith('wfe-'));
  await harness.waitDrained(prefix, 120_000);
  const drainedAt = Date.now();
  const machine = machineState(window());
  const workerCpuSeconds = processCpuSeconds(pid) - cpuBefore;
  const samples = memory.slice(memoryFrom);
  const rows = await harness.closed(prefix);
  return {
    pool: pool.name,
    executions: count,
    failures: rows.filter((row) => row.status !== 'COMPLETED').length,
    secondsToAllRunning: round((allRunning - startedAt) / 1000, 1),
    holdSeconds,
    drainSeconds: round((drainedAt - releasedAt) / 1000, 1),
    rssBeforeMb: mb(rssBefore ?? samples[0]?.rss ?? 0),
    peakRssMb: mb(Math.max(...samples.map((sample) => sample.rss))),
    peakHeapUsedMb: mb(Math.max(...samples.map((sample) => sample.heapUsed))),
    peakHeapTotalMb: mb(Math.max(...samples.map((sample) => sample.heapTotal ?? 0))),
    peakExternalMb: mb(Math.max(...samples.map((sample) => sample.external ?? 0))),
    // Where the RSS is at its peak: file-backed code, the main thread's heap by space, and the rest of the anonymous
    // memory (the workflow thread's heap, the Temporal core's native allocations, buffers).
    atPeak: breakdown(samples.reduce((peak, sample) => (sample.rss > peak.rss ? sample : peak), samples[0] as MemorySample)),
    workerCpuSeconds: round(workerCpuSeconds, 1),
    workerCpuSecondsPerExecution: round(workerCpuSeconds / count, 4),
    peakRssMbPerExecution: round(mb(Math.max(...samples.map((sample) => sample.rss))) / count, 3),
    ...(count >= 100 ? await pollLateness(client, rows, allRunning, releasedAt) : {}),
    machine,
    memoryEvery10s: samples
      .filter((_sample, index) => index % 20 === 0)
      .map((sample) => ({ seconds: round((sample.time - startedAt) / 1000, 0), rssMb: round(sample.rss / 2 ** 20, 0) })),
  };
}

export async function measureConcurrency(context: BenchContext) {
  const { pools, options, say } = context;
  const sizes = [20, options.concurrency];
  const runs: Awaited<ReturnType<typeof holdMany>>[] = [];
  for (const pool of pools)
    for (const size of sizes) {
      say(`[concurrency] ${size} executions running at once on the ${pool.name} worker (cache ${options.cache})…`);
      runs.push(await holdMany(context, pool, size, size >= 100 ? options.holdSeconds : 10));
    }
  const slope = Object.fromEntries(
    pools.map((pool) => {
      const [small, large] = sizes.map((size) => runs.find((run) => run.pool === pool.name && run.executions === size));
      return [pool.name, round(((large?.peakRssMb ?? 0) - (small?.peakRssMb ?? 0)) / (options.concurrency - 20), 3)];
    }),
  );
  return {
    maxCachedWorkflows: options.cache,
    workerTuning: `MAX_CACHED_WORKFLOWS, MALLOC_ARENA_MAX=2, NODE_OPTIONS=${process.env.BENCH_WORKER_NODE_OPTIONS ?? '--max-old-space-size=256 --max-semi-space-size=2'}`,
    pollPolicy: 'default (2 s doubling to 60 s; 5 min while watched)',
    runs,
    rssSlopeMbPerExecution: slope,
    goalRssMb: 400,
    goalCpuSecondsPerExecution: 0.034,
  };
}
