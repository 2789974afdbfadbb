/**
 * The client library other services use to run executions: start (one per target at a time, DD-WE-003), inspect,
 * cancel, wait. Results come back as one ExecutionResult whether the execution completed or failed.
 */
import './runtime-support.ts';
import { Client, type ClientPlugin, Connection, type ConnectionOptions, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { ExecutionOutput } from './activities/output.ts';
import {
  ExecutionLockedError,
  InvalidExecutionRequestError,
  missingSearchAttribute,
  resultFromFailure,
  SetupRequiredError,
} from './client/errors.ts';
import { type ExecutionView, type ListFilter, listQuery, viewOf } from './client/views.ts';
import { SEARCH_ATTRIBUTE_NAMES } from './domain/constants.ts';
import { executionResourceName } from './domain/resource-name.ts';
import type { ExecutionRequest, ExecutionResult } from './domain/types.ts';
import { engineOf, validateExecutionRequest } from './domain/validate.ts';
import type { SweepInput } from './sweeper/activities.ts';
import { ensureSweeperSchedule } from './sweeper/schedule.ts';
import type { SweepReport } from './sweeper/sweeper.ts';
import { resolveTemporalConnection, sdkConnectionOptions, type TemporalOverrides } from './temporal-connection.ts';
import {
  DEFAULT_TASK_QUEUE,
  ExecutionEngineKey,
  ExecutionPhaseKey,
  type ExecutionStatus,
  OUTPUT_WORKFLOW_TYPE,
  SWEEP_WORKFLOW_TYPE,
  statusQuery,
  TargetResourceKey,
  WORKFLOW_TYPE,
  WorkflowExecutionNameKey,
} from './workflows/definitions.ts';

export { ExecutionLockedError, InvalidExecutionRequestError, resultFromFailure, SetupRequiredError } from './client/errors.ts';
export { type ExecutionView, type ListFilter, listQuery } from './client/views.ts';
export type { ExecutionOutput, ExecutionStatus, SweepInput, SweepReport };

export { DEFAULT_TASK_QUEUE, WORKFLOW_TYPE };

export interface StartedExecution {
  workflowId: string;
  runId: string;
}

/**
 * Where Temporal is: Temporal's environment configuration (TEMPORAL_PROFILE, TEMPORAL_ADDRESS, TEMPORAL_TLS_*, …, see
 * temporal-connection.ts) unless `env` replaces the process environment, with these fields on top.
 */
export interface ConnectOptions extends TemporalOverrides {
  taskQueue?: string;
  /** Client plugins, e.g. tracing's (src/tracing.ts), so a start carries its trace into the workflow. */
  plugins?: ClientPlugin[];
  /** Environment to read instead of process.env. */
  env?: Record<string, string | undefined>;
}

/** What `setup` did. */
export interface SetupReport {
  searchAttributes: { name: string; result: 'registered' | 'already registered' }[];
  sweeperSchedule: 'created' | 'exists' | 'skipped';
}

/** temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD (the proto package is the SDK's, not ours to import). */
const INDEXED_VALUE_TYPE_KEYWORD = 2;

export class ExecutionClient {
  readonly client: Client;
  readonly taskQueue: string;
  private readonly connection?: Connection;

  constructor(client: Client, options: { taskQueue?: string; connection?: Connection } = {}) {
    this.client = client;
    this.taskQueue = options.taskQueue ?? DEFAULT_TASK_QUEUE;
    if (options.connection) this.connection = options.connection;
  }

  static async connect(options: ConnectOptions = {}): Promise<ExecutionClient> {
    const { env, taskQueue: _taskQueue, plugins, ...overrides } = options;
    const resolved = resolveTemporalConnection(env ?? process.env, overrides);
    const connection = await Connection.connect(sdkConnectionOptions(resolved) as ConnectionOptions);
    const client = new Client({ connection, namespace: resolved.namespace, ...(plugins ? { plugins } : {}) });
    return new ExecutionClient(client, { connection, ...(options.taskQueue ? { taskQueue: options.taskQueue } : {}) });
  }

  async close(): Promise<void> {
    await this.connection?.close();
  }

  /**
   * Starts an execution. The workflow ID is the target's deterministic name, and Temporal refuses a second start while
   * one runs (ExecutionLockedError); a closed execution's ID can be reused. Bad input fails here, before anything starts.
   */
  async startExecution(request: ExecutionRequest, options: { workflowId?: string } = {}): Promise<StartedExecution> {
    const problems = validateExecutionRequest(request);
    if (problems.length > 0) throw new InvalidExecutionRequestError(problems);
    const { metadata, spec } = request.workflowExecution;
    const workflowId = executionResourceName(spec.targetResource);
    // Any other ID would let two executions run on one target at once; the workflow refuses it too.
    if (options.workflowId !== undefined && options.workflowId !== workflowId)
      throw new InvalidExecutionRequestError([
        {
          field: 'workflowId',
          message: `must be the target's execution name "${workflowId}" (wfe- + sha256 of spec.targetResource), got "${options.workflowId}": leave it out`,
        },
      ]);
    try {
      const handle = await this.client.workflow.start(WORKFLOW_TYPE, {
        taskQueue: this.taskQueue,
        workflowId,
        args: [request],
        workflowIdConflictPolicy: 'FAIL',
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
        // Shown in the Web UI's workflow list and on the execution's page.
        staticSummary: `${engineOf(request)}: ${spec.workflowRef.workflowId} on ${spec.targetResource}`,
        staticDetails: [
          `**WorkflowExecution** ${metadata.namespace}/${metadata.name}`,
          `**Engine** ${engineOf(request)}`,
          `**Workflow** ${spec.workflowRef.workflowId}${spec.workflowRef.version ? ` ${spec.workflowRef.version}` : ''}`,
          `**Target** ${spec.targetResource}`,
        ].join('\n\n'),
        typedSearchAttributes: [
          { key: ExecutionEngineKey, value: engineOf(request) },
          { key: TargetResourceKey, value: spec.targetResource },
          { key: WorkflowExecutionNameKey, value: metadata.name },
          { key: ExecutionPhaseKey, value: 'Pending' },
        ],
      });
      return { workflowId, runId: handle.firstExecutionRunId };
    } catch (error) {
      const missing = missingSearchAttribute(error);
      if (missing) throw new SetupRequiredError(this.client.options.namespace, missing.replace(/^\d+ INVALID_ARGUMENT: /, ''));
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      const running = await this.client.workflow
        .getHandle(workflowId)
        .describe()
        .catch(() => undefined);
      throw new ExecutionLockedError(workflowId, running?.runId, running?.typedSearchAttributes.get(WorkflowExecutionNameKey));
    }
  }

  /** Temporal's description plus the status query (absent when no worker can answer it right now). */
  async getExecution(workflowId: string, runId?: string): Promise<ExecutionView> {
    const handle = this.client.workflow.getHandle(workflowId, runId);
    const description = await handle.describe();
    // A query needs a worker; without one, say so within seconds instead of waiting out the RPC deadline.
    let statusError: string | undefined;
    const status = await this.client
      .withDeadline(Date.now() + 10_000, () => handle.query(statusQuery))
      .catch((error: Error) => {
        statusError = error.message;
        return undefined;
      });
    return { ...viewOf(description, status), ...(statusError ? { statusError } : {}) };
  }

  /**
   * Prepares a Temporal namespace for executions, idempotently: registers the four search attributes (Keyword) and,
   * unless told not to, creates the orphan sweeper's schedule for this task queue. Reports what it did.
   */
  async setup(options: { namespace: string; sweeper?: { intervalMs: number; graceMs: number } | false }): Promise<SetupReport> {
    const existing = await this.client.connection.operatorService.listSearchAttributes({ namespace: options.namespace });
    const known = new Set([...Object.keys(existing.customAttributes ?? {}), ...Object.keys(existing.systemAttributes ?? {})]);
    const missing = SEARCH_ATTRIBUTE_NAMES.filter((name) => !known.has(name));
    if (missing.length > 0)
      await this.client.connection.operatorService.addSearchAttributes({
        namespace: options.namespace,
        searchAttributes: Object.fromEntries(missing.map((name) => [name, INDEXED_VALUE_TYPE_KEYWORD])),
      });
    const sweeper =
      options.sweeper === false
        ? 'skipped'
        : await ensureSweeperSchedule(this.client, {
            taskQueue: this.taskQueue,
            ...(options.sweeper ?? { intervalMs: 300_000, graceMs: 600_000 }),
          });
    return {
      searchAttributes: SEARCH_ATTRIBUTE_NAMES.map((name) => ({
        name,
        result: missing.includes(name) ? 'registered' : 'already registered',
      })),
      sweeperSchedule: sweeper,
    };
  }

  /** Requests cancellation: the workflow stops the backend and cleans up before it ends. */
  async cancelExecution(workflowId: string, runId?: string): Promise<void> {
    await this.client.workflow.getHandle(workflowId, runId).cancel();
  }

  /** Waits for the end and returns the ExecutionResult, for completed and failed executions alike. */
  async waitForResult(workflowId: string, runId?: string): Promise<ExecutionResult> {
    try {
      return (await this.client.workflow.getHandle(workflowId, runId).result()) as ExecutionResult;
    } catch (error) {
      return resultFromFailure(error);
    }
  }

  /** Like waitForResult, but gives up after timeoutMs (undefined then); the execution goes on. */
  async waitForResultWithin(workflowId: string, timeoutMs: number): Promise<ExecutionResult | undefined> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), timeoutMs);
    try {
      return await this.client.withAbortSignal(abort.signal, () => this.waitForResult(workflowId));
    } catch (error) {
      if (abort.signal.aborted) return undefined;
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Runs one orphan sweep now and returns its report: removes what executions without an open run left behind
   * (after a terminate, a reset, a cleanup that gave up). graceMs 0 also takes what was made a moment ago.
   */
  async sweepOrphans(input: SweepInput = {}): Promise<SweepReport> {
    return this.client.workflow.execute(SWEEP_WORKFLOW_TYPE, {
      taskQueue: this.taskQueue,
      workflowId: `kubernaut-sweep-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
      args: [input],
    });
  }

  /** The remediation's output (pod logs, AWX job output), read and masked by a worker. */
  async executionOutput(workflowId: string, options: { runId?: string; maxBytes?: number } = {}): Promise<ExecutionOutput> {
    return this.client.workflow.execute(OUTPUT_WORKFLOW_TYPE, {
      taskQueue: this.taskQueue,
      workflowId: `kubernaut-output-${workflowId}-${Date.now().toString(36)}`,
      args: [{ workflowId, ...options }],
    });
  }

  /** Executions matching a filter, newest first. */
  async listExecutions(filter: ListFilter = {}): Promise<ExecutionView[]> {
    const views: ExecutionView[] = [];
    for await (const execution of this.client.workflow.list({ query: listQuery(filter) })) {
      views.push({
        workflowId: execution.workflowId,
        runId: execution.runId,
        workflowStatus: execution.status.name,
        engine: execution.typedSearchAttributes.get(ExecutionEngineKey),
        targetResource: execution.typedSearchAttributes.get(TargetResourceKey),
        phase: execution.typedSearchAttributes.get(ExecutionPhaseKey),
        workflowExecutionName: execution.typedSearchAttributes.get(WorkflowExecutionNameKey),
        startTime: execution.startTime,
        ...(execution.closeTime ? { closeTime: execution.closeTime } : {}),
      });
      if (filter.limit && views.length >= filter.limit) break;
    }
    return views;
  }
}
