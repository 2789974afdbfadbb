/** What every chaos test does with its report: print it, and hold it to the invariants. */
import assert from 'node:assert/strict';
import { type ChaosReport, formatChaosReport } from '../../scripts/lib/chaos.ts';

/** Prints the report as test diagnostics (before any assertion, so a failing run still shows its figures). */
export function printChaosReport(report: ChaosReport): void {
  process.stdout.write(`# ${formatChaosReport(report).replaceAll('\n', '\n# ')}\n`);
}

/** Nothing lost, duplicated, left behind, wrongly ended or leaked; the report's problems say which one failed. */
export function assertNoViolations(report: ChaosReport): void {
  assert.deepEqual(
    {
      lost: report.lost,
      duplicates: report.duplicates,
      orphans: report.orphans,
      wrongOutcome: report.wrongOutcome,
      secretLeaks: report.secretLeaks,
    },
    { lost: 0, duplicates: 0, orphans: 0, wrongOutcome: 0, secretLeaks: 0 },
    report.problems.join('\n'),
  );
}
