/**
 * The headline figures of a run, each beside its goal and the figure of the previous run (read from the results file
 * before it is overwritten; older files had fewer figures and another layout, both are read).
 */
type Json = Record<string, unknown>;

export interface Headline {
  measure: string;
  value: string;
  goal: string;
  previous: string;
  met?: boolean;
}

const at = (object: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((value, key) => (value && typeof value === 'object' ? (value as Json)[key] : undefined), object);
const num = (object: unknown, ...paths: string[]): number | undefined => {
  for (const path of paths) {
    const value = at(object, path);
    if (typeof value === 'number') return value;
  }
  return undefined;
};
const text = (value: number | undefined, unit = '') => (value === undefined ? 'n/a' : `${value}${unit}`);

interface Run {
  pool: string;
  engine?: string;
  executions?: number;
  history?: { events: number };
  apiRequests?: number;
  peakRssMb?: number;
  workerCpuSecondsPerExecution?: number;
}

export function headlines(results: Json, previous: Json | undefined): Headline[] {
  const rows: Headline[] = [];
  const pools = ['watch', 'noWatch'];
  for (const pool of pools)
    for (const engine of ['job', 'tekton']) {
      const p99 = num(results, `detectionLatency.${pool}/${engine}.p99Ms`);
      if (p99 === undefined) continue;
      const before = num(
        previous,
        `detectionLatency.${pool}/${engine}.p99Ms`,
        ...(pool === 'watch' && engine === 'job' ? ['detectionLatency.p99Ms'] : []),
      );
      rows.push({
        measure: `detection latency p99, ${engine === 'job' ? 'Job' : 'PipelineRun'}, ${pool}`,
        value: `${p99} ms (p50 ${num(results, `detectionLatency.${pool}/${engine}.p50Ms`)}; closed p99 ${num(results, `detectionLatency.${pool}/${engine}.closeP99Ms`)})`,
        goal: pool === 'watch' ? '≤ 1000 ms' : 'reference',
        previous: text(before, ' ms'),
        ...(pool === 'watch' ? { met: p99 <= 1000 } : {}),
      });
    }
  const runs = (at(results, 'historySize.runs') as Run[] | undefined) ?? [];
  const previousRuns = (at(previous, 'historySize.runs') as Run[] | undefined) ?? [];
  for (const run of runs) {
    const before = previousRuns.find((entry) => entry.pool === run.pool && entry.engine === run.engine);
    const label = `${run.engine === 'job' ? 'Job' : 'PipelineRun'}, ${run.pool}`;
    rows.push({
      measure: `history events, 10-minute run, ${label}`,
      value: text(run.history?.events),
      goal: run.pool === 'watch' ? '≤ 40' : 'reference',
      previous: text(
        before?.history?.events ??
          (run.pool === 'watch' && run.engine === 'job' ? num(previous, 'historySize.defaultPolicyEvents') : undefined),
      ),
      ...(run.pool === 'watch' ? { met: (run.history?.events ?? Number.POSITIVE_INFINITY) <= 40 } : {}),
    });
    rows.push({
      measure: `Kubernetes API requests, 10-minute run, ${label}`,
      value: text(run.apiRequests),
      goal: run.pool === 'watch' ? '≤ 8 (shared watch apart)' : 'reference',
      previous: text(before?.apiRequests),
      ...(run.pool === 'watch' ? { met: (run.apiRequests ?? Number.POSITIVE_INFINITY) <= 8 } : {}),
    });
  }
  for (const pool of pools) {
    const ratio = at(results, `throughput.${pool}.ratio`) as { median: number; min: number; max: number } | undefined;
    if (!ratio) continue;
    rows.push({
      measure: `throughput ratio to the no-op baseline, ${pool} (median, min–max of rounds)`,
      value: `${ratio.median} (${ratio.min}–${ratio.max})`,
      goal: '≥ 0.9',
      previous: text(num(previous, `throughput.${pool}.ratio.median`, ...(pool === 'watch' ? ['throughput.ratio'] : []))),
      met: ratio.median >= 0.9,
    });
  }
  const concurrency = (at(results, 'concurrency.runs') as Run[] | undefined) ?? [];
  const previousConcurrency = (at(previous, 'concurrency.runs') as Run[] | undefined) ?? [];
  for (const run of concurrency) {
    const before = previousConcurrency.find((entry) => entry.pool === run.pool && entry.executions === run.executions);
    const large = (run.executions ?? 0) >= 100;
    rows.push({
      measure: `peak worker RSS, ${run.executions} running, ${run.pool}`,
      value: text(run.peakRssMb, ' MB'),
      goal: large ? '< 400 MB' : 'reference',
      previous: text(before?.peakRssMb ?? (large && run.pool === 'watch' ? num(previous, 'concurrency.peakRssMb') : undefined), ' MB'),
      ...(large ? { met: (run.peakRssMb ?? Number.POSITIVE_INFINITY) < 400 } : {}),
    });
    rows.push({
      measure: `worker CPU-s per execution, ${run.executions} running, ${run.pool}`,
      value: text(run.workerCpuSecondsPerExecution),
      goal: '≤ 0.034 (2× 0.017)',
      previous: text(before?.workerCpuSecondsPerExecution),
      met: (run.workerCpuSecondsPerExecution ?? Number.POSITIVE_INFINITY) <= 0.034,
    });
  }
  for (const pool of pools) {
    const slope = num(results, `concurrency.rssSlopeMbPerExecution.${pool}`);
    if (slope === undefined) continue;
    rows.push({
      measure: `RSS slope per running execution, ${pool}`,
      value: `${slope} MB`,
      goal: 'reference',
      previous: text(num(previous, `concurrency.rssSlopeMbPerExecution.${pool}`), ' MB'),
    });
  }
  return rows;
}

export function headlineTable(rows: Headline[]): string {
  return rows
    .map(
      (row) =>
        `${row.met === undefined ? ' ' : row.met ? '✓' : '✗'} ${row.measure.padEnd(62)} ${row.value.padEnd(24)} goal ${row.goal.padEnd(26)} previous ${row.previous}`,
    )
    .join('\n');
}
