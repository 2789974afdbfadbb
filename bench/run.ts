/**
 * npm run bench [-- --scale] [--count 200] [--concurrency 1000]
 * Measures, side by side in one run on this machine: (1) throughput against a no-op baseline workflow of the same
 * shape, (2) history size of a 10-minute run in scaled time against naive fixed 5 s polling, (3) detection latency
 * relative to the poll interval in force, (4) memory and poll punctuality with 1,000 executions running at once,
 * (5) with --scale, 10,000 executions in one run. Writes bench/results/latest.json and latest.svg.
 *
 * npm run bench -- --postgres [--rounds 8] [--batch 60] [--workers 1,2,3]
 * On the production-shaped Temporal (server v1.29.1 on PostgreSQL, scripts/lib/temporal-postgres): the scale-out
 * curve, executions/s with 1, 2 and 3 workers each beside the no-op baseline, with every process group's CPU.
 * Writes bench/results/postgres-scale-out.json and .svg. Other phases run on it with --only.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ExecutionClient } from '../src/client.ts';
import type { ExecutionRequest } from '../src/domain/types.ts';
import { statusQuery } from '../src/workflows/definitions.ts';
import { lineChart } from './lib/chart.ts';
import { startHarness } from './lib/harness.ts';
import { measureScaleOut } from './lib/scale-out.ts';
import { mean, percentile, round } from './lib/stats.ts';

const { values } = parseArgs({
  options: {
    scale: { type: 'boolean', default: false },
    count: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '1000' },
    /** Workflows the worker keeps in its cache (MAX_CACHED_WORKFLOWS): the memory / replay trade-off. */
    cache: { type: 'string', default: '100' },
    /** How long the concurrent executions are held running once all are, in seconds. */
    hold: { type: 'string', default: '60' },
    /** Comma-separated subset of throughput,history,latency,concurrency,scale,scaleout (default: all but scaleout; with --postgres: scaleout). */
    only: { type: 'string' },
    /** Base name of the result files in bench/results/ (default latest; with --postgres: postgres-scale-out). */
    out: { type: 'string' },
    /** The Temporal server v1.29.1 on PostgreSQL instead of the dev server. */
    postgres: { type: 'boolean', default: false },
    /** Scale-out: worker counts, interleaved rounds, workflows per batch. */
    workers: { type: 'string', default: '1,2,3' },
    rounds: { type: 'string', default: '8' },
    batch: { type: 'string', default: '60' },
  },
});
const only = values.only ?? (values.postgres ? 'scaleout' : 'throughput,history,latency,concurrency,scale');
const out = values.out ?? (values.postgres ? 'postgres-scale-out' : 'latest');
const say = (line: string) => process.stdout.write(`${line}\n`);
const started = Date.now();
// Ctrl-C ends through process.exit, so the server, the database and the workers started here are stopped with it.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
const harness = await startHarness({ maxCachedWorkflows: Number(values.cache), postgres: values.postgres });
const { client, kube, taskQueue } = harness;
const executions = new ExecutionClient(client, { taskQueue });
const results: Record<string, unknown> = {
  machine: { cores: (await import('node:os')).availableParallelism(), node: process.version },
  server: harness.server.kind,
  // Worker settings that change what is measured (the completion watch signals executions from every worker).
  workerEnv: { WATCH_COMPLETION: process.env.WATCH_COMPLETION ?? 'default (on)' },
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

function jobRequest(name: string, parameters: Record<string, string>, policy: ExecutionRequest['policy']): ExecutionRequest {
  return {
    workflowExecution: {
      metadata: { name, namespace: 'kubernaut-system' },
      spec: {
        workflowRef: { workflowId: 'bench', executionBundle: 'quay.io/kubernaut/bench:1' },
        targetResource: `bench/Deployment/${name}`,
        parameters,
        executionEngine: 'job',
      },
    },
    ...(policy ? { policy } : {}),
  };
}

/** Executions per second over closed workflows, and per-second buckets for the chart. */
function throughputOf(rows: { start: number; close: number }[]) {
  const first = Math.min(...rows.map((row) => row.start));
  const last = Math.max(...rows.map((row) => row.close));
  return { perSecond: rows.length / ((last - first) / 1000), seconds: (last - first) / 1000, first };
}

try {
  // 1. Throughput: K executions of the Job engine, one poll each, against a no-op baseline of the same shape.
  const phases = new Set(only.split(','));
  let throughputSeries: { x: number; y: number }[] = [];
  let memorySeries: { x: number; y: number }[] = [];
  if (phases.has('throughput')) {
    const count = Number(values.count);
    say(`[1/5] throughput: ${count} executions vs ${count} baseline workflows…`);
    for (const prefix of ['warm-base', 'warm-exec']) {
      await harness.startMany(10, 10, (index) =>
        prefix === 'warm-base'
          ? client.workflow.start('baselineWorkflow', { taskQueue, workflowId: `${prefix}-${index}`, args: [1, 1000] })
          : executions.startExecution(
              jobRequest(`${prefix}-${index}`, { SANDBOX_DURATION_MS: '0' }, { pollInitialMs: 1000, pollMaxMs: 1000 }),
            ),
      );
      await harness.waitDrained(prefix, 120_000);
    }
    // Interleaved rounds, so both see the same machine (a shared 2-core box drifts over minutes).
    const rounds = 4;
    const perRound = Math.ceil(count / rounds);
    const baseTimes: number[] = [];
    const execTimes: number[] = [];
    const upsertTimes: number[] = [];
    for (let round = 0; round < rounds; round++) {
      let began = Date.now();
      await harness.startMany(perRound, 50, (index) =>
        client.workflow.start('baselineWorkflow', { taskQueue, workflowId: `base-${round}-${index}`, args: [1, 1000] }),
      );
      await harness.waitDrained(`base-${round}-`, 600_000);
      baseTimes.push(Date.now() - began);
      began = Date.now();
      await harness.startMany(perRound, 50, (index) =>
        client.workflow.start('baselineWorkflow', { taskQueue, workflowId: `baseup-${round}-${index}`, args: [1, 1000, 1] }),
      );
      await harness.waitDrained(`baseup-${round}-`, 600_000);
      upsertTimes.push(Date.now() - began);
      began = Date.now();
      await harness.startMany(perRound, 50, (index) =>
        executions.startExecution(
          jobRequest(`tput-${round}-${index}`, { SANDBOX_DURATION_MS: '0' }, { pollInitialMs: 1000, pollMaxMs: 1000 }),
        ),
      );
      await harness.waitDrained(`tput-${round}-`, 600_000);
      execTimes.push(Date.now() - began);
    }
    const baseRows = await harness.closed('base-');
    const execRows = await harness.closed('tput-');
    const sampled = await Promise.all(
      execRows.slice(0, 20).map(async (row) => (await client.workflow.getHandle(row.workflowId, row.runId).query(statusQuery)).polls),
    );
    const ours = throughputOf(execRows);
    // Each round from its first start until none is running, as the harness saw it.
    const oursPerSecond = execRows.length / (execTimes.reduce((a, b) => a + b, 0) / 1000);
    const basePerSecond = baseRows.length / (baseTimes.reduce((a, b) => a + b, 0) / 1000);
    results.throughput = {
      executions: execRows.length,
      rounds,
      failures: execRows.filter((row) => row.status !== 'COMPLETED').length,
      executionsPerSecond: round(oursPerSecond),
      baselinePerSecond: round(basePerSecond),
      ratio: round(oursPerSecond / basePerSecond),
      ratioPerRound: execTimes.map((time, index) => round((baseTimes[index] ?? 0) / time)),
      // The same baseline plus the one ExecutionPhase update an execution makes (a visibility write on the server).
      baselineWithPhaseUpsertPerSecond: round(baseRows.length / (upsertTimes.reduce((a, b) => a + b, 0) / 1000)),
      ratioToBaselineWithPhaseUpsert: round(oursPerSecond / (baseRows.length / (upsertTimes.reduce((a, b) => a + b, 0) / 1000))),
      meanPollsPerExecution: round(mean(sampled)),
      goalRatio: 0.9,
    };
    const buckets = new Map<number, number>();
    for (const row of execRows)
      buckets.set(Math.floor((row.close - ours.first) / 1000), (buckets.get(Math.floor((row.close - ours.first) / 1000)) ?? 0) + 1);
    throughputSeries = [...buckets.entries()].sort(([a], [b]) => a - b).map(([x, y]) => ({ x, y }));
  }

  // 2. History size: a 10-minute backend run under the default policy, simulated 30× faster (durations and intervals
  //    scaled alike, so the number of polls is the same), against naive fixed 5 s polling.
  if (phases.has('history')) {
    const scale = 30;
    say(`[2/5] history size: a 10-minute run in ${600 / scale} s (scaled ${scale}×)…`);
    const tenMinutes = String(600_000 / scale);
    // An execution's workflow ID is its target's name (wfe-…); it is found by its WorkflowExecutionName.
    const { workflowId: historyDefault } = await executions.startExecution(
      jobRequest(
        'history-default',
        { SANDBOX_DURATION_MS: tenMinutes },
        { pollInitialMs: Math.round(2000 / scale), pollMaxMs: 60_000 / scale },
      ),
    );
    await client.workflow.start('naivePollingWorkflow', {
      taskQueue,
      workflowId: 'history-naive',
      args: [jobRequest('history-naive', { SANDBOX_DURATION_MS: tenMinutes }, undefined), Math.round(5000 / scale)],
    });
    await harness.waitDrained('history-', 120_000);
    const events = async (workflowId: string) => (await client.workflow.getHandle(workflowId).fetchHistory()).events?.length ?? 0;
    const defaultEvents = await events(historyDefault);
    const naiveEvents = await events('history-naive');
    const defaultPolls = (await client.workflow.getHandle(historyDefault).query(statusQuery)).polls;
    results.historySize = {
      defaultPolicyEvents: defaultEvents,
      defaultPolicyPolls: defaultPolls,
      naiveFixed5sEvents: naiveEvents,
      ratio: round(defaultEvents / naiveEvents, 3),
      goalEvents: 150,
    };
  }

  // 3. Detection latency: from the sandbox marking the Job terminal to the workflow closing, default policy.
  if (phases.has('latency')) {
    const latencyCount = 40;
    say(`[3/5] detection latency: ${latencyCount} executions of 1–20 s under the default policy…`);
    const terminalAt = new Map<string, number>();
    kube.store.onChange((event) => {
      const conditions = (event.object.status?.conditions ?? []) as { type: string; status: string }[];
      if (
        event.resource.plural === 'jobs' &&
        !terminalAt.has(event.object.metadata.name) &&
        conditions.some((condition) => condition.status === 'True' && ['SuccessCriteriaMet', 'Complete'].includes(condition.type))
      ) {
        terminalAt.set(event.object.metadata.name, Date.now());
      }
    });
    const latencyIds: { workflowId: string; resource: string }[] = [];
    await harness.startMany(latencyCount, 20, async (index) => {
      const duration = 1000 + Math.round(((index * 7919) % 1000) * 19);
      const { workflowId } = await executions.startExecution(
        jobRequest(`latency-${index}`, { SANDBOX_DURATION_MS: String(duration) }, undefined),
      );
      const view = await executions.getExecution(workflowId);
      latencyIds.push({ workflowId, resource: view.status?.handle?.resourceName ?? '' });
    });
    await harness.waitDrained('latency-', 300_000);
    const latencies: number[] = [];
    const relative: number[] = [];
    for (const { workflowId } of latencyIds) {
      const view = await executions.getExecution(workflowId);
      const terminal = terminalAt.get(view.status?.handle?.resourceName ?? '');
      if (!terminal || !view.closeTime) continue;
      const latency = view.closeTime.getTime() - terminal;
      latencies.push(latency);
      relative.push(latency / (view.status?.pollDelayMs ?? 2000));
    }
    results.detectionLatency = {
      executions: latencies.length,
      p50Ms: round(percentile(latencies, 0.5), 0),
      p99Ms: round(percentile(latencies, 0.99), 0),
      p50OfPollInterval: round(percentile(relative, 0.5)),
      p99OfPollInterval: round(percentile(relative, 0.99)),
    };
  }

  // 4. Concurrency: N executions held running at once on one worker, then released.
  if (phases.has('concurrency')) {
    const concurrency = Number(values.concurrency);
    say(`[4/5] concurrency: ${concurrency} executions running at once on one worker (cache ${values.cache})…`);
    const memoryFrom = harness.memory.length;
    const idleRssMb = round((harness.memory.at(-1)?.rss ?? 0) / 2 ** 20, 1);
    const startedAt = Date.now();
    await harness.startMany(concurrency, 50, (index) =>
      executions.startExecution(jobRequest(`conc-${index}`, { SANDBOX_OUTCOME: 'hold' }, undefined)),
    );
    while (kube.jobs.heldCount < concurrency) {
      if (Date.now() - startedAt > 300_000) throw new Error(`only ${kube.jobs.heldCount} of ${concurrency} running after 5 minutes`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const allRunning = Date.now();
    await new Promise((resolve) => setTimeout(resolve, Number(values.hold) * 1000));
    const releasedAt = Date.now();
    kube.release();
    await harness.waitDrained('conc-', 600_000);
    const drainMs = Date.now() - releasedAt;
    const samples = harness.memory.slice(memoryFrom);
    const concRows = await harness.closed('conc-');
    // Poll punctuality from a sample of histories: how late each poll ran after its timer was due.
    const lateness: number[] = [];
    const steadyLateness: number[] = [];
    for (const row of concRows.filter((_row, index) => index % 10 === 0)) {
      const history = await client.workflow.getHandle(row.workflowId, row.runId).fetchHistory();
      let due: number | undefined;
      for (const event of history.events ?? []) {
        const time = Number(event.eventTime?.seconds ?? 0) * 1000 + Math.floor((event.eventTime?.nanos ?? 0) / 1e6);
        const timer = event.timerStartedEventAttributes?.startToFireTimeout;
        if (timer) due = time + Number(timer.seconds ?? 0) * 1000 + Math.floor((timer.nanos ?? 0) / 1e6);
        if (event.markerRecordedEventAttributes && due !== undefined) {
          lateness.push(time - due);
          if (due >= allRunning && due <= releasedAt) steadyLateness.push(time - due);
          due = undefined;
        }
      }
    }
    results.concurrency = {
      executions: concurrency,
      maxCachedWorkflows: Number(values.cache),
      workerTuning: 'MAX_CACHED_WORKFLOWS, MALLOC_ARENA_MAX=2, --max-old-space-size=256',
      pollPolicy: 'default (2 s doubling to 60 s)',
      holdSeconds: Number(values.hold),
      failures: concRows.filter((row) => row.status !== 'COMPLETED').length,
      secondsToAllRunning: round((allRunning - startedAt) / 1000, 1),
      rssBeforeMb: idleRssMb,
      peakRssMb: round(Math.max(...samples.map((sample) => sample.rss)) / 2 ** 20, 1),
      peakHeapUsedMb: round(Math.max(...samples.map((sample) => sample.heapUsed)) / 2 ** 20, 1),
      pollsSampled: lateness.length,
      latePollsOver1s: lateness.filter((value) => value > 1000).length,
      p99PollLatenessMs: round(percentile(lateness, 0.99), 0),
      steadyPollsSampled: steadyLateness.length,
      steadyLatePollsOver1s: steadyLateness.filter((value) => value > 1000).length,
      steadyP99PollLatenessMs: round(percentile(steadyLateness, 0.99), 0),
      drainSeconds: round(drainMs / 1000, 1),
      memoryEvery10s: samples
        .filter((_sample, index) => index % 20 === 0)
        .map((sample) => ({
          seconds: round((sample.time - startedAt) / 1000, 0),
          rssMb: round(sample.rss / 2 ** 20, 0),
          heapUsedMb: round(sample.heapUsed / 2 ** 20, 0),
          heapTotalMb: round((sample.heapTotal ?? 0) / 2 ** 20, 0),
          externalMb: round((sample.external ?? 0) / 2 ** 20, 0),
        })),
      goalRssMb: 400,
    };
    memorySeries = samples.map((sample) => ({ x: (sample.time - startedAt) / 1000, y: sample.rss / 2 ** 20 }));
  }

  // 5. Scale: 10,000 executions in one run.
  if (phases.has('scale')) {
    // 2,000 by default (a few minutes); --scale runs the full 10,000.
    const total = values.scale ? 10_000 : 2_000;
    say(`[5/5] scale: ${total} executions in one run…`);
    await harness.startMany(total, 100, (index) =>
      executions.startExecution(jobRequest(`scale-${index}`, { SANDBOX_DURATION_MS: '0' }, { pollInitialMs: 1000, pollMaxMs: 1000 })),
    );
    await harness.waitDrained('scale-', 3_600_000);
    const rows = await harness.closed('scale-');
    const scaleThroughput = throughputOf(rows);
    const perMinute = new Map<number, number>();
    for (const row of rows)
      perMinute.set(
        Math.floor((row.close - scaleThroughput.first) / 60_000),
        (perMinute.get(Math.floor((row.close - scaleThroughput.first) / 60_000)) ?? 0) + 1,
      );
    results.scale = {
      executions: rows.length,
      failures: rows.filter((row) => row.status !== 'COMPLETED').length,
      executionsPerSecond: round(scaleThroughput.perSecond),
      seconds: round(scaleThroughput.seconds, 0),
      completedPerMinute: [...perMinute.entries()].sort(([a], [b]) => a - b).map(([, value]) => value),
    };
  }
  // 6. Scale-out: 1, 2, 3 workers on one task queue, each beside the baseline, interleaved.
  let scaleOutChart: string | undefined;
  if (phases.has('scaleout')) {
    const workerCounts = values.workers.split(',').map(Number);
    say(
      `[scale-out] ${workerCounts.join(', ')} workers × ${values.rounds} rounds × ${values.batch} executions and ${values.batch} baseline workflows on ${harness.server.kind}…`,
    );
    const scaleOut = await measureScaleOut(
      harness,
      executions,
      {
        workerCounts,
        rounds: Number(values.rounds),
        batch: Number(values.batch),
        jobRequest: (name) => jobRequest(name, { SANDBOX_DURATION_MS: '0' }, { pollInitialMs: 1000, pollMaxMs: 1000 }),
      },
      say,
    );
    results.scaleOut = scaleOut;
    const line = (kind: 'executionsPerSecond' | 'baselinePerSecond') =>
      scaleOut.perWorkers.map((entry) => ({ x: entry.workers, y: entry[kind].median }));
    scaleOutChart = lineChart(
      `Scale-out on ${harness.server.kind}: executions/s (left) and no-op baseline/s (right), median of ${values.rounds} rounds`,
      'workers',
      { label: 'executions', unit: 'per s', color: '#1f77b4', points: line('executionsPerSecond') },
      { label: 'baseline', unit: 'per s', color: '#7f7f7f', points: line('baselinePerSecond') },
    );
  }
  results.totalSeconds = round((Date.now() - started) / 1000, 0);
  results.measuredAt = new Date().toISOString();

  const t = results as Record<string, Record<string, number>>;
  const rows = [
    [
      'throughput',
      `${t.throughput?.executionsPerSecond} executions/s vs ${t.throughput?.baselinePerSecond} baseline/s`,
      `ratio ${t.throughput?.ratio} (goal ≥ 0.9)`,
    ],
    [
      'history size',
      `${t.historySize?.defaultPolicyEvents} events (${t.historySize?.defaultPolicyPolls} polls) for 10 min`,
      `naive 5 s polling ${t.historySize?.naiveFixed5sEvents} events (goal ≤ 150)`,
    ],
    [
      'detection latency',
      `p50 ${t.detectionLatency?.p50Ms} ms, p99 ${t.detectionLatency?.p99Ms} ms`,
      `p50 ${t.detectionLatency?.p50OfPollInterval}×, p99 ${t.detectionLatency?.p99OfPollInterval}× the poll interval`,
    ],
    [
      'concurrency',
      `${t.concurrency?.executions} running: RSS ${t.concurrency?.peakRssMb} MB, heap ${t.concurrency?.peakHeapUsedMb} MB`,
      `late polls (>1 s) ${t.concurrency?.steadyLatePollsOver1s}/${t.concurrency?.steadyPollsSampled} once all running, ${t.concurrency?.latePollsOver1s}/${t.concurrency?.pollsSampled} incl. ramp-up; drain ${t.concurrency?.drainSeconds} s (goal RSS < 400 MB)`,
    ],
    ...((
      results.scaleOut as
        | {
            perWorkers: {
              workers: number;
              executionsPerSecond: { median: number; min: number; max: number };
              executionsPerSecondPerCore: { median: number };
              baselinePerSecond: { median: number; min: number; max: number };
              ratio: number;
            }[];
          }
        | undefined
    )?.perWorkers.map((entry) => [
      `scale-out ${entry.workers}w`,
      `${entry.executionsPerSecond.median} executions/s (${entry.executionsPerSecond.min}–${entry.executionsPerSecond.max}), ${entry.executionsPerSecondPerCore.median}/s per core`,
      `baseline ${entry.baselinePerSecond.median}/s (${entry.baselinePerSecond.min}–${entry.baselinePerSecond.max}), ratio ${entry.ratio}`,
    ]) ?? []),
    ...(t.scale
      ? [
          [
            'scale',
            `${t.scale.executions} executions, ${t.scale.failures} failures`,
            `${t.scale.executionsPerSecond} executions/s over ${t.scale.seconds} s`,
          ],
        ]
      : []),
  ];
  say('');
  const measured: Record<string, unknown> = {
    throughput: t.throughput,
    'history size': t.historySize,
    'detection latency': t.detectionLatency,
    concurrency: t.concurrency,
    scale: t.scale,
  };
  for (const [name, figure, comparison] of rows.filter(
    ([name]) => measured[String(name)] !== undefined || String(name).startsWith('scale-out'),
  )) {
    say(`${String(name).padEnd(18)} ${String(figure).padEnd(58)} ${comparison}`);
  }
  if (results.scaleOut) say((results.scaleOut as { limit: string }).limit);
  say(`total ${results.totalSeconds} s`);
  writeFileSync(new URL(`./results/${out}.json`, import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(
    new URL(`./results/${out}.svg`, import.meta.url),
    scaleOutChart ??
      lineChart(
        'Throughput (executions completed per second) and worker RSS under 1,000 concurrent executions',
        'seconds since the phase started',
        { label: 'throughput', unit: 'executions/s', color: '#1f77b4', points: throughputSeries },
        { label: 'worker RSS', unit: 'MB', color: '#d62728', points: memorySeries },
      ),
  );
  say(`wrote bench/results/${out}.json and ${out}.svg`);
} finally {
  await harness.stop();
}
