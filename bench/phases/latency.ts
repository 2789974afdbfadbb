/**
 * Detection latency: from the sandbox's store marking a Job or PipelineRun terminal to the execution's workflow
 * recording the poll that read the end (and, apart, to the workflow closing after its cleanup), per worker pool and
 * engine. Runs of 1–20 s under the default policy, and runs of 20 s–20 min simulated
 * 30× faster (policy intervals divided alike, so a watch-off run waits as many polls as it would). With the watch the
 * latency should not depend on the run's length; without it, it is a fraction of the poll interval in force.
 */
import { benchRequest, type KubeEngine, scaledPolicy } from '../lib/requests.ts';
import { percentile, round } from '../lib/stats.ts';
import type { BenchContext, PoolClient } from './context.ts';

const SCALE = 30;
const PER_GROUP = 12;

const JOB_ENDS = ['Complete', 'Failed', 'SuccessCriteriaMet', 'FailureTarget'];

/** A spread of run lengths from `from` to `to` ms, evenly on a log scale. */
const lengths = (from: number, to: number) =>
  Array.from({ length: PER_GROUP }, (_value, index) => Math.round(from * (to / from) ** (index / (PER_GROUP - 1))));

interface Steps {
  toSignalMs?: number;
  toPollMs: number;
  pollToCloseMs: number;
}

const quantiles = (values: number[]) => `${round(percentile(values, 0.5), 0)} / ${round(percentile(values, 0.99), 0)}`;

/** From the history: when the signal came, when the last poll (the one that read the end) was recorded, and the close. */
async function stepsAfter(context: BenchContext, workflowId: string, terminal: number): Promise<Steps> {
  const events = (await context.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const timeOf = (event: (typeof events)[number]) =>
    Number(event.eventTime?.seconds ?? 0) * 1000 + Math.floor((event.eventTime?.nanos ?? 0) / 1e6);
  const signal = events.find((event) => event.workflowExecutionSignaledEventAttributes);
  const poll = events.filter((event) => event.markerRecordedEventAttributes?.markerName === 'core_local_activity').at(-1);
  const close = events.at(-1);
  const pollAt = poll ? timeOf(poll) : terminal;
  return {
    ...(signal ? { toSignalMs: timeOf(signal) - terminal } : {}),
    toPollMs: pollAt - terminal,
    pollToCloseMs: (close ? timeOf(close) : pollAt) - pollAt,
  };
}

export async function measureLatency(context: BenchContext) {
  const { harness, pools, say } = context;
  const terminalAt = new Map<string, number>();
  harness.kube.store.onChange((event) => {
    const plural = event.resource.plural;
    if (plural !== 'jobs' && plural !== 'pipelineruns') return;
    const key = `${event.object.metadata.namespace}/${event.object.metadata.name}`;
    const conditions = (event.object.status?.conditions ?? []) as { type: string; status: string }[];
    const ended = conditions.some((condition) =>
      plural === 'jobs'
        ? condition.status === 'True' && JOB_ENDS.includes(condition.type)
        : condition.type === 'Succeeded' && condition.status !== 'Unknown',
    );
    if (ended && !terminalAt.has(key)) terminalAt.set(key, Date.now());
  });
  const sets = [
    { set: 'real 1–20 s, default policy', durations: lengths(1000, 20_000), policy: undefined },
    { set: `20 s–20 min scaled ${SCALE}×`, durations: lengths(20_000 / SCALE, 1_200_000 / SCALE), policy: scaledPolicy(SCALE) },
  ];
  say(`[latency] ${PER_GROUP} runs per set (${sets.map((entry) => entry.set).join('; ')}) × Job, PipelineRun × ${pools.length} pools…`);
  const started: { pool: PoolClient; engine: KubeEngine; set: string; workflowId: string }[] = [];
  const starts = pools.flatMap((pool) =>
    (['job', 'tekton'] as const).flatMap((engine) =>
      sets.flatMap(({ set, durations, policy }, setIndex) =>
        durations.map((duration, index) => async () => {
          const name = `latency-${pool.name.toLowerCase()}-${engine}-${setIndex}-${index}`;
          const { workflowId } = await pool.executions.startExecution(
            benchRequest(name, { SANDBOX_DURATION_MS: String(duration) }, policy, engine),
          );
          started.push({ pool, engine, set, workflowId });
        }),
      ),
    ),
  );
  await harness.startMany(starts.length, 20, (index) => (starts[index] as () => Promise<void>)());
  await harness.waitDrained('latency-', 300_000);
  const samples: ({ pool: string; engine: KubeEngine; set: string; latencyMs: number; ofPollInterval: number } & Steps)[] = [];
  let missing = 0;
  for (const { pool, engine, set, workflowId } of started) {
    const view = await pool.executions.getExecution(workflowId);
    const handle = view.status?.handle;
    const terminal = terminalAt.get(`${handle?.executionNamespace}/${handle?.resourceName}`);
    if (!terminal || !view.closeTime) {
      missing++;
      continue;
    }
    const latencyMs = view.closeTime.getTime() - terminal;
    const steps = await stepsAfter(context, workflowId, terminal);
    samples.push({ pool: pool.name, engine, set, latencyMs, ofPollInterval: latencyMs / (view.status?.pollDelayMs ?? 2000), ...steps });
  }
  const at = (rows: typeof samples, pick: (row: (typeof samples)[number]) => number, fraction: number) =>
    round(percentile(rows.map(pick), fraction), 2);
  const summary = (rows: typeof samples) => ({
    runs: rows.length,
    // Detected: the poll that read the end is recorded (ExecutionPhase is written with it).
    p50Ms: at(rows, (row) => row.toPollMs, 0.5),
    p99Ms: at(rows, (row) => row.toPollMs, 0.99),
    maxMs: at(rows, (row) => row.toPollMs, 1),
    // Closed: the cleanup (deleting the resource, a regular activity) done too.
    closeP50Ms: at(rows, (row) => row.latencyMs, 0.5),
    closeP99Ms: at(rows, (row) => row.latencyMs, 0.99),
    closeP99OfPollInterval: at(rows, (row) => row.ofPollInterval, 0.99),
    // Where the time goes (p50 / p99): to the watch's signal, from the poll to the close.
    toSignalMs: quantiles(rows.flatMap((row) => (row.toSignalMs === undefined ? [] : [row.toSignalMs]))),
    pollToCloseMs: quantiles(rows.map((row) => row.pollToCloseMs)),
  });
  const result: Record<string, unknown> = { runsWithoutTerminalOrClose: missing, goalP99Ms: 1000 };
  for (const pool of pools)
    for (const engine of ['job', 'tekton'] as const) {
      const rows = samples.filter((row) => row.pool === pool.name && row.engine === engine);
      result[`${pool.name}/${engine}`] = {
        ...summary(rows),
        bySet: Object.fromEntries(sets.map(({ set }) => [set, summary(rows.filter((row) => row.set === set))])),
      };
    }
  return result;
}
