import type { ExecutionResult, ExecutionSummary } from './types.ts';

/** The parts of a batch/v1 Job the mapping reads. */
export interface JobCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}
export interface JobLike {
  spec?: { completions?: number | null };
  status?: {
    active?: number | null;
    succeeded?: number | null;
    failed?: number | null;
    /** Pods the Job controller has seen end but not yet added to succeeded / failed. */
    uncountedTerminatedPods?: { succeeded?: string[] | null; failed?: string[] | null } | null;
    conditions?: JobCondition[] | null;
  };
}

/** Summary from the Job's counters, in the original's order (reference §4.5). */
export function summarizeJob(job: JobLike): ExecutionSummary {
  const { active = 0, succeeded = 0, failed = 0 } = job.status ?? {};
  if ((succeeded ?? 0) > 0) return { status: 'True', reason: 'Succeeded', completedTasks: 1, totalTasks: 1 };
  if ((failed ?? 0) > 0) return { status: 'False', reason: 'Failed', message: `${failed} pod(s) failed`, completedTasks: 0, totalTasks: 1 };
  if ((active ?? 0) > 0)
    return { status: 'Unknown', reason: 'Running', message: `${active} pod(s) active`, completedTasks: 0, totalTasks: 1 };
  return { status: 'Unknown', completedTasks: 0, totalTasks: 1 };
}

/**
 * The counters as the Job controller is about to write them: it sets SuccessCriteriaMet / FailureTarget while the pods
 * that met the criteria are still in uncountedTerminatedPods (seen on the real controller), so an interim decision
 * counts them too.
 */
function withUncountedPods(job: JobLike): JobLike {
  const status = job.status ?? {};
  const uncounted = status.uncountedTerminatedPods;
  return {
    ...job,
    status: {
      ...status,
      succeeded: (status.succeeded ?? 0) + (uncounted?.succeeded?.length ?? 0),
      failed: (status.failed ?? 0) + (uncounted?.failed?.length ?? 0),
    },
  };
}

/**
 * Job status → ExecutionResult (reference §4.5): the first condition that is terminal and True decides; Complete →
 * Completed with reason "Complete", Failed → Failed with the condition's reason. Beyond the original: Kubernetes ≥ 1.31
 * writes SuccessCriteriaMet / FailureTarget first (pods may still be terminating); when no final condition is there
 * yet, those interim ones decide the same way, so the outcome is seen one poll earlier (their summary counting the pods
 * not yet counted).
 */
export function mapJobStatus(job: JobLike): ExecutionResult {
  const conditions = (job.status?.conditions ?? []).filter((condition) => condition.status === 'True');
  const summary = summarizeJob(job);
  const decide = (successType: string, failureType: string, summary: ExecutionSummary): ExecutionResult | undefined => {
    for (const condition of conditions) {
      if (condition.type === successType) return { phase: 'Completed', reason: 'Complete', message: condition.message ?? '', summary };
      if (condition.type === failureType) {
        // Upstream passes the condition's reason through, empty when the condition has none.
        return { phase: 'Failed', reason: condition.reason ?? '', message: condition.message ?? '', summary };
      }
    }
    return undefined;
  };
  const decided =
    decide('Complete', 'Failed', summary) ?? decide('SuccessCriteriaMet', 'FailureTarget', summarizeJob(withUncountedPods(job)));
  if (decided) return decided;
  const active = job.status?.active ?? 0;
  const completions = job.spec?.completions ?? 1;
  return { phase: 'Running', reason: 'Running', message: `Job running (${active}/${completions} pods active)`, summary };
}

/** #374 IsCompleted: any Complete or Failed condition that is True (interim conditions count too). */
export function isJobFinished(job: JobLike): boolean {
  return (job.status?.conditions ?? []).some(
    (condition) => condition.status === 'True' && ['Complete', 'Failed', 'SuccessCriteriaMet', 'FailureTarget'].includes(condition.type),
  );
}
