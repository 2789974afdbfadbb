/**
 * Launching an AWX job template exactly once per execution. AWX has no idempotency key, so a launch whose answer was
 * lost may still have happened, and a slow AWX may carry out a launch after its caller gave up. Every job carries
 * its execution's marker (the creating run, "<workflowId>/<runId>") in extra_vars; before launching, a running job of
 * this execution is adopted (a retry, a reset), and after launching, every running job of the execution but one is
 * cancelled. Cleanup and the sweeper cancel any that appear later still.
 */
import { AwxError } from '../../clients/awx.ts';
import type { AwxClient, AwxJob, AwxJobTemplate, AwxLaunchInfo } from '../../clients/awx-types.ts';
import { workflowIdOfRun } from '../../domain/awx-credentials.ts';
import { AWX_ACTIVE_STATES } from '../../domain/awx-status.ts';
import { AWX_EXECUTION_MARKER_VAR } from '../../domain/constants.ts';
import { ConfigurationError, ResourceLockedError } from '../../domain/errors.ts';
import type { ExecutionHandle } from '../../domain/types.ts';
import type { CleanupProblems } from './cleanup-problems.ts';
import { withContext } from './credentials.ts';
import { awxJobIdOf } from './job-ref.ts';

/** The marker and WorkflowExecution name a job was launched with, from its extra_vars. */
export function jobMarkerOf(job: AwxJob): { run?: string; workflowExecution?: string } {
  try {
    const vars = JSON.parse(job.extra_vars ?? '{}') as Record<string, unknown>;
    const run = vars[AWX_EXECUTION_MARKER_VAR];
    const wfe = vars.WFE_NAMESPACE !== undefined ? `${vars.WFE_NAMESPACE}/${vars.WFE_NAME}` : undefined;
    return { ...(typeof run === 'string' ? { run } : {}), ...(wfe ? { workflowExecution: wfe } : {}) };
  } catch {
    return {};
  }
}

/** Jobs of one execution (any of its runs), by the workflow ID in their marker. */
export function jobsOfExecution(jobs: readonly AwxJob[], workflowId: string): AwxJob[] {
  return jobs.filter((job) => {
    const { run } = jobMarkerOf(job);
    return run !== undefined && workflowIdOfRun(run) === workflowId;
  });
}

/** Variables off with a survey on: AWX keeps the survey's variables and drops the rest, so the survey decides. */
export function surveyDecidesVariables(template: AwxJobTemplate, launchInfo: AwxLaunchInfo): boolean {
  return !launchInfo.ask_variables_on_launch && (launchInfo.survey_enabled ?? template.survey_enabled ?? false);
}

/** The variables a survey asks for, and the names of the extra_vars this execution sends. */
export interface SurveyCoverage {
  questions: readonly string[];
  sent: readonly string[];
}

/**
 * Refuses a template that would silently drop what the execution sends (before anything is created). Without the
 * variables prompt, AWX 24 keeps only the variables its enabled survey asks for (the others land in
 * `ignored_fields.extra_vars`), so such a template passes when its survey asks for every variable sent, the execution
 * marker included.
 */
export function checkLaunchSettings(
  template: AwxJobTemplate,
  launchInfo: AwxLaunchInfo,
  options: { credentials: boolean; survey?: SurveyCoverage },
): void {
  if (!launchInfo.ask_variables_on_launch) {
    if (!surveyDecidesVariables(template, launchInfo) || !options.survey) {
      throw new ConfigurationError(
        `AWX job template "${template.name}" (id ${template.id}) does not prompt for variables on launch: turn on "Prompt on launch" for Variables (ask_variables_on_launch), or the execution's parameters would not reach the playbook`,
      );
    }
    const asked = new Set(options.survey.questions);
    const missing = options.survey.sent.filter((name) => !asked.has(name));
    if (missing.length > 0) {
      const marker = missing.includes(AWX_EXECUTION_MARKER_VAR)
        ? `; without ${AWX_EXECUTION_MARKER_VAR} on its jobs a retried launch cannot find the job an earlier attempt launched, so one execution could run the playbook twice`
        : '';
      throw new ConfigurationError(
        `AWX job template "${template.name}" (id ${template.id}) does not prompt for variables on launch and its survey does not ask for ${missing.join(', ')}, so AWX would drop them${marker}: turn on "Prompt on launch" for Variables (ask_variables_on_launch), or add survey questions for: ${missing.join(', ')}`,
      );
    }
  }
  if (options.credentials && !launchInfo.ask_credential_on_launch) {
    throw new ConfigurationError(
      `AWX job template "${template.name}" (id ${template.id}) does not prompt for credentials on launch: turn on "Prompt on launch" for Credentials (ask_credential_on_launch), or the dependency secrets would not reach the playbook`,
    );
  }
}

export interface LaunchOnceInput {
  awx: AwxClient;
  template: AwxJobTemplate;
  /** "<workflowId>/<runId>" of the creating run: the marker. */
  createdByRun: string;
  /** "<namespace>/<name>" of the WorkflowExecution. */
  workflowExecution: string;
  /** Only a retry can find a finished job that an earlier attempt of this run launched. */
  retry: boolean;
  jobSearchWindowMs: number;
  launch: () => Promise<{ jobId: number; ignoredFields: Record<string, unknown> }>;
}

export interface LaunchOnceResult {
  jobId: number;
  adopted: boolean;
  ignoredFields: Record<string, unknown>;
  /** Extra jobs of this execution that were cancelled. */
  cancelled: number[];
}

/** The running jobs of this template that belong to the execution, oldest first. */
async function activeJobsOf(input: LaunchOnceInput): Promise<AwxJob[]> {
  const since = new Date(Date.now() - input.jobSearchWindowMs);
  const jobs = await input.awx.listJobTemplateJobs(input.template.id, since, { activeOnly: true }).catch((error) => {
    throw withContext(`look for running jobs of AWX job template ${input.template.id}`, error);
  });
  return jobsOfExecution(jobs, workflowIdOfRun(input.createdByRun))
    .filter((job) => AWX_ACTIVE_STATES.has(job.status))
    .sort((a, b) => a.id - b.id);
}

/** Cancels every job but `keep`; a job that finished meanwhile (405) or is gone (404) needs nothing. */
async function cancelAllBut(awx: AwxClient, jobs: readonly AwxJob[], keep: number): Promise<number[]> {
  const cancelled: number[] = [];
  for (const job of jobs) {
    if (job.id === keep) continue;
    await awx.cancelJob(job.id).catch((error) => {
      throw withContext(`cancel duplicate AWX job ${job.id}`, error);
    });
    cancelled.push(job.id);
  }
  return cancelled;
}

export async function launchOnce(input: LaunchOnceInput): Promise<LaunchOnceResult> {
  const running = await activeJobsOf(input);
  const foreign = running.find((job) => jobMarkerOf(job).workflowExecution !== input.workflowExecution);
  if (foreign) {
    throw new ResourceLockedError(
      `AWX job ${foreign.id} of WorkflowExecution "${jobMarkerOf(foreign).workflowExecution ?? '?'}" is still running on this target (run ${jobMarkerOf(foreign).run ?? '?'}); the orphan sweeper cancels it once its run has closed`,
    );
  }
  const first = running[0];
  if (first) return { jobId: first.id, adopted: true, ignoredFields: {}, cancelled: await cancelAllBut(input.awx, running, first.id) };
  if (input.retry) {
    const since = new Date(Date.now() - input.jobSearchWindowMs);
    const jobs = await input.awx.listJobTemplateJobs(input.template.id, since).catch((error) => {
      throw withContext(`look for the job an earlier attempt launched from AWX job template ${input.template.id}`, error);
    });
    const launched = jobs.find((job) => jobMarkerOf(job).run === input.createdByRun);
    if (launched) return { jobId: launched.id, adopted: true, ignoredFields: {}, cancelled: [] };
  }
  const launch = await input.launch();
  // A launch an earlier attempt sent may have landed meanwhile: keep the oldest running job, cancel the others.
  const after = await activeJobsOf(input);
  const kept = after[0]?.id ?? launch.jobId;
  const cancelled = await cancelAllBut(
    input.awx,
    after.some((job) => job.id === launch.jobId) ? after : [...after, { id: launch.jobId, status: 'running' }],
    kept,
  );
  return { jobId: kept, adopted: kept !== launch.jobId, ignoredFields: kept === launch.jobId ? launch.ignoredFields : {}, cancelled };
}

/** Cancels the handle's job and every other running job of the execution; failures go to `problems`. */
export async function cancelExecutionJobs(
  awx: AwxClient,
  problems: CleanupProblems,
  input: { handle?: ExecutionHandle; workflowId?: string; jobSearchWindowMs: number; templateId: () => Promise<number> },
): Promise<number[]> {
  const jobIds = new Set<number>(input.handle ? [awxJobIdOf(input.handle)] : []);
  if (input.workflowId) {
    try {
      const since = new Date(Date.now() - input.jobSearchWindowMs);
      const active = await awx.listJobTemplateJobs(await input.templateId(), since, { activeOnly: true });
      for (const job of jobsOfExecution(active, input.workflowId)) jobIds.add(job.id);
    } catch (error) {
      if (!(error instanceof ConfigurationError)) problems.add('find running AWX jobs of the execution', error);
    }
  }
  for (const jobId of jobIds) {
    try {
      const job = await awx.getJob(jobId);
      if (AWX_ACTIVE_STATES.has(job.status)) await awx.cancelJob(jobId);
    } catch (error) {
      if (!(error instanceof AwxError && error.status === 404)) problems.add(`cancel AWX job ${jobId}`, error);
    }
  }
  return [...jobIds];
}
