/**
 * The client library other services use to run executions: start (one per target at a time, DD-WE-003), inspect,
 * cancel, wait. Results come back as one ExecutionResult whether the execution completed or failed.
 */
import './runtime-support.ts';
import {
  CancelledFailure,
  Client,
  Connection,
  type ConnectionOptions,
  TerminatedFailure,
  TimeoutFailure,
  WorkflowExecutionAlreadyStartedError,
  type WorkflowExecutionDescription,
  WorkflowFailedError,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from './domain/errors.ts';
import { executionResourceName } from './domain/resource-name.ts';
import type { Engine, ExecutionRequest, ExecutionResult, Phase } from './domain/types.ts';
import { engineOf, formatValidationProblems, type ValidationProblem, validateExecutionRequest } from './domain/validate.ts';
import type { SweepInput } from './sweeper/activities.ts';
import type { SweepReport } from './sweeper/sweeper.ts';
import { temporalTlsOptions } from './temporal-tls.ts';
import {
  DEFAULT_TASK_QUEUE,
  ExecutionEngineKey,
  ExecutionPhaseKey,
  type ExecutionStatus,
  SWEEP_WORKFLOW_TYPE,
  statusQuery,
  TargetResourceKey,
  WORKFLOW_TYPE,
  WorkflowExecutionNameKey,
} from './workflows/definitions.ts';

export type { ExecutionStatus, SweepInput, SweepReport };
export { DEFAULT_TASK_QUEUE, WORKFLOW_TYPE };

/** The request was refused before anything started; `problems` name each bad field. */
export class InvalidExecutionRequestError extends Error {
  readonly type = FailureType.InvalidExecutionRequest;
  readonly problems: ValidationProblem[];
  constructor(problems: ValidationProblem[]) {
    super(`invalid execution request: ${formatValidationProblems(problems)}`);
    this.name = 'InvalidExecutionRequestError';
    this.problems = problems;
  }
}

/** Another execution for the same target is running (DD-WE-003): Temporal refused the second start. */
export class ExecutionLockedError extends Error {
  readonly type = FailureType.ExecutionLocked;
  readonly workflowId: string;
  readonly runningRunId?: string;
  readonly runningWorkflowExecutionName?: string;
  constructor(workflowId: string, runningRunId?: string, runningWorkflowExecutionName?: string) {
    super(
      `target locked: execution ${workflowId}${runningWorkflowExecutionName ? ` (WorkflowExecution "${runningWorkflowExecutionName}")` : ''} is still running` +
        `${runningRunId ? ` as run ${runningRunId}` : ''}; wait for it or cancel it`,
    );
    this.name = 'ExecutionLockedError';
    this.workflowId = workflowId;
    if (runningRunId) this.runningRunId = runningRunId;
    if (runningWorkflowExecutionName) this.runningWorkflowExecutionName = runningWorkflowExecutionName;
  }
}

export interface StartedExecution {
  workflowId: string;
  runId: string;
}

/** An execution as the Web UI shows it: Temporal's view plus the status query when the worker can answer it. */
export interface ExecutionView {
  workflowId: string;
  runId: string;
  /** Temporal's status: RUNNING, COMPLETED, FAILED, CANCELLED, TERMINATED, TIMED_OUT, CONTINUED_AS_NEW. */
  workflowStatus: string;
  engine?: string;
  targetResource?: string;
  phase?: string;
  workflowExecutionName?: string;
  startTime: Date;
  closeTime?: Date;
  status?: ExecutionStatus;
}

export interface ConnectOptions {
  address?: string;
  namespace?: string;
  taskQueue?: string;
  tls?: { caFile?: string; certFile?: string; keyFile?: string; serverName?: string };
  apiKey?: string;
}

export interface ListFilter {
  engine?: Engine;
  targetResource?: string;
  phase?: Phase;
  /** Only executions that are still running. */
  running?: boolean;
  limit?: number;
}

const quote = (value: string): string => `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;

/** The visibility query for a filter (ExecutionEngine / TargetResource / ExecutionPhase search attributes). */
export function listQuery(filter: ListFilter): string {
  const terms = [`WorkflowType = '${WORKFLOW_TYPE}'`];
  if (filter.engine) terms.push(`ExecutionEngine = ${quote(filter.engine)}`);
  if (filter.targetResource) terms.push(`TargetResource = ${quote(filter.targetResource)}`);
  if (filter.phase) terms.push(`ExecutionPhase = ${quote(filter.phase)}`);
  if (filter.running) terms.push(`ExecutionStatus = 'Running'`);
  return terms.join(' AND ');
}

function viewOf(description: WorkflowExecutionDescription, status?: ExecutionStatus): ExecutionView {
  const attributes = description.typedSearchAttributes;
  return {
    workflowId: description.workflowId,
    runId: description.runId,
    workflowStatus: description.status.name,
    engine: attributes.get(ExecutionEngineKey),
    targetResource: attributes.get(TargetResourceKey),
    phase: attributes.get(ExecutionPhaseKey),
    workflowExecutionName: attributes.get(WorkflowExecutionNameKey),
    startTime: description.startTime,
    ...(description.closeTime ? { closeTime: description.closeTime } : {}),
    ...(status ? { status } : {}),
  };
}

/** One ExecutionResult for any way a workflow can end. */
export function resultFromFailure(error: unknown): ExecutionResult {
  const cause = error instanceof WorkflowFailedError ? error.cause : error;
  if (cause instanceof ApplicationFailure) {
    const detail = cause.details?.[0] as Partial<ExecutionResult> | undefined;
    if (detail?.phase && typeof detail.reason === 'string') return detail as ExecutionResult;
    return { phase: 'Failed', reason: cause.type ?? 'ExecutionFailed', message: cause.message };
  }
  if (cause instanceof CancelledFailure)
    return { phase: 'Failed', reason: FailureType.Cancelled, message: 'Execution cancelled by request' };
  if (cause instanceof TerminatedFailure)
    return { phase: 'Failed', reason: 'Terminated', message: `Execution terminated: ${cause.message}` };
  if (cause instanceof TimeoutFailure) return { phase: 'Failed', reason: 'WorkflowTimedOut', message: cause.message };
  throw error;
}

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
    const tls = options.tls ? temporalTlsOptions(options.tls) : undefined;
    const connectionOptions: ConnectionOptions = {
      address: options.address ?? 'localhost:7233',
      ...(tls ? { tls } : {}),
      ...(options.apiKey ? { apiKey: options.apiKey } : {}),
    };
    const connection = await Connection.connect(connectionOptions);
    const client = new Client({ connection, namespace: options.namespace ?? 'default' });
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
        typedSearchAttributes: [
          { key: ExecutionEngineKey, value: engineOf(request) },
          { key: TargetResourceKey, value: spec.targetResource },
          { key: WorkflowExecutionNameKey, value: metadata.name },
          { key: ExecutionPhaseKey, value: 'Pending' },
        ],
      });
      return { workflowId, runId: handle.firstExecutionRunId };
    } catch (error) {
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
    const status = await handle.query(statusQuery).catch(() => undefined);
    return viewOf(description, status);
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
