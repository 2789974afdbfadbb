/** The report: one row per scenario (engine × point × timing × disturbance), findings by kind, and the final count line. */
import { boundariesOf, ENGINE_ORDER } from './boundaries.ts';
import { ALL_DISTURBANCES } from './disturbances.ts';
import type { ScenarioResult } from './scenario.ts';

export interface ExploreSummary {
  results: ScenarioResult[];
  /** Log findings no scenario could be named for. */
  unattributed: string[];
  sweepAvailable: boolean;
  sweeps: number;
  kills: number;
  durationMs: number;
}

const KINDS: [RegExp, string][] = [
  [/^left at close, removed later/, 'left at close (cleared later by a sweep for another scenario)'],
  [/^left \d+ ephemeral credential/, 'ephemeral credential left'],
  [/^left (Job|PipelineRun)/, 'Job / PipelineRun left'],
  [/^AWX job\(s\) still running/, 'AWX job still running'],
  [/AWX jobs not cancelled/, 'more than one AWX job not cancelled'],
  [/^secret in the history/, 'secret in a history'],
  [/^secret in the status query/, 'secret in the status query'],
  [/^secret in the CLI/, 'secret in the CLI status output'],
  [/^secret in the worker log/, 'secret in a worker log line'],
  [/without a typed reason|TIMED_OUT|still running$/, 'run closed without a typed reason'],
  [/^did not close/, 'execution did not close'],
  [/^sweep failed/, 'sweep failed'],
];

export const kindOf = (violation: string): string => KINDS.find(([pattern]) => pattern.test(violation))?.[1] ?? 'other';

function order(result: ScenarioResult): number[] {
  const { boundary, disturbance, timing } = result.spec;
  const points = boundariesOf(boundary.engine).map((entry) => entry.point);
  return [
    ENGINE_ORDER.indexOf(boundary.engine),
    points.indexOf(boundary.point),
    ALL_DISTURBANCES.indexOf(disturbance),
    timing === 'after' ? 1 : 0,
  ];
}

function verdictText(result: ScenarioResult): string {
  const sweep = result.sweep === 'unavailable' ? 'sweep-unavailable' : '';
  if (result.verdict === 'ok') return [sweep || (result.sweep === 'done' ? 'ok (swept)' : 'ok'), ...result.notes].join('; ');
  if (result.verdict === 'not-reached' || result.verdict === 'error') return [result.outcome, ...result.notes].join('; ');
  return [`VIOLATION: ${result.violations.join('; ')}`, ...(sweep ? [sweep] : []), ...result.notes].join('; ');
}

export function formatTable(results: ScenarioResult[]): string[] {
  const rows = [...results].sort((a, b) => {
    const [x, y] = [order(a), order(b)];
    return x.reduce((difference, value, index) => difference || value - (y[index] ?? 0), 0);
  });
  const cells = rows.map((result) => [
    result.spec.boundary.engine,
    result.spec.boundary.point,
    result.spec.timing,
    result.spec.disturbance,
    result.outcome,
    String(result.runs),
    result.launches === undefined ? '-' : String(result.launches),
    verdictText(result),
  ]);
  const header = ['engine', 'point', 'when', 'disturbance', 'outcome', 'runs', 'launches', 'result'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...cells.slice().map((row) => (column < 7 ? (row[column] ?? '').length : 0))),
  );
  const line = (row: string[]) =>
    row
      .map((cell, column) => (column < 7 ? cell.padEnd(widths[column] ?? 0) : cell))
      .join('  ')
      .trimEnd();
  return [line(header), ...cells.map(line)];
}

export function formatReport(summary: ExploreSummary): string[] {
  const { results } = summary;
  const violating = results.filter((result) => result.verdict === 'violation');
  const notReached = results.filter((result) => result.verdict === 'not-reached');
  const errors = results.filter((result) => result.verdict === 'error');
  const unswept = results.filter((result) => result.sweep === 'unavailable');
  const byKind = new Map<string, string[]>();
  for (const result of violating) {
    for (const kind of new Set(result.violations.map(kindOf))) byKind.set(kind, [...(byKind.get(kind) ?? []), result.identity.label]);
  }
  return [
    ...formatTable(results),
    '',
    `${(summary.durationMs / 1000).toFixed(0)} s, ${summary.kills} worker kills, ${summary.sweeps} sweeps${summary.sweepAvailable ? '' : ' (sweepOrphans not available: sweep step skipped)'}`,
    ...[...byKind].map(([kind, labels]) => `violations: ${kind}: ${labels.length} scenario(s): ${labels.join(', ')}`),
    ...summary.unattributed.map((finding) => `violation: ${finding}`),
    ...(unswept.length > 0
      ? [`sweep-unavailable: ${unswept.length} scenario(s) needed a sweep; what they left is listed as "unswept"`]
      : []),
    ...(notReached.length > 0 ? [`not reached: ${notReached.map((result) => result.identity.label).join(', ')}`] : []),
    ...(errors.length > 0 ? [`explorer errors: ${errors.map((result) => result.identity.label).join(', ')}`] : []),
    `${results.length} scenarios, ${violating.length + summary.unattributed.length} violations`,
  ];
}

/** Violations (scenarios in violation plus unattributed log findings), not-reached boundaries and explorer errors. */
export function failures(summary: ExploreSummary): { violations: number; notReached: number; errors: number } {
  return {
    violations: summary.results.filter((result) => result.verdict === 'violation').length + summary.unattributed.length,
    notReached: summary.results.filter((result) => result.verdict === 'not-reached').length,
    errors: summary.results.filter((result) => result.verdict === 'error').length,
  };
}
