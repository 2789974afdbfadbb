import {
  ANNOTATION_CREATED_BY_RUN,
  ANNOTATION_TARGET_RESOURCE,
  CONFIGMAP_MOUNT_BASE_PATH,
  DEFAULT_SERVICE_ACCOUNT_NAME,
  LABEL_EXECUTION_ENGINE,
  LABEL_SOURCE_NAMESPACE,
  LABEL_TARGET_RESOURCE,
  LABEL_WORKFLOW_EXECUTION,
  LABEL_WORKFLOW_ID,
  SECRET_MOUNT_BASE_PATH,
} from './constants.ts';
import { formatDuration } from './duration.ts';
import { sanitizeLabelValue } from './labels.ts';
import type { Engine, ExecutionRequest } from './types.ts';

/** What every backend object built for an execution needs besides the request. */
export interface ManifestInput {
  request: ExecutionRequest;
  /** executionResourceName(spec.targetResource). */
  resourceName: string;
  executionNamespace: string;
  /** The worker's service account; the request's executionConfig.serviceAccountName wins (§9.2 item 18). */
  defaultServiceAccountName?: string;
  /** Identity of the workflow run that creates the object (annotation kubernaut.ai/created-by-run). */
  createdByRun: string;
  /** Execution timeout in milliseconds: Job activeDeadlineSeconds / PipelineRun timeouts.pipeline (§9.2 item 17). */
  executionTimeoutMs: number;
  /**
   * Job ttlSecondsAfterFinished. The original's 600 s turned a success into ResourceDeletedExternally when the workers
   * were down longer than that; the workflow deletes the Job itself and the sweeper removes orphans, so the TTL is only
   * a safety net. Default DEFAULT_JOB_TTL_SECONDS.
   */
  jobTtlSecondsAfterFinished?: number;
  /**
   * "restricted" (default): the restricted Pod Security profile (BR-WE-018, from later upstream), with a writable /tmp as
   * HOME and TMPDIR. "none": no security context, as the original at v1.1.0-rc3 — for images that need root.
   */
  podSecurityContext?: PodSecurityContextMode;
  /** Resources, node selector, tolerations, priority class of the execution pods. */
  podSettings?: ExecutionPodSettings;
}

/** Execution pods as the operator sets them (worker configuration, chart values): scheduling and resources. */
export interface ExecutionPodSettings {
  /** Container resources of the Job's pod (a namespace with a ResourceQuota refuses pods without them). */
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  nodeSelector?: Record<string, string>;
  tolerations?: Record<string, unknown>[];
  priorityClassName?: string;
}

/** The pod-level part of the settings (Job pod spec, PipelineRun taskRunTemplate.podTemplate). */
function podScheduling(settings: ExecutionPodSettings | undefined) {
  return {
    ...(settings?.nodeSelector && Object.keys(settings.nodeSelector).length > 0 ? { nodeSelector: settings.nodeSelector } : {}),
    ...(settings?.tolerations && settings.tolerations.length > 0 ? { tolerations: settings.tolerations } : {}),
    ...(settings?.priorityClassName ? { priorityClassName: settings.priorityClassName } : {}),
  };
}

export const POD_SECURITY_CONTEXT_MODES = ['restricted', 'none'] as const;
export type PodSecurityContextMode = (typeof POD_SECURITY_CONTEXT_MODES)[number];

/** One week: far beyond any outage an execution should ride out. */
export const DEFAULT_JOB_TTL_SECONDS = 7 * 86_400;

export function serviceAccountFor(input: Pick<ManifestInput, 'request' | 'defaultServiceAccountName'>): string {
  return (
    input.request.workflowExecution.spec.executionConfig?.serviceAccountName ||
    input.defaultServiceAccountName ||
    DEFAULT_SERVICE_ACCOUNT_NAME
  );
}

/** Labels and annotations of reference §4.1, every label value sanitized (§9.2 item 16). */
export function executionMetadata(input: ManifestInput, engine: Engine) {
  const { metadata, spec } = input.request.workflowExecution;
  return {
    name: input.resourceName,
    namespace: input.executionNamespace,
    labels: {
      [LABEL_WORKFLOW_EXECUTION]: metadata.name,
      [LABEL_WORKFLOW_ID]: sanitizeLabelValue(spec.workflowRef.workflowId),
      [LABEL_TARGET_RESOURCE]: sanitizeLabelValue(spec.targetResource),
      [LABEL_SOURCE_NAMESPACE]: metadata.namespace,
      // The original labels Jobs with their engine, PipelineRuns not.
      ...(engine === 'job' ? { [LABEL_EXECUTION_ENGINE]: engine } : {}),
    },
    annotations: {
      [ANNOTATION_TARGET_RESOURCE]: spec.targetResource,
      [ANNOTATION_CREATED_BY_RUN]: input.createdByRun,
    },
  };
}

/** Parameters in a reproducible order (sorted by name; §9.2 item 14). */
function sortedParameters(request: ExecutionRequest): [string, string][] {
  return Object.entries(request.workflowExecution.spec.parameters ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** BR-WE-018: the restricted pod security context. */
const RESTRICTED_POD_SECURITY_CONTEXT = { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };
const RESTRICTED_CONTAINER_SECURITY_CONTEXT = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
};

/** DD-WE-006 dependency volumes: secrets first, then configMaps, in declared order, read-only. */
function dependencyVolumes(request: ExecutionRequest) {
  const secrets = request.dependencies?.secrets ?? [];
  const configMaps = request.dependencies?.configMaps ?? [];
  return [
    ...secrets.map(({ name }) => ({
      volume: { name: `secret-${name}`, secret: { secretName: name } },
      mount: { name: `secret-${name}`, mountPath: `${SECRET_MOUNT_BASE_PATH}/${name}`, readOnly: true },
    })),
    ...configMaps.map(({ name }) => ({
      volume: { name: `configmap-${name}`, configMap: { name } },
      mount: { name: `configmap-${name}`, mountPath: `${CONFIGMAP_MOUNT_BASE_PATH}/${name}`, readOnly: true },
    })),
  ];
}

/** The batch/v1 Job of reference §4.1, with the improvements of §9.2 (timeouts, security context, sorted env). */
export function buildJob(input: ManifestInput) {
  const { request } = input;
  const { metadata, spec } = request.workflowExecution;
  const dependencies = dependencyVolumes(request);
  const restricted = (input.podSecurityContext ?? 'restricted') === 'restricted';
  const tmp = { volume: { name: 'tmp', emptyDir: {} }, mount: { name: 'tmp', mountPath: '/tmp' } };
  const mounted = restricted ? [...dependencies, tmp] : dependencies;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: executionMetadata(input, 'job'),
    spec: {
      backoffLimit: 0,
      ttlSecondsAfterFinished: input.jobTtlSecondsAfterFinished ?? DEFAULT_JOB_TTL_SECONDS,
      activeDeadlineSeconds: Math.max(1, Math.ceil(input.executionTimeoutMs / 1000)),
      template: {
        metadata: { labels: { [LABEL_WORKFLOW_EXECUTION]: metadata.name, [LABEL_EXECUTION_ENGINE]: 'job' } },
        spec: {
          restartPolicy: 'Never',
          serviceAccountName: serviceAccountFor(input),
          ...podScheduling(input.podSettings),
          ...(restricted ? { securityContext: RESTRICTED_POD_SECURITY_CONTEXT } : {}),
          ...(mounted.length > 0 ? { volumes: mounted.map((entry) => entry.volume) } : {}),
          containers: [
            {
              name: 'workflow',
              image: spec.workflowRef.executionBundle ?? '',
              env: [
                { name: 'TARGET_RESOURCE', value: spec.targetResource },
                ...sortedParameters(request).map(([name, value]) => ({ name, value })),
                ...(restricted
                  ? [
                      { name: 'HOME', value: '/tmp' },
                      { name: 'TMPDIR', value: '/tmp' },
                    ]
                  : []),
              ],
              ...(mounted.length > 0 ? { volumeMounts: mounted.map((entry) => entry.mount) } : {}),
              ...(restricted ? { securityContext: RESTRICTED_CONTAINER_SECURITY_CONTEXT } : {}),
              ...(input.podSettings?.resources ? { resources: input.podSettings.resources } : {}),
            },
          ],
        },
      },
    },
  };
}

export type JobManifest = ReturnType<typeof buildJob>;

/**
 * The task-run pod template: the restricted security context and the operator's scheduling. (Step resources cannot be
 * set for a bundle's unknown tasks here: Tekton applies the namespace's LimitRange to each step.)
 */
function taskRunPodTemplate(input: ManifestInput) {
  const template = {
    ...((input.podSecurityContext ?? 'restricted') === 'restricted' ? { securityContext: RESTRICTED_POD_SECURITY_CONTEXT } : {}),
    ...podScheduling(input.podSettings),
  };
  return Object.keys(template).length > 0 ? { podTemplate: template } : {};
}

/** The tekton.dev/v1 PipelineRun of reference §5.1, with timeouts and the restricted pod template added. */
export function buildPipelineRun(input: ManifestInput) {
  const { request } = input;
  const { spec } = request.workflowExecution;
  const secrets = request.dependencies?.secrets ?? [];
  const configMaps = request.dependencies?.configMaps ?? [];
  const workspaces = [
    ...secrets.map(({ name }) => ({ name: `secret-${name}`, secret: { secretName: name } })),
    ...configMaps.map(({ name }) => ({ name: `configmap-${name}`, configMap: { name } })),
  ];
  return {
    apiVersion: 'tekton.dev/v1',
    kind: 'PipelineRun',
    metadata: executionMetadata(input, 'tekton'),
    spec: {
      pipelineRef: {
        resolver: 'bundles',
        params: [
          { name: 'bundle', value: spec.workflowRef.executionBundle ?? '' },
          { name: 'name', value: 'workflow' },
          { name: 'kind', value: 'pipeline' },
        ],
      },
      params: [
        ...sortedParameters(request).map(([name, value]) => ({ name, value })),
        { name: 'TARGET_RESOURCE', value: spec.targetResource },
      ],
      ...(workspaces.length > 0 ? { workspaces } : {}),
      taskRunTemplate: {
        serviceAccountName: serviceAccountFor(input),
        ...taskRunPodTemplate(input),
      },
      timeouts: { pipeline: formatDuration(Math.max(1, Math.ceil(input.executionTimeoutMs / 1000)) * 1000) },
    },
  };
}

export type PipelineRunManifest = ReturnType<typeof buildPipelineRun>;
