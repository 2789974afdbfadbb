/** Names shared with kubernaut (reference §3.3) and the labels its resources carry (§4.1). */

export const DEFAULT_SERVICE_ACCOUNT_NAME = 'kubernaut-workflow-runner';
export const SECRET_MOUNT_BASE_PATH = '/run/kubernaut/secrets';
export const CONFIGMAP_MOUNT_BASE_PATH = '/run/kubernaut/configmaps';
export const DEFAULT_EXECUTION_NAMESPACE = 'kubernaut-workflows';

export const LABEL_WORKFLOW_EXECUTION = 'kubernaut.ai/workflow-execution';
export const LABEL_WORKFLOW_ID = 'kubernaut.ai/workflow-id';
export const LABEL_TARGET_RESOURCE = 'kubernaut.ai/target-resource';
export const LABEL_SOURCE_NAMESPACE = 'kubernaut.ai/source-namespace';
export const LABEL_EXECUTION_ENGINE = 'kubernaut.ai/execution-engine';
export const ANNOTATION_TARGET_RESOURCE = 'kubernaut.ai/target-resource';
/** Which workflow run created the resource: tells a crash retry (same run: adopt) from a reset or rerun (new run). */
export const ANNOTATION_CREATED_BY_RUN = 'kubernaut.ai/created-by-run';

export const CREDENTIAL_TYPE_PREFIX = 'kubernaut-secret-';
export const EPHEMERAL_CREDENTIAL_PREFIX = 'kubernaut-ephemeral-';
export const AWX_JOB_REF_PREFIX = 'awx-job-';
/** Extra var carrying the execution's identity into the AWX launch so a retried launch finds the job already started. */
export const AWX_EXECUTION_MARKER_VAR = 'KUBERNAUT_EXECUTION_MARKER';

/** The extra_vars the ansible engine sets itself (they win over parameters of the same name, so those are refused). */
export const AWX_SYSTEM_VARIABLES = ['WFE_NAME', 'WFE_NAMESPACE', 'RR_NAME', 'RR_NAMESPACE'] as const;
/** ConfigMap data reaches AWX as KUBERNAUT_CONFIGMAP_<CONFIGMAP>_<KEY> extra_vars. */
export const AWX_CONFIGMAP_VARIABLE_PREFIX = 'KUBERNAUT_CONFIGMAP_';

/** Search attributes the worker registers and keeps current (all Keyword). */
export const SEARCH_ATTRIBUTES = {
  engine: 'ExecutionEngine',
  target: 'TargetResource',
  phase: 'ExecutionPhase',
  name: 'WorkflowExecutionName',
} as const;
export const SEARCH_ATTRIBUTE_NAMES = Object.values(SEARCH_ATTRIBUTES);

/** The workflow type other services start, in any language. */
export const WORKFLOW_TYPE = 'runExecution';
/** The orphan sweep's workflow type (run by the sweeper schedule or `kubernaut-exec sweep`). */
export const SWEEP_WORKFLOW_TYPE = 'sweepOrphans';
/** Reads an execution's output on a worker (`kubernaut-exec logs`). */
export const OUTPUT_WORKFLOW_TYPE = 'executionOutput';
/** Default task queue of the worker. */
export const DEFAULT_TASK_QUEUE = 'kubernaut-executions';
