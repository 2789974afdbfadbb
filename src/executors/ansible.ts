/**
 * AnsibleExecutor (engine "ansible", reference §6): launches an AWX / AAP job template with typed extra_vars, and
 * gives it each dependency Secret as an ephemeral AWX credential that is always deleted afterwards. Improvements over
 * the original follow §9.2 items 1–6, 9–12 and 20–23 (see the README's AWX section).
 */
import { AwxError } from '../clients/awx.ts';
import type { AwxClient, AwxJob, AwxJobTemplate } from '../clients/awx-types.ts';
import { isNotFound, type KubeClients, kubeError } from '../clients/kube.ts';
import { envSegment, mapSecretKeys } from '../domain/awx-credentials.ts';
import { AWX_ACTIVE_STATES, mapAwxStatus } from '../domain/awx-status.ts';
import { AWX_EXECUTION_MARKER_VAR, AWX_JOB_REF_PREFIX } from '../domain/constants.ts';
import { BackendError, ConfigurationError, ExecutionError } from '../domain/errors.ts';
import { buildExtraVars } from '../domain/extra-vars.ts';
import type { ExecutionHandle, ExecutionRequest, PreparedCredentials, StatusObservation } from '../domain/types.ts';
import { ensureCredentialType, ensureEphemeralCredential, findExecutionCredentials, withContext } from './ansible-credentials.ts';
import type { CleanupOptions, CleanupReport, CreateContext, Executor } from './executor.ts';

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
}

interface AnsibleEngineConfig {
  playbookPath?: string;
  jobTemplateName?: string;
  jobTemplateId?: number;
  inventoryName?: string;
}

/** The AWX job id from a handle or an "awx-job-<id>" reference. */
export function awxJobIdOf(handle: ExecutionHandle): number {
  if (handle.awxJobId !== undefined) return handle.awxJobId;
  const reference = handle.resourceName;
  const text = reference.startsWith(AWX_JOB_REF_PREFIX) ? reference.slice(AWX_JOB_REF_PREFIX.length) : undefined;
  if (text === undefined)
    throw new ConfigurationError(
      `parse AWX job ID from executionRef "${reference}": execution ref "${reference}" does not have awx-job- prefix`,
    );
  if (!/^[+-]?\d+$/.test(text))
    throw new ConfigurationError(`parse AWX job ID from executionRef "${reference}": "${text}" is not an integer`);
  return Number(text);
}

export class AnsibleExecutor implements Executor {
  readonly engine = 'ansible' as const;
  private readonly awx: AwxClient;
  private readonly kube?: KubeClients;
  private readonly organizationId: number;
  private readonly outputTailBytes: number;
  private readonly jobSearchWindowMs: number;

  constructor(options: AnsibleExecutorOptions) {
    this.awx = options.awx;
    if (options.kube) this.kube = options.kube;
    this.organizationId = options.organizationId && options.organizationId > 0 ? options.organizationId : 1;
    this.outputTailBytes = options.outputTailBytes ?? 2048;
    this.jobSearchWindowMs = options.jobSearchWindowMs ?? 6 * 3_600_000;
  }

  private requireKube(what: string): KubeClients {
    if (!this.kube)
      throw new ConfigurationError(`${what}: reading dependencies needs Kubernetes access, and this worker has none configured`);
    return this.kube;
  }

  private async readSecret(namespace: string, name: string): Promise<Record<string, string>> {
    const what = `read dependency secret "${name}" in "${namespace}"`;
    try {
      const secret = await this.requireKube(what).core.readNamespacedSecret({ name, namespace });
      const data = Object.fromEntries(
        Object.entries(secret.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]),
      );
      if (Object.keys(data).length === 0) throw new ConfigurationError(`${what}: Secret has empty data`);
      return data;
    } catch (error) {
      if (error instanceof ConfigurationError) throw error;
      if (isNotFound(error)) throw new ConfigurationError(`${what}: secrets "${name}" not found`);
      throw kubeError(what, error);
    }
  }

  private async readConfigMap(namespace: string, name: string): Promise<Record<string, string>> {
    const what = `inject dependency configmaps: read dependency configmap "${name}" in "${namespace}"`;
    try {
      return (await this.requireKube(what).core.readNamespacedConfigMap({ name, namespace })).data ?? {};
    } catch (error) {
      if (error instanceof ConfigurationError) throw error;
      if (isNotFound(error)) throw new ConfigurationError(`${what}: configmaps "${name}" not found`);
      throw kubeError(what, error);
    }
  }

  /**
   * One ephemeral credential per dependency Secret, found by name when an earlier attempt made it. When a later Secret
   * fails for good, what this attempt created is deleted again before the error goes up (§9.2 item 2).
   */
  async prepare(context: CreateContext): Promise<PreparedCredentials> {
    const secrets = context.request.dependencies?.secrets ?? [];
    const workflowExecutionName = context.request.workflowExecution.metadata.name;
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
          workflowExecutionName,
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
      // the retry finds these credentials by name (the workflow's cleanup deletes them by name in any case).
      if (error instanceof ExecutionError && !error.retryable)
        await Promise.allSettled(createdNow.map((id) => this.awx.deleteCredential(id)));
      throw error;
    }
    return { ephemeralCredentialIds: ids, created: createdNow.length };
  }

  private async resolveTemplate(request: ExecutionRequest): Promise<AwxJobTemplate> {
    const config = (request.workflowExecution.spec.workflowRef.engineConfig ?? {}) as AnsibleEngineConfig;
    if (config.jobTemplateId === undefined && !config.jobTemplateName) {
      throw new ConfigurationError('resolve AWX job template: jobTemplateName is required in ansible engineConfig for v1.0');
    }
    try {
      const template =
        config.jobTemplateId !== undefined
          ? await this.awx.getJobTemplate(config.jobTemplateId)
          : await this.awx.findJobTemplateByName(config.jobTemplateName ?? '');
      if (!template) {
        const which = config.jobTemplateId !== undefined ? `with id ${config.jobTemplateId}` : `"${config.jobTemplateName}"`;
        throw new ConfigurationError(`resolve AWX job template: AWX job template ${which} not found`);
      }
      return template;
    } catch (error) {
      if (error instanceof ConfigurationError) throw error;
      throw withContext('resolve AWX job template', error);
    }
  }

  /** extra_vars: typed parameters, then the system variables (they win), the ConfigMaps, and the execution marker. */
  private async extraVars(context: CreateContext): Promise<Record<string, unknown>> {
    const { metadata, spec } = context.request.workflowExecution;
    const vars: Record<string, unknown> = {
      ...(buildExtraVars(spec.parameters) ?? {}),
      WFE_NAME: metadata.name,
      WFE_NAMESPACE: metadata.namespace,
      RR_NAME: spec.remediationRequestRef?.name ?? '',
      RR_NAMESPACE: spec.remediationRequestRef?.namespace ?? '',
    };
    for (const { name } of context.request.dependencies?.configMaps ?? []) {
      const data = await this.readConfigMap(context.executionNamespace, name);
      for (const key of Object.keys(data).sort()) vars[`KUBERNAUT_CONFIGMAP_${envSegment(name)}_${envSegment(key)}`] = data[key];
    }
    vars[AWX_EXECUTION_MARKER_VAR] = context.createdByRun;
    return Object.fromEntries(
      Object.keys(vars)
        .sort()
        .map((key) => [key, vars[key]]),
    );
  }

  /** The job an earlier attempt of this run launched, found by the marker it carries in its extra_vars. */
  private async findLaunchedJob(templateId: number, marker: string): Promise<AwxJob | undefined> {
    const jobs = await this.awx.listJobTemplateJobs(templateId, new Date(Date.now() - this.jobSearchWindowMs));
    return jobs.find((job) => {
      try {
        return (JSON.parse(job.extra_vars ?? '{}') as Record<string, unknown>)[AWX_EXECUTION_MARKER_VAR] === marker;
      } catch {
        return false;
      }
    });
  }

  /** Template credentials first, then the ephemeral ones, without duplicates (UT-WE-365-001/002/003). */
  private async launchCredentials(templateId: number, ephemeral: number[]): Promise<number[]> {
    if (ephemeral.length === 0) return [];
    let templateCredentials: number[] = [];
    try {
      templateCredentials = (await this.awx.getJobTemplateCredentials(templateId)).map((credential) => credential.id);
    } catch (error) {
      // A transient failure is retried rather than launching without the template's own credentials, which AWX refuses
      // ("Removing … credential at launch time without replacement"); a refusal to list them degrades as upstream did.
      if (!(error instanceof BackendError) || error.retryable)
        throw withContext(`get credentials of AWX job template ${templateId}`, error);
    }
    return [...new Set([...templateCredentials, ...ephemeral])];
  }

  async create(context: CreateContext): Promise<ExecutionHandle> {
    const template = await this.resolveTemplate(context.request);
    const ephemeral = context.prepared?.ephemeralCredentialIds ?? [];
    const handleFor = (jobId: number): ExecutionHandle => ({
      engine: 'ansible',
      executionNamespace: context.executionNamespace,
      resourceName: `${AWX_JOB_REF_PREFIX}${jobId}`,
      awxJobId: jobId,
      awxJobTemplateId: template.id,
      ephemeralCredentialIds: ephemeral,
    });
    const launchInfo = await this.awx.getLaunchInfo(template.id).catch((error) => {
      throw withContext(`read launch settings of AWX job template "${template.name}"`, error);
    });
    // Without these prompts AWX launches anyway and silently drops the inputs: refuse before launching.
    if (!launchInfo.ask_variables_on_launch) {
      throw new ConfigurationError(
        `AWX job template "${template.name}" (id ${template.id}) does not prompt for variables on launch: turn on "Prompt on launch" for Variables (ask_variables_on_launch), or the execution's parameters would not reach the playbook`,
      );
    }
    if (ephemeral.length > 0 && !launchInfo.ask_credential_on_launch) {
      throw new ConfigurationError(
        `AWX job template "${template.name}" (id ${template.id}) does not prompt for credentials on launch: turn on "Prompt on launch" for Credentials (ask_credential_on_launch), or the dependency secrets would not reach the playbook`,
      );
    }
    const extraVars = await this.extraVars(context);
    if ((context.attempt ?? 1) > 1) {
      const launched = await this.findLaunchedJob(template.id, context.createdByRun).catch((error) => {
        throw withContext(`look for the job an earlier attempt launched from AWX job template ${template.id}`, error);
      });
      if (launched) return handleFor(launched.id);
    }
    const credentials = await this.launchCredentials(template.id, ephemeral);
    const launch = await (credentials.length > 0
      ? this.awx.launchJobTemplateWithCredentials(template.id, extraVars, credentials)
      : this.awx.launchJobTemplate(template.id, extraVars)
    ).catch((error) => {
      throw withContext(`launch AWX job template ${template.id}`, error);
    });
    const dropped = Object.keys(launch.ignoredFields).filter((field) => field === 'extra_vars' || field === 'credentials');
    if (dropped.length > 0) {
      await this.awx.cancelJob(launch.jobId).catch(() => undefined);
      throw new ConfigurationError(
        `AWX job template "${template.name}" (id ${template.id}) ignored ${dropped.join(' and ')} at launch (job ${launch.jobId}, canceled): turn on "Prompt on launch" for ${dropped.map((field) => (field === 'extra_vars' ? 'Variables' : 'Credentials')).join(' and ')}`,
      );
    }
    return handleFor(launch.jobId);
  }

  async getStatus(_request: ExecutionRequest, handle: ExecutionHandle): Promise<StatusObservation> {
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
    const tail = await this.awx.getJobOutputTail(jobId, this.outputTailBytes).catch(() => '');
    const details = [job.job_explanation, job.status === 'error' ? job.result_traceback?.split('\n').at(-1) : '', tail]
      .filter(Boolean)
      .join('\n');
    return { kind: 'found', result: mapAwxStatus(job, details || undefined) };
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
   * Cancels the job if it can still be cancelled, then deletes every ephemeral credential of the execution: the ids
   * recorded in history and any found by their deterministic names. Never the template's own (§9.2 item 1). A
   * failure is reported after trying everything, so the activity retries until nothing is left (unless AWX refuses
   * outright, e.g. a revoked token, which retrying cannot fix).
   */
  async cleanup(request: ExecutionRequest, handle: ExecutionHandle | undefined, options: CleanupOptions): Promise<CleanupReport> {
    const problems: string[] = [];
    let retryable = false;
    const problem = (what: string, error: unknown): void => {
      problems.push(`${what}: ${(error as Error).message}`);
      retryable ||= !(error instanceof BackendError) || error.retryable;
    };
    let jobId = handle ? awxJobIdOf(handle) : undefined;
    if (jobId === undefined && options.createdByRun) {
      try {
        const template = await this.resolveTemplate(request);
        jobId = (await this.findLaunchedJob(template.id, options.createdByRun))?.id;
      } catch (error) {
        if (!(error instanceof ConfigurationError)) problem('find the launched job', error);
      }
    }
    if (jobId !== undefined) {
      try {
        const job = await this.awx.getJob(jobId);
        if (AWX_ACTIVE_STATES.has(job.status)) await this.awx.cancelJob(jobId);
      } catch (error) {
        if (!(error instanceof AwxError && error.status === 404)) problem(`cancel AWX job ${jobId}`, error);
      }
    }
    const known = new Set([...(handle?.ephemeralCredentialIds ?? []), ...(options.prepared?.ephemeralCredentialIds ?? [])]);
    const secretNames = (request.dependencies?.secrets ?? []).map((secret) => secret.name);
    let found: number[] = [];
    try {
      found = await findExecutionCredentials(this.awx, secretNames, request.workflowExecution.metadata.name);
    } catch (error) {
      problem('find ephemeral credentials by name', error);
    }
    const orphans = found.filter((id) => !known.has(id));
    let deleted = 0;
    for (const id of new Set([...known, ...found])) {
      try {
        if ((await this.awx.deleteCredential(id)) === 'deleted') deleted++;
      } catch (error) {
        problem(`delete ephemeral credential ${id}`, error);
      }
    }
    // Retried while any failure could pass (transport, 5xx); refusals only (401, 403) end it: an operator must act.
    if (problems.length > 0)
      throw new BackendError(
        `AWX cleanup incomplete (${deleted} credential(s) deleted): ${problems.join('; ')}`,
        retryable ? undefined : 400,
      );
    return {
      resourceDeleted: false,
      credentialsDeleted: deleted,
      orphanedCredentialsFound: orphans.length,
      note: jobId === undefined ? 'no AWX job was launched' : `AWX job ${jobId}`,
    };
  }
}
