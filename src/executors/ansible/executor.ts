/**
 * AnsibleExecutor (engine "ansible", reference §6): launches an AWX / AAP job template with typed extra_vars, and
 * gives it each dependency Secret as an ephemeral AWX credential that is always deleted afterwards. Improvements over
 * the original follow §9.2 items 1–6, 9–12 and 20–23 (see the README's AWX section).
 */
import { AwxError } from '../../clients/awx.ts';
import type { AwxClient, AwxJob, AwxJobTemplate } from '../../clients/awx-types.ts';
import type { KubeClients } from '../../clients/kube.ts';
import { type CredentialOwner, mapSecretKeys, workflowIdOfRun } from '../../domain/awx-credentials.ts';
import { mapAwxStatus } from '../../domain/awx-status.ts';
import { AWX_JOB_REF_PREFIX } from '../../domain/constants.ts';
import { ConfigurationError, ExecutionError } from '../../domain/errors.ts';
import type { ExecutionHandle, ExecutionRequest, PreparedCredentials, StatusObservation } from '../../domain/types.ts';
import type { CleanupOptions, CleanupReport, CreateContext, Executor } from '../executor.ts';
import { readSecretValues, redactExecutionText } from '../secret-values.ts';
import { CleanupProblems } from './cleanup-problems.ts';
import { deleteExecutionCredentials, ensureCredentialType, ensureEphemeralCredential, withContext } from './credentials.ts';
import { extraVarsFor } from './inputs.ts';
import { awxJobIdOf } from './job-ref.ts';
import { cancelExecutionJobs, checkLaunchSettings, launchOnce, type SurveyCoverage, surveyDecidesVariables } from './launch.ts';
import { launchCredentials } from './launch-credentials.ts';
import { eventsStillProcessing, processingEventsResult, tracebackDetail } from './status.ts';
import { resolveTemplate } from './template.ts';

export interface AnsibleExecutorOptions {
  awx: AwxClient;
  /** Reads dependency Secrets and ConfigMaps; needed only when executions have dependencies. */
  kube?: KubeClients;
  /** AWX organization owning the ephemeral credentials (upstream: ≤ 0 means 1). */
  organizationId?: number;
  /** How much of a failed job's output goes into the result message. */
  outputTailBytes?: number;
  /** How far back a retried create looks for the job an earlier attempt launched. */
  jobSearchWindowMs?: number;
  /** Values besides the Secrets' and the AWX client's token that must never appear in a job's output tail. */
  maskValues?: string[];
}

export class AnsibleExecutor implements Executor {
  readonly engine = 'ansible' as const;
  private readonly awx: AwxClient;
  private readonly kube?: KubeClients;
  private readonly organizationId: number;
  private readonly outputTailBytes: number;
  private readonly jobSearchWindowMs: number;
  private readonly maskValues: string[];

  constructor(options: AnsibleExecutorOptions) {
    this.awx = options.awx;
    if (options.kube) this.kube = options.kube;
    this.organizationId = options.organizationId && options.organizationId > 0 ? options.organizationId : 1;
    this.outputTailBytes = options.outputTailBytes ?? 2048;
    this.jobSearchWindowMs = options.jobSearchWindowMs ?? 6 * 3_600_000;
    this.maskValues = options.maskValues ?? [];
  }

  private readSecret(namespace: string, name: string): Promise<Record<string, string>> {
    return readSecretValues(this.kube, namespace, name);
  }

  /**
   * The template and its launch settings, refused before anything is created when they would drop inputs. When a
   * survey decides which variables get through, the survey spec is read and compared with what would be sent.
   */
  private async checkedTemplate(context: CreateContext, varsToSend: () => Promise<Record<string, unknown>>): Promise<AwxJobTemplate> {
    const template = await this.resolveTemplate(context.request);
    const launchInfo = await this.awx.getLaunchInfo(template.id).catch((error) => {
      throw withContext(`read launch settings of AWX job template "${template.name}"`, error);
    });
    const credentials = (context.request.dependencies?.secrets ?? []).length + (context.prepared?.ephemeralCredentialIds.length ?? 0);
    let survey: SurveyCoverage | undefined;
    if (surveyDecidesVariables(template, launchInfo)) {
      const spec = await this.awx.getSurveySpec(template.id).catch((error) => {
        throw withContext(`read the survey of AWX job template "${template.name}"`, error);
      });
      survey = { questions: (spec.spec ?? []).map((question) => question.variable), sent: Object.keys(await varsToSend()) };
    }
    checkLaunchSettings(template, launchInfo, { credentials: credentials > 0, ...(survey ? { survey } : {}) });
    return template;
  }

  /**
   * One ephemeral credential per dependency Secret, found by name when an earlier attempt made it. The template is
   * checked first, so a template that would refuse never gets the Secret values. When a later Secret fails for good,
   * what this attempt created is deleted again before the error goes up (§9.2 item 2).
   */
  async prepare(context: CreateContext): Promise<PreparedCredentials> {
    await this.checkedTemplate(context, () => extraVarsFor(this.kube, context));
    const secrets = context.request.dependencies?.secrets ?? [];
    const { metadata } = context.request.workflowExecution;
    const owner: CredentialOwner = {
      createdByRun: context.createdByRun,
      workflowExecution: { namespace: metadata.namespace, name: metadata.name, ...(metadata.uid ? { uid: metadata.uid } : {}) },
      executionNamespace: context.executionNamespace,
    };
    const ids: number[] = [];
    const createdNow: number[] = [];
    try {
      for (const { name } of secrets) {
        const values = await this.readSecret(context.executionNamespace, name);
        const mappings = mapSecretKeys(name, Object.keys(values));
        const typeId = await ensureCredentialType(this.awx, name, mappings).catch((error) => {
          throw withContext(`inject dependency secrets: ensure credential type for secret "${name}"`, error);
        });
        const credential = await ensureEphemeralCredential(this.awx, {
          secretName: name,
          owner,
          credentialTypeId: typeId,
          organizationId: this.organizationId,
          mappings,
          values,
        }).catch((error) => {
          throw withContext(`inject dependency secrets: create ephemeral credential for secret "${name}"`, error);
        });
        ids.push(credential.id);
        if (credential.created) createdNow.push(credential.id);
      }
    } catch (error) {
      // A failure no retry can fix ends the execution: undo what this attempt made. A transient one is retried, and
      // the retry finds these credentials by name (the workflow's cleanup finds them by owner in any case).
      if (error instanceof ExecutionError && !error.retryable)
        await Promise.allSettled(createdNow.map((id) => this.awx.deleteCredential(id)));
      throw error;
    }
    return { ephemeralCredentialIds: ids, created: createdNow.length };
  }

  private resolveTemplate(request: ExecutionRequest): Promise<AwxJobTemplate> {
    return resolveTemplate(this.awx, request);
  }

  async create(context: CreateContext): Promise<ExecutionHandle> {
    // Read once: the survey check and the launch see the same variables.
    let reading: Promise<Record<string, unknown>> | undefined;
    const varsToSend = () => {
      reading ??= extraVarsFor(this.kube, context);
      return reading;
    };
    const template = await this.checkedTemplate(context, varsToSend);
    const ephemeral = context.prepared?.ephemeralCredentialIds ?? [];
    const extraVars = await varsToSend();
    const { metadata } = context.request.workflowExecution;
    const launched = await launchOnce({
      awx: this.awx,
      template,
      createdByRun: context.createdByRun,
      workflowExecution: `${metadata.namespace}/${metadata.name}`,
      retry: (context.attempt ?? 1) > 1,
      jobSearchWindowMs: this.jobSearchWindowMs,
      launch: async () => {
        const credentials = await launchCredentials(this.awx, template.id, ephemeral);
        return (
          credentials.length > 0
            ? this.awx.launchJobTemplateWithCredentials(template.id, extraVars, credentials)
            : this.awx.launchJobTemplate(template.id, extraVars)
        ).catch((error) => {
          throw withContext(`launch AWX job template ${template.id}`, error);
        });
      },
    });
    const dropped = Object.keys(launched.ignoredFields).filter((field) => field === 'extra_vars' || field === 'credentials');
    if (dropped.length > 0) {
      await this.awx.cancelJob(launched.jobId).catch(() => undefined);
      throw new ConfigurationError(
        `AWX job template "${template.name}" (id ${template.id}) ignored ${dropped.join(' and ')} at launch (job ${launched.jobId}, canceled): turn on "Prompt on launch" for ${dropped.map((field) => (field === 'extra_vars' ? 'Variables' : 'Credentials')).join(' and ')}`,
      );
    }
    return {
      engine: 'ansible',
      executionNamespace: context.executionNamespace,
      resourceName: `${AWX_JOB_REF_PREFIX}${launched.jobId}`,
      awxJobId: launched.jobId,
      awxJobTemplateId: template.id,
      ephemeralCredentialIds: ephemeral,
    };
  }

  async getStatus(request: ExecutionRequest, handle: ExecutionHandle): Promise<StatusObservation> {
    const jobId = awxJobIdOf(handle);
    let job: AwxJob;
    try {
      job = await this.awx.getJob(jobId);
    } catch (error) {
      // §9.2 item 21: a purged job is gone, like a deleted Job or PipelineRun (BR-WE-007).
      if (error instanceof AwxError && error.status === 404)
        return { kind: 'notFound', message: `AWX job ${jobId} was deleted externally` };
      throw withContext(`get AWX job ${jobId} status`, error);
    }
    const result = mapAwxStatus(job);
    if (result.phase !== 'Failed') return { kind: 'found', result };
    // Read the output tail only once AWX has saved the events (or waited long enough for them).
    if (eventsStillProcessing(job)) return { kind: 'found', result: processingEventsResult(job) };
    const tail = await this.awx.getJobOutputTail(jobId, this.outputTailBytes).catch(() => '');
    const details = [job.job_explanation, tracebackDetail(job), tail].filter(Boolean).join('\n');
    return { kind: 'found', result: mapAwxStatus(job, (await this.redacted(request, handle, details)) || undefined) };
  }

  /** Text AWX handed back, with every value the execution injected (and the AWX token) masked. */
  private redacted(request: ExecutionRequest, handle: ExecutionHandle, text: string): Promise<string> {
    return redactExecutionText(this.kube, handle.executionNamespace, request, text, [
      ...this.maskValues,
      ...(this.awx.sensitiveValues?.() ?? []),
    ]);
  }

  /** The job's output (its last events), masked. */
  async output(request: ExecutionRequest, handle: ExecutionHandle, maxBytes: number): Promise<string> {
    const jobId = awxJobIdOf(handle);
    const text = await this.awx.getJobOutputTail(jobId, maxBytes).catch((error) => {
      throw withContext(`read the output of AWX job ${jobId}`, error);
    });
    return this.redacted(request, handle, text);
  }

  async stop(_request: ExecutionRequest, handle: ExecutionHandle): Promise<void> {
    const jobId = awxJobIdOf(handle);
    try {
      await this.awx.cancelJob(jobId); // 405 (already finished) is fine, checked by status code (§9.2 item 11)
    } catch (error) {
      if (error instanceof AwxError && error.status === 404) return;
      throw withContext(`cancel AWX job ${jobId}`, error);
    }
  }

  /**
   * Cancels every job of the execution that can still be cancelled (the handle's, and any a lost or late launch
   * made), then deletes every ephemeral credential of the execution: the ids recorded in history and those found by
   * owner. Never the template's own (§9.2 item 1). Every step is tried whatever the ones before it did; a failure is
   * reported afterwards, so the activity retries until nothing is left (unless AWX refuses outright, e.g. a revoked
   * token, which retrying cannot fix: the sweeper then owns what is left).
   */
  async cleanup(request: ExecutionRequest, handle: ExecutionHandle | undefined, options: CleanupOptions): Promise<CleanupReport> {
    const problems = new CleanupProblems();
    const workflowId = options.createdByRun ? workflowIdOfRun(options.createdByRun) : undefined;
    const parts = options.parts ?? 'all';
    const jobs =
      parts === 'credentials'
        ? []
        : await cancelExecutionJobs(this.awx, problems, {
            handle,
            workflowId,
            jobSearchWindowMs: this.jobSearchWindowMs,
            templateId: () =>
              handle?.awxJobTemplateId !== undefined
                ? Promise.resolve(handle.awxJobTemplateId)
                : this.resolveTemplate(request).then((t) => t.id),
          });
    const credentials =
      parts === 'resource'
        ? { deleted: 0, orphans: 0 }
        : await deleteExecutionCredentials(this.awx, problems, {
            known: [...(handle?.ephemeralCredentialIds ?? []), ...(options.prepared?.ephemeralCredentialIds ?? [])],
            workflowId,
          });
    problems.throwIfAny(`AWX cleanup incomplete (${credentials.deleted} credential(s) deleted)`);
    return {
      resourceDeleted: false,
      credentialsDeleted: credentials.deleted,
      orphanedCredentialsFound: credentials.orphans,
      note: jobs.length === 0 ? 'no AWX job was launched' : `AWX job(s) ${jobs.join(', ')}`,
    };
  }
}
