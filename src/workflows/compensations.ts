/**
 * The undo stack of an execution (the saga shape): each side effect's undo is recorded before the side effect is
 * attempted, and all of them run newest first, each whatever the ones before it did, shielded from cancellation.
 */
import { CancellationScope } from '@temporalio/workflow';
import type { CleanupReport } from '../domain/types.ts';
import { failureOf } from './failure.ts';

export interface UndoFailure {
  step: string;
  message: string;
  /** What the step left behind. */
  left: string[];
}

interface UndoStep {
  name: string;
  /** What is left if this step fails without saying. */
  leaves: () => string[];
  undo: () => Promise<CleanupReport | undefined>;
}

export interface Unwound {
  failures: UndoFailure[];
  /** What the steps that succeeded report, merged. */
  report: CleanupReport;
}

function merge(report: CleanupReport, next: CleanupReport): CleanupReport {
  const credentialsDeleted = (report.credentialsDeleted ?? 0) + (next.credentialsDeleted ?? 0);
  const orphans = (report.orphanedCredentialsFound ?? 0) + (next.orphanedCredentialsFound ?? 0);
  const note = [report.note, next.note].filter(Boolean).join('; ');
  return {
    resourceDeleted: report.resourceDeleted || next.resourceDeleted,
    ...(note ? { note } : {}),
    ...(credentialsDeleted || next.credentialsDeleted !== undefined ? { credentialsDeleted } : {}),
    ...(orphans || next.orphanedCredentialsFound !== undefined ? { orphanedCredentialsFound: orphans } : {}),
  };
}

export class Compensations {
  private readonly steps: UndoStep[] = [];

  add(name: string, leaves: () => string[], undo: () => Promise<CleanupReport | undefined>): void {
    this.steps.push({ name, leaves, undo });
  }

  get size(): number {
    return this.steps.length;
  }

  /** Runs every undo step, newest first; returns the failed ones and the merged reports. A cancel cannot interrupt it. */
  unwind(): Promise<Unwound> {
    return CancellationScope.nonCancellable(async () => {
      const failures: UndoFailure[] = [];
      let report: CleanupReport = { resourceDeleted: false };
      for (const step of [...this.steps].reverse()) {
        try {
          const stepReport = await step.undo();
          if (stepReport) report = merge(report, stepReport);
        } catch (error) {
          const failure = failureOf(error);
          failures.push({ step: step.name, message: failure.message, left: failure.left ?? step.leaves() });
        }
      }
      return { failures, report };
    });
  }
}
