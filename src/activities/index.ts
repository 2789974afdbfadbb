/**
 * Activities: thin wrappers over the executor registry, built by a factory so tests hand them clients pointed at the
 * sandbox and production hands them clients pointed at the cluster. Each one is idempotent: retried or re-run after a
 * crash it never creates a second backend resource or credential.
 */
import { activityInfo, Context, heartbeat, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { checkAllowList, type RequestAllowList } from '../domain/allow-list.ts';
import { BackendError, ExecutionError, FailureType } from '../domain/errors.ts';
import type { ExecutionHandle, ExecutionRequest, PipelineRunCancelMode, PreparedCredentials, StatusObservation } from '../domain/types.ts';
import { engineOf, formatValidationProblems } from '../domain/validate.ts';
import type { CleanupPart, CleanupReport } from '../executors/executor.ts';
import type { ExecutorRegistry } from '../executors/registry.ts';
import { count, METRIC } from '../metrics.ts';
import { asActivityFailure } from './failures.ts';

export interface ActivityDependencies {
  registry: ExecutorRegistry;
  /** Where executions run when the request names no executionNamespace (DD-WE-002). */
  defaultExecutionNamespace: string;
  /** What a request may choose (namespace, service account, image); unset: anything. */
  allowed?: RequestAllowList;
  /** The execution pods' service account when the request names none (for the allow-list check). */
  defaultServiceAccountName?: string;
  /** Whether this worker's watch covers a resource (its end then arrives as a signal; see watch/). */
  isWatched?: (handle: ExecutionHandle) => boolean;
}

export interface CreateInput {
  request: ExecutionRequest;
  /** "<workflowId>/<runId>" of the creating run. */
  createdByRun: string;
  executionTimeoutMs: number;
  prepared?: PreparedCredentials;
}

export interface StatusInput {
  request: ExecutionRequest;
  handle?: ExecutionHandle;
}

export interface StopInput {
  request: ExecutionRequest;
  handle: ExecutionHandle;
  pipelineRunCancelMode: PipelineRunCancelMode;
}

export interface CleanupInput {
  request: ExecutionRequest;
  handle?: ExecutionHandle;
  prepared?: PreparedCredentials;
  createdByRun: string;
  deleteResource: boolean;
}

function identity(request: ExecutionRequest) {
  const { metadata, spec } = request.workflowExecution;
  return { workflowExecution: `${metadata.namespace}/${metadata.name}`, engine: engineOf(request), targetResource: spec.targetResource };
}

/**
 * Runs an executor call, turning its errors into Temporal failures and counting backend errors by status. While it
 * runs it heartbeats, so that if the worker dies Temporal retries the activity elsewhere after the heartbeat timeout
 * (seconds) instead of the start-to-close timeout (minutes). Local activities do not heartbeat.
 */
async function run<T>(
  request: ExecutionRequest,
  operation: string,
  body: () => Promise<T>,
  options: { heartbeat?: boolean } = {},
): Promise<T> {
  const ticker = options.heartbeat === false ? undefined : setInterval(() => heartbeat(), 1000);
  try {
    return await body();
  } catch (error) {
    if (error instanceof BackendError) {
      count(Context.current().metricMeter, METRIC.backendErrors, 1, {
        engine: engineOf(request),
        status: String(error.status ?? 'transport'),
      });
    }
    const level = error instanceof ExecutionError && !error.retryable ? 'warn' : 'info';
    log[level](`${operation} failed`, { ...identity(request), error: (error as Error).message });
    throw asActivityFailure(error);
  } finally {
    clearInterval(ticker);
  }
}

export function createActivities(dependencies: ActivityDependencies) {
  const { registry } = dependencies;
  const namespaceOf = (request: ExecutionRequest) => request.executionNamespace ?? dependencies.defaultExecutionNamespace;
  /** Refuses, before anything is created, what the operator does not allow a request to choose. */
  const checkAllowed = (request: ExecutionRequest): void => {
    if (!dependencies.allowed) return;
    const problems = checkAllowList(request, dependencies.allowed, {
      executionNamespace: dependencies.defaultExecutionNamespace,
      ...(dependencies.defaultServiceAccountName ? { serviceAccountName: dependencies.defaultServiceAccountName } : {}),
    });
    if (problems.length > 0)
      throw ApplicationFailure.create({
        type: FailureType.InvalidExecutionRequest,
        message: `invalid execution request: ${formatValidationProblems(problems)}`,
        nonRetryable: true,
        details: [{ problems }],
      });
  };

  async function cleanup(input: CleanupInput, parts: CleanupPart): Promise<CleanupReport> {
    const meter = Context.current().metricMeter;
    const engine = engineOf(input.request);
    try {
      const report = await run(input.request, `cleanup (${parts})`, () =>
        registry.get(input.handle?.engine ?? engine).cleanup(input.request, input.handle, {
          deleteResource: input.deleteResource,
          executionNamespace: input.handle?.executionNamespace ?? namespaceOf(input.request),
          createdByRun: input.createdByRun,
          parts,
          prepared: input.prepared,
        }),
      );
      count(meter, METRIC.credentialsDeleted, report.credentialsDeleted ?? 0, { engine });
      count(meter, METRIC.orphanedCredentialsFound, report.orphanedCredentialsFound ?? 0, { engine });
      log.info('execution cleaned up', { ...identity(input.request), parts, ...report });
      return report;
    } catch (error) {
      count(meter, METRIC.cleanupFailures, 1, { engine });
      throw error;
    }
  }

  return {
    /** AWX: ensures this execution's ephemeral credentials exist (found by name on a retry). */
    async prepareExecution(input: CreateInput): Promise<PreparedCredentials> {
      checkAllowed(input.request);
      return run(input.request, 'prepare', async () => {
        const executor = registry.get(engineOf(input.request));
        if (!executor.prepare) return { ephemeralCredentialIds: [] };
        const prepared = await executor.prepare({
          ...input,
          executionNamespace: namespaceOf(input.request),
          attempt: activityInfo().attempt,
        });
        count(Context.current().metricMeter, METRIC.credentialsCreated, prepared.created ?? 0, { engine: 'ansible' });
        log.info('execution prepared', { ...identity(input.request), ephemeralCredentials: prepared.ephemeralCredentialIds.length });
        return prepared;
      });
    },

    /** Creates the backend resource, or adopts the one an earlier attempt of this run created. */
    async createExecution(input: CreateInput): Promise<ExecutionHandle> {
      checkAllowed(input.request);
      return run(input.request, 'create', async () => {
        const handle = await registry
          .get(engineOf(input.request))
          .create({ ...input, executionNamespace: namespaceOf(input.request), attempt: activityInfo().attempt });
        log.info('execution resource created', {
          ...identity(input.request),
          resource: `${handle.executionNamespace}/${handle.resourceName}`,
        });
        return handle;
      });
    },

    /** Reads and maps the backend status (run as a local activity: one marker event per poll). */
    async getExecutionStatus(input: StatusInput): Promise<StatusObservation> {
      const { metadata } = input.request.workflowExecution;
      // UT-WE-014-033/074: no handle means nothing to observe.
      if (!input.handle)
        throw ApplicationFailure.nonRetryable(`no execution ref set on WFE ${metadata.namespace}/${metadata.name}`, 'ConfigurationError');
      const handle = input.handle;
      const observation = await run(input.request, 'get status', () => registry.get(handle.engine).getStatus(input.request, handle), {
        heartbeat: false,
      });
      return observation.kind === 'found' && dependencies.isWatched?.(handle) ? { ...observation, watched: true } : observation;
    },

    /** Asks a still-running backend to stop (Job delete, PipelineRun cancel, AWX cancel). */
    async stopExecution(input: StopInput): Promise<void> {
      return run(input.request, 'stop', async () => {
        await registry.get(input.handle.engine).stop(input.request, input.handle, { pipelineRunCancelMode: input.pipelineRunCancelMode });
        log.info('execution stop requested', identity(input.request));
      });
    },

    /** Deletes what the execution left: its resource (unless kept) and, for AWX, its ephemeral credentials (v1 workflow). */
    cleanupExecution(input: CleanupInput): Promise<CleanupReport> {
      return cleanup(input, 'all');
    },

    /** Undo step: the Job / PipelineRun deleted (ownership-checked), or every AWX job of the execution cancelled. */
    deleteExecutionResource(input: CleanupInput): Promise<CleanupReport> {
      return cleanup(input, 'resource');
    },

    /** Undo step: every ephemeral AWX credential of the execution deleted (recorded ids and those found by owner). */
    deleteEphemeralCredentials(input: CleanupInput): Promise<CleanupReport> {
      return cleanup(input, 'credentials');
    },
  };
}

export type ExecutionActivities = ReturnType<typeof createActivities>;
