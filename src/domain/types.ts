/**
 * The contract types. ExecutionRequest mirrors kubernaut's WorkflowExecution (group kubernaut.ai, v1alpha1) so that a CR
 * bridge can map it one to one; only names and references travel through Temporal, never secret values.
 */

export const ENGINES = ['tekton', 'job', 'ansible'] as const;
export type Engine = (typeof ENGINES)[number];

export const PHASES = ['Pending', 'Running', 'Completed', 'Failed'] as const;
export type Phase = (typeof PHASES)[number];

/** core/v1 ObjectReference, as the CRD's spec.remediationRequestRef. */
export interface ObjectReference {
  apiVersion?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  uid?: string;
}

export interface WorkflowRef {
  workflowId: string;
  version?: string;
  /** Job: the container image. Tekton: the OCI bundle of the pipeline named "workflow". Ansible: ignored. */
  executionBundle?: string;
  executionBundleDigest?: string;
  /** Free-form JSON; required for the ansible engine (see AnsibleEngineConfig). */
  engineConfig?: unknown;
}

export interface ExecutionConfig {
  /** Kubernetes duration string such as "30m" or "1h30m". Default: 30m. */
  timeout?: string;
  serviceAccountName?: string;
}

export interface WorkflowExecutionSpec {
  remediationRequestRef?: ObjectReference;
  workflowRef: WorkflowRef;
  /** "namespace/Kind/name", or "Kind/name" for cluster-scoped targets. */
  targetResource: string;
  parameters?: Record<string, string>;
  confidence?: number;
  rationale?: string;
  /** CRD default: tekton. */
  executionEngine?: Engine;
  executionConfig?: ExecutionConfig;
}

export interface WorkflowExecutionMetadata {
  name: string;
  namespace: string;
  uid?: string;
  annotations?: Record<string, string>;
}

export interface WorkflowExecution {
  apiVersion?: string;
  kind?: string;
  metadata: WorkflowExecutionMetadata;
  spec: WorkflowExecutionSpec;
}

export interface ResourceDependency {
  name: string;
}

export interface WorkflowDependencies {
  secrets?: ResourceDependency[];
  configMaps?: ResourceDependency[];
}

export const PIPELINE_RUN_CANCEL_MODES = ['Cancelled', 'CancelledRunFinally'] as const;
export type PipelineRunCancelMode = (typeof PIPELINE_RUN_CANCEL_MODES)[number];

/** How the workflow drives one execution. Every field has a documented default (see domain/policy.ts). */
export interface ExecutionPolicy {
  /** First wait between status polls, in milliseconds. */
  pollInitialMs?: number;
  /** Cap of the doubling backoff between status polls, in milliseconds. */
  pollMaxMs?: number;
  /** Keep the Job / PipelineRun after it finished (for inspection) instead of deleting it. */
  keepFinishedResource?: boolean;
  /** Continue as new once the run's history reaches this many events (Temporal's own suggestion always applies). */
  continueAsNewAfterEvents?: number;
  /** How a running PipelineRun is stopped: "Cancelled" (default) or "CancelledRunFinally" (finally tasks still run). */
  pipelineRunCancelMode?: PipelineRunCancelMode;
  /** How long cleanup waits for a stopped backend to wind down before deleting it, in milliseconds. */
  stopGraceMs?: number;
  /**
   * How long a Job's pod may stay unable to start (ImagePullBackOff, CreateContainerConfigError, FailedMount) before the
   * execution fails with the pod's reason, in milliseconds; Kubernetes keeps retrying meanwhile. 0 turns it off.
   */
  stuckPodGraceMs?: number;
  /** The poll interval while a watch covers the resource (its end arrives as a signal; polls are the safety net). */
  watchedPollMs?: number;
}

/** The workflow's input. */
export interface ExecutionRequest {
  workflowExecution: WorkflowExecution;
  /** Namespace the Job / PipelineRun runs in and dependencies are read from (DD-WE-002). Default: the worker's. */
  executionNamespace?: string;
  dependencies?: WorkflowDependencies;
  policy?: ExecutionPolicy;
}

/** ExecutionStatusSummary of the CRD status. */
export interface ExecutionSummary {
  /** Job/Tekton: "True" | "False" | "Unknown". Ansible: the phase name (as upstream). */
  status: string;
  reason?: string;
  message?: string;
  completedTasks?: number;
  totalTasks?: number;
}

export interface ExecutionResult {
  phase: Phase;
  reason: string;
  message: string;
  summary?: ExecutionSummary;
  /** Present when cleanup could not undo everything: what was left, now owned by the orphan sweeper. */
  cleanup?: IncompleteCleanup;
}

/** A cleanup that left something behind is never a silent success: the result says what, and who removes it. */
export interface IncompleteCleanup {
  complete: false;
  /** What is left, e.g. "ephemeral credential 1042", "Job kubernaut-workflows/wfe-…". */
  left: string[];
  /** The undo steps that failed, with their errors. */
  failures: { step: string; message: string }[];
  /** The orphan sweeper deletes or cancels what is left once this run has closed. */
  owner: 'sweeper';
}

/** Everything needed after creation to observe, stop and clean up the backend resource. */
export interface ExecutionHandle {
  engine: Engine;
  executionNamespace: string;
  /** Job / PipelineRun name (wfe-…), or "awx-job-<id>" for AWX. */
  resourceName: string;
  /** UID of the Job / PipelineRun this execution created: cleanup never touches a newer object of the same name. */
  resourceUid?: string;
  awxJobId?: number;
  awxJobTemplateId?: number;
  /** Only the credentials this execution created; never the job template's own (§9.2 item 1). */
  ephemeralCredentialIds?: number[];
}

/** What the ansible engine creates before the launch, recorded in history before the job exists (§9.2 item 2). */
export interface PreparedCredentials {
  ephemeralCredentialIds: number[];
  /** How many of them this attempt created (the rest were found by name from an earlier attempt). */
  created?: number;
}

/** GetStatus outcome: the resource is there (with its mapped result), or it is gone (BR-WE-007). */
export type StatusObservation =
  | {
      kind: 'found';
      result: ExecutionResult;
      /** A pod that cannot start as things are (bad image, missing Secret): the workflow fails only if it persists. */
      stuck?: { reason: string; message: string };
      /** A worker's watch covers this resource and will signal its end: polling can fall back to the long safety net. */
      watched?: boolean;
    }
  | { kind: 'notFound'; message: string };

/** What one cleanup removed (or why it left the resource alone). */
export interface CleanupReport {
  resourceDeleted: boolean;
  /** Why the resource was left alone (not found, owned by another execution, kept on request). */
  note?: string;
  credentialsDeleted?: number;
  /** Ephemeral credentials found by name that the workflow did not know of (an interrupted prepare). */
  orphanedCredentialsFound?: number;
}
