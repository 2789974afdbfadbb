/**
 * The Strategy pattern of kubernaut's executor package: one Executor per engine behind a registry. Executors run in
 * activities and do I/O through the clients they are handed; everything they return is plain data that Temporal
 * records (names and ids, never secret values).
 */
import type {
  CleanupReport,
  Engine,
  ExecutionHandle,
  ExecutionRequest,
  PipelineRunCancelMode,
  PreparedCredentials,
  StatusObservation,
} from '../domain/types.ts';

export type { CleanupReport } from '../domain/types.ts';

export interface CreateContext {
  request: ExecutionRequest;
  executionNamespace: string;
  /** "<workflowId>/<runId>" of the run that creates: tells a retry of this run (adopt) from a reset or rerun. */
  createdByRun: string;
  executionTimeoutMs: number;
  /** AWX: the credentials prepare() made, recorded in history before the launch. */
  prepared?: PreparedCredentials;
  /** Attempt number of the activity (1 = first): only a retry can find something an earlier attempt made. */
  attempt?: number;
}

export interface StopOptions {
  pipelineRunCancelMode: PipelineRunCancelMode;
}

export interface CleanupOptions {
  /** Delete the Job / PipelineRun (false keeps a finished one for inspection). */
  deleteResource: boolean;
  /** Where to look when no handle reached the workflow (a create interrupted before it returned). */
  executionNamespace: string;
  /** "<workflowId>/<runId>" of the run that created, for finding an AWX job launched by an interrupted create. */
  createdByRun?: string;
  /** AWX: the credentials prepare() recorded; cleanup also finds them by owner. */
  prepared?: PreparedCredentials;
  /**
   * What to remove: the backend resource (Job / PipelineRun deleted, AWX jobs cancelled), the ephemeral credentials,
   * or both (default). The workflow undoes them as separate steps so that one failing never skips the other.
   */
  parts?: CleanupPart;
}

export type CleanupPart = 'all' | 'resource' | 'credentials';

export interface Executor {
  readonly engine: Engine;
  /** Work that must be recorded before create (AWX ephemeral credentials); idempotent. */
  prepare?(context: CreateContext): Promise<PreparedCredentials>;
  /** Creates the backend resource; idempotent: a retry adopts what an earlier attempt created. */
  create(context: CreateContext): Promise<ExecutionHandle>;
  /** The resource's state, or notFound when it is gone (BR-WE-007). */
  getStatus(request: ExecutionRequest, handle: ExecutionHandle): Promise<StatusObservation>;
  /** Asks a running backend to stop (Job delete, PipelineRun cancel, AWX cancel); a finished one is left as is. */
  stop(request: ExecutionRequest, handle: ExecutionHandle, options: StopOptions): Promise<void>;
  /**
   * Removes what the execution left (ownership-checked, #383); idempotent. Works by key when the handle is missing,
   * so nothing an interrupted create made is left behind.
   */
  cleanup(request: ExecutionRequest, handle: ExecutionHandle | undefined, options: CleanupOptions): Promise<CleanupReport>;
  /** The remediation's output (pod logs, AWX job output), at most about maxBytes, every secret value masked. */
  output(request: ExecutionRequest, handle: ExecutionHandle, maxBytes: number): Promise<string>;
}
