/**
 * Scale-out: executions per second with 1, 2 and 3 workers on one task queue, each beside the no-op baseline on the
 * same server in the same run. Interleaved rounds (worker counts up, then down, …; baseline and executions take turns
 * going first), so all see the same drifting shared machine. Per batch: the CPU of every process group from /proc
 * (workers, Temporal server, PostgreSQL, the benchmark itself with the Kubernetes sandbox, everything else on the
 * machine) and the database's commits and WAL flushes. The limit is read from those: CPU per execution of each group,
 * and what the machine had left.
 */
import { availableParallelism } from 'node:os';
import type { ExecutionClient } from '../../src/client.ts';
import type { ExecutionRequest } from '../../src/domain/types.ts';
import type { CpuReading } from './cpu.ts';
import type { Harness } from './harness.ts';
import { round } from './stats.ts';

export interface ScaleOutOptions {
  workerCounts: number[];
  rounds: number;
  /** Workflows per batch. */
  batch: number;
  jobRequest: (name: string) => ExecutionRequest;
}

type Kind = 'baseline' | 'executions';

interface DatabaseCounters {
  commits: number;
  walSyncs: number;
  walSyncMs: number;
}

export interface Batch {
  workers: number;
  round: number;
  kind: Kind;
  perSecond: number;
  seconds: number;
  failures: number;
  /** Cores per process group over the batch. */
  cores: CpuReading['cores'];
  /** CPU milliseconds per workflow of each of our groups. */
  cpuMsPerWorkflow: Record<string, number>;
  /** Per workflow: database commits (every statement outside a transaction is one), WAL flushes and their time. */
  database?: { commits: number; walSyncs: number; walSyncMs: number };
}

/** The median (the mean of the two middle values for an even count). */
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  return round(
    sorted.length % 2 ? (sorted[Math.floor(middle)] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2,
  );
};
const spread = (values: number[]) => ({ median: median(values), min: round(Math.min(...values)), max: round(Math.max(...values)) });
/** Cores our own processes used in a batch (everything but the machine total and the other tenants). */
const ourCores = (batch: Batch) =>
  Object.entries(batch.cores)
    .filter(([group]) => !['machine', 'others'].includes(group))
    .reduce((sum, [, value]) => sum + value, 0);
const medianOf = (records: Record<string, number>[]) =>
  Object.fromEntries(Object.keys(records[0] ?? {}).map((key) => [key, median(records.map((record) => record[key] ?? 0))]));

export async function measureScaleOut(
  harness: Harness,
  executions: ExecutionClient,
  options: ScaleOutOptions,
  say: (line: string) => void,
) {
  const { client, taskQueue } = harness;
  // An execution's workflow ID is its target's name; a batch of executions is found by the WorkflowExecutionName the
  // client sets at start, a batch of baseline workflows by their workflow IDs.
  const filter = (kind: Kind, prefix: string) =>
    `TaskQueue = '${taskQueue}' AND ${kind === 'baseline' ? 'WorkflowId' : 'WorkflowExecutionName'} STARTS_WITH '${prefix}'`;
  /** Waits until all `count` workflows of the batch are closed (not merely none visible as running). */
  const drained = async (kind: Kind, prefix: string, count: number) => {
    const deadline = Date.now() + 600_000;
    while ((await client.workflow.count(`${filter(kind, prefix)} AND ExecutionStatus != 'Running'`)).count < count) {
      if (Date.now() > deadline) throw new Error(`batch ${prefix} not closed after 10 minutes`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };
  const closed = async (kind: Kind, prefix: string) => {
    const rows: { start: number; close: number; status: string }[] = [];
    for await (const execution of client.workflow.list({ query: filter(kind, prefix) }))
      if (execution.closeTime)
        rows.push({ start: execution.startTime.getTime(), close: execution.closeTime.getTime(), status: execution.status.name });
    return rows;
  };
  const database = async (): Promise<DatabaseCounters | undefined> => {
    if (!harness.stack) return undefined;
    const [commits, walSyncs, walSyncMs] = (
      await harness.stack.postgres.query(
        `SELECT (SELECT sum(xact_commit) FROM pg_stat_database WHERE datname LIKE 'temporal%'), wal_sync, wal_sync_time FROM pg_stat_wal`,
      )
    )
      .trim()
      .split('|')
      .map(Number);
    return { commits: commits ?? 0, walSyncs: walSyncs ?? 0, walSyncMs: walSyncMs ?? 0 };
  };
  const start = (kind: Kind, name: string) =>
    kind === 'baseline'
      ? client.workflow.start('baselineWorkflow', { taskQueue, workflowId: name, args: [1, 1000] })
      : executions.startExecution(options.jobRequest(name));
  const warm = async (label: string) => {
    for (const kind of ['baseline', 'executions'] as const) {
      await harness.startMany(20, 20, (index) => start(kind, `warm-${label}-${kind}-${index}`));
      await drained(kind, `warm-${label}-${kind}-`, 20);
    }
  };

  const batches: Batch[] = [];
  for (let roundIndex = 0; roundIndex < options.rounds; roundIndex++) {
    const counts = roundIndex % 2 === 0 ? options.workerCounts : [...options.workerCounts].reverse();
    for (const workers of counts) {
      if (harness.workers.size !== workers) {
        await harness.workers.resize(workers);
        // New worker processes: their workflow cache and JIT warm up outside the measurement.
        await warm(`r${roundIndex}-w${workers}`);
      }
      const kinds = roundIndex % 2 === 0 ? (['baseline', 'executions'] as const) : (['executions', 'baseline'] as const);
      for (const kind of kinds) {
        const prefix = `so-${kind}-w${workers}-r${roundIndex}-`;
        const databaseBefore = await database();
        const window = harness.cpu();
        await harness.startMany(options.batch, 50, (index) => start(kind, `${prefix}${index}`));
        await drained(kind, prefix, options.batch);
        const cpu = window();
        const databaseAfter = await database();
        const rows = await closed(kind, prefix);
        // From the first start to the last close, as the server recorded them.
        const seconds = (Math.max(...rows.map((row) => row.close)) - Math.min(...rows.map((row) => row.start))) / 1000;
        const perWorkflow = (value: number) => round(value / options.batch, 1);
        const batch: Batch = {
          workers,
          round: roundIndex,
          kind,
          perSecond: round(rows.length / seconds),
          seconds: round(seconds, 1),
          failures: rows.filter((row) => row.status !== 'COMPLETED').length + (options.batch - rows.length),
          cores: cpu.cores,
          cpuMsPerWorkflow: Object.fromEntries(
            Object.entries(cpu.cores)
              .filter(([group]) => !['machine', 'others'].includes(group))
              .map(([group, cores]) => [group, perWorkflow(cores * cpu.seconds * 1000)]),
          ),
          ...(databaseBefore && databaseAfter
            ? {
                database: {
                  commits: perWorkflow(databaseAfter.commits - databaseBefore.commits),
                  walSyncs: perWorkflow(databaseAfter.walSyncs - databaseBefore.walSyncs),
                  walSyncMs: perWorkflow(databaseAfter.walSyncMs - databaseBefore.walSyncMs),
                },
              }
            : {}),
        };
        batches.push(batch);
        say(
          `  ${workers} worker${workers > 1 ? 's' : ' '} round ${roundIndex + 1} ${kind.padEnd(10)} ${String(batch.perSecond).padStart(6)}/s  cores ${JSON.stringify(cpu.cores)}`,
        );
      }
    }
  }

  const perWorkers = options.workerCounts.map((workers) => {
    const of = (kind: Kind) => batches.filter((batch) => batch.workers === workers && batch.kind === kind);
    const executionBatches = of('executions');
    const baselineBatches = of('baseline');
    return {
      workers,
      executionsPerSecond: spread(executionBatches.map((batch) => batch.perSecond)),
      baselinePerSecond: spread(baselineBatches.map((batch) => batch.perSecond)),
      // Throughput per core our stack got: what is left once the other tenants' share of the machine is taken out.
      executionsPerSecondPerCore: spread(executionBatches.map((batch) => batch.perSecond / ourCores(batch))),
      baselinePerSecondPerCore: spread(baselineBatches.map((batch) => batch.perSecond / ourCores(batch))),
      ratio: round(median(executionBatches.map((batch) => batch.perSecond)) / median(baselineBatches.map((batch) => batch.perSecond))),
      ratioPerRound: executionBatches.map((batch) =>
        round(batch.perSecond / (baselineBatches.find((other) => other.round === batch.round)?.perSecond ?? Number.NaN)),
      ),
      failures: [...executionBatches, ...baselineBatches].reduce((sum, batch) => sum + batch.failures, 0),
      medianCoresExecutions: medianOf(executionBatches.map((batch) => batch.cores)),
      medianCoresBaseline: medianOf(baselineBatches.map((batch) => batch.cores)),
      medianCpuMsPerExecution: medianOf(executionBatches.map((batch) => batch.cpuMsPerWorkflow)),
      medianCpuMsPerBaseline: medianOf(baselineBatches.map((batch) => batch.cpuMsPerWorkflow)),
      ...(harness.stack
        ? {
            medianDatabasePerExecution: medianOf(executionBatches.map((batch) => batch.database ?? {})),
            medianDatabasePerBaseline: medianOf(baselineBatches.map((batch) => batch.database ?? {})),
          }
        : {}),
    };
  });
  return {
    workerCounts: options.workerCounts,
    rounds: options.rounds,
    batch: options.batch,
    perWorkers,
    batches,
    limit: readLimit(perWorkers),
  };
}

/** Where the limit is, from the figures: CPU per execution of each group, WAL flushes, and what the machine left us. */
function readLimit(
  perWorkers: {
    workers: number;
    executionsPerSecond: { median: number; min: number; max: number };
    executionsPerSecondPerCore: { median: number };
    medianCoresExecutions: Record<string, number>;
    medianCpuMsPerExecution: Record<string, number>;
    medianDatabasePerExecution?: Record<string, number>;
  }[],
): string {
  const first = perWorkers[0];
  const last = perWorkers.at(-1);
  if (!first || !last) return 'not measured';
  const cores = availableParallelism();
  const range = (entry: typeof first) =>
    `${entry.executionsPerSecond.median}/s (${entry.executionsPerSecond.min}–${entry.executionsPerSecond.max})`;
  const ms = (group: string) => perWorkers.map((entry) => entry.medianCpuMsPerExecution[group] ?? 0);
  const span = (values: number[]) => `${round(Math.min(...values), 1)}–${round(Math.max(...values), 1)}`;
  const serverSide = perWorkers.map((entry) => (entry.medianCpuMsPerExecution.server ?? 0) + (entry.medianCpuMsPerExecution.postgres ?? 0));
  const total = perWorkers.map((entry) => Object.values(entry.medianCpuMsPerExecution).reduce((sum, value) => sum + value, 0));
  const others = perWorkers.map((entry) => entry.medianCoresExecutions.others ?? 0);
  const ours = perWorkers.map((entry) =>
    round(
      Object.entries(entry.medianCoresExecutions)
        .filter(([group]) => !['machine', 'others'].includes(group))
        .reduce((sum, [, value]) => sum + value, 0),
    ),
  );
  const database = last.medianDatabasePerExecution;
  return [
    `Executions/s by workers: ${perWorkers.map((entry) => `${entry.workers}: ${range(entry)}`).join('; ')}.`,
    `Other tenants of this ${cores}-core machine used ${span(others)} cores (median per worker count), leaving our whole stack ${span(ours)} cores (per core it got: ${perWorkers.map((entry) => `${entry.workers}: ${entry.executionsPerSecondPerCore.median}`).join(', ')} executions/s); ${last.workers} workers give ${round(last.executionsPerSecond.median / first.executionsPerSecond.median)}× the executions/s of ${first.workers}${last.executionsPerSecond.median > 1.15 * first.executionsPerSecond.median ? '' : ': more workers do not raise the throughput on this machine'}.`,
    `CPU per execution (1→${last.workers} workers): workers ${span(ms('workers'))} ms, Temporal server ${span(ms('server'))} ms, PostgreSQL ${span(ms('postgres'))} ms, benchmark client + sandbox ${span(ms('bench'))} ms.`,
    database
      ? `PostgreSQL per execution: ${database.commits} commits, ${database.walSyncs} WAL flushes taking ${database.walSyncMs} ms (${round((database.walSyncMs ?? 0) / (database.walSyncs || 1), 1)} ms each).`
      : '',
    `${Math.min(...serverSide) > Math.max(...ms('workers')) ? 'The limit is the server side' : 'The server side'}: Temporal server + PostgreSQL need ${span(serverSide)} ms of CPU per execution, so one server process and its database on ${cores} dedicated cores top out near ${round((cores * 1000) / Math.max(...serverSide), 0)}–${round((cores * 1000) / Math.min(...serverSide), 0)} executions/s however many workers run elsewhere` +
      (database
        ? `, and serialized WAL flushes (${database.walSyncMs} ms per execution) cap the database near ${round(1000 / (database.walSyncMs || 1), 0)}/s on this disk`
        : '') +
      `; with everything on one ${cores}-core machine (${span(total)} ms per execution) the ceiling is near ${round((cores * 1000) / Math.max(...total), 0)}–${round((cores * 1000) / Math.min(...total), 0)}/s. Workers (${span(ms('workers'))} ms each) are the part that scales out.`,
  ]
    .filter(Boolean)
    .join(' ');
}
