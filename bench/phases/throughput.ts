/**
 * Throughput: executions of the Job engine (ending at their first poll) against a no-op baseline workflow of the same
 * shape, with the watch on and off, in interleaved rounds whose order rotates (a shared machine drifts over minutes).
 * Each batch is timed from its first start to its last close as the server recorded them; the ratio of each round
 * and their median and spread are reported, with the worker's CPU per workflow and the machine's state.
 */
import { type HistoryShape, historyShape, meanShape } from '../lib/history-shape.ts';
import { machineState } from '../lib/machine.ts';
import { benchRequest, FAST_POLICY } from '../lib/requests.ts';
import { round, spread } from '../lib/stats.ts';
import { type BenchContext, type PoolClient, perSecond } from './context.ts';

type Kind = 'baseline' | PoolClient['name'];

interface Batch {
  round: number;
  kind: Kind;
  perSecond: number;
  /** Worker CPU seconds per workflow (the pool that ran the batch). */
  workerCpuSeconds: number;
  /** CPU seconds per workflow of the Temporal server, and of the benchmark process (client and Kubernetes sandbox). */
  serverCpuSeconds: number;
  benchCpuSeconds: number;
  machineLimited: boolean;
  otherCores: number;
}

export async function measureThroughput(context: BenchContext) {
  const { harness, client, pools, options, say } = context;
  const watch = pools[0] as PoolClient;
  const perBatch = Math.ceil(options.count / options.rounds);
  const kinds: Kind[] = ['baseline', ...pools.map((pool) => pool.name)];
  say(`[throughput] ${options.rounds} interleaved rounds of ${perBatch} each: ${kinds.join(', ')}…`);
  const start = (kind: Kind, name: string) => {
    if (kind === 'baseline')
      return client.workflow.start('baselineWorkflow', { taskQueue: watch.pool.taskQueue, workflowId: name, args: [1, 1000] });
    const pool = pools.find((entry) => entry.name === kind) as PoolClient;
    return pool.executions.startExecution(benchRequest(name, { SANDBOX_DURATION_MS: '0' }, FAST_POLICY));
  };
  // Workflow caches and JIT warm outside the measurement.
  for (const kind of kinds) {
    await harness.startMany(10, 10, (index) => start(kind, `warm-${kind.toLowerCase()}-${index}`));
    await harness.waitDrained(`warm-${kind.toLowerCase()}-`, 120_000);
  }
  const batches: Batch[] = [];
  for (let round = 0; round < options.rounds; round++) {
    const order = kinds.map((_kind, index) => kinds[(index + round) % kinds.length] as Kind);
    for (const kind of order) {
      const prefix = `tput-${kind.toLowerCase()}-${round}-`;
      const window = harness.cpu();
      await harness.startMany(perBatch, 50, (index) => start(kind, `${prefix}${index}`));
      await harness.waitDrained(prefix, 120_000);
      const reading = window();
      const rows = await harness.closed(prefix);
      const workerCores = kind === 'noWatch' ? (reading.cores.noWatchWorkers ?? 0) : (reading.cores.workers ?? 0);
      const machine = machineState(reading);
      batches.push({
        round,
        kind,
        perSecond: perSecond(rows),
        workerCpuSeconds: (workerCores * reading.seconds) / perBatch,
        serverCpuSeconds: ((reading.cores.server ?? 0) * reading.seconds) / perBatch,
        benchCpuSeconds: ((reading.cores.bench ?? 0) * reading.seconds) / perBatch,
        machineLimited: machine.limited,
        otherCores: machine.otherCores,
      });
    }
  }
  const of = (kind: Kind) => batches.filter((batch) => batch.kind === kind);
  // CPU seconds per workflow by process (medians of the batches): where the work of an execution goes.
  const cpu = (kind: Kind) => ({
    worker: spread(
      of(kind).map((batch) => batch.workerCpuSeconds),
      4,
    ).median,
    temporalServer: spread(
      of(kind).map((batch) => batch.serverCpuSeconds),
      4,
    ).median,
    benchAndSandbox: spread(
      of(kind).map((batch) => batch.benchCpuSeconds),
      4,
    ).median,
  });
  const ratios = (kind: Kind) =>
    of(kind).map((batch) => batch.perSecond / (of('baseline').find((base) => base.round === batch.round)?.perSecond ?? Number.NaN));
  const shapes = async (kind: Kind): Promise<HistoryShape> => {
    const rows = (await harness.closed(`tput-${kind.toLowerCase()}-0-`)).slice(0, 5);
    return meanShape(await Promise.all(rows.map((row) => historyShape(client, row.workflowId, row.runId))));
  };
  const result: Record<string, unknown> = {
    rounds: options.rounds,
    perBatch,
    baselinePerSecond: spread(of('baseline').map((batch) => batch.perSecond)),
    baselineCpuSeconds: cpu('baseline'),
    baselineHistory: await shapes('baseline'),
    batchesOnSaturatedMachine: batches.filter((batch) => batch.machineLimited).length,
    batches: batches.length,
    otherTenantCores: spread(batches.map((batch) => batch.otherCores)),
    goalRatio: 0.9,
  };
  for (const pool of pools) {
    const rows = await harness.closed(`tput-${pool.name.toLowerCase()}-`);
    result[pool.name] = {
      executions: rows.length,
      failures: rows.filter((row) => row.status !== 'COMPLETED').length,
      executionsPerSecond: spread(of(pool.name).map((batch) => batch.perSecond)),
      ratio: spread(ratios(pool.name)),
      ratioPerRound: ratios(pool.name).map((value) => round(value)),
      cpuSecondsPerExecution: cpu(pool.name),
      history: await shapes(pool.name),
    };
  }
  return result;
}
