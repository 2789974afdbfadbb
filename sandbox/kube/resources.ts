/** The resources the sandbox serves, with what discovery, validation and defaulting need to know about each. */
import type { ResourceNames } from './status.ts';
import {
  type Cause,
  validateDataKeys,
  validateJobSpec,
  validateJobStatus,
  validateLabels,
  validateName,
  validateNamespaceName,
} from './validation.ts';

export type KubeObject = {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    creationTimestamp?: string;
    deletionTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    finalizers?: string[];
    ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }[];
    generateName?: string;
    [key: string]: unknown;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  [key: string]: unknown;
};

export interface ResourceDefinition extends ResourceNames {
  version: string;
  singular: string;
  shortNames?: string[];
  namespaced: boolean;
  statusSubresource: boolean;
  /** Custom resource semantics: list items carry kind/apiVersion, PUT needs resourceVersion, no strategic merge. */
  custom: boolean;
  /** What a DELETE without propagationPolicy does to dependents (batch/v1 Job: Orphan, kept for compatibility). */
  defaultPropagation: 'Orphan' | 'Background';
  validate(object: KubeObject): Cause[];
  /** Rules for writes through the /status subresource. */
  validateStatus?(object: KubeObject, current: KubeObject): Cause[];
  applyDefaults?(object: KubeObject): void;
}

export const apiVersionOf = (resource: ResourceDefinition): string =>
  resource.group ? `${resource.group}/${resource.version}` : resource.version;

const common = (object: KubeObject, maxNameLength = 253): Cause[] => [
  ...validateName(object.metadata.name, maxNameLength),
  ...validateLabels(object.metadata.labels, 'metadata.labels'),
];

function jobDefaults(job: KubeObject): void {
  job.spec ??= {};
  const spec = job.spec as Record<string, unknown> & { template?: { metadata?: { labels?: Record<string, string> } } };
  spec.backoffLimit ??= 6;
  spec.completions ??= 1;
  spec.parallelism ??= 1;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  spec.podReplacementPolicy ??= 'TerminatingOrFailed';
  const uid = job.metadata.uid ?? '';
  spec.selector ??= { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
  spec.template ??= {};
  spec.template.metadata ??= {};
  spec.template.metadata.labels = {
    ...spec.template.metadata.labels,
    'batch.kubernetes.io/controller-uid': uid,
    'batch.kubernetes.io/job-name': job.metadata.name,
    'controller-uid': uid,
    'job-name': job.metadata.name,
  };
}

function core(plural: string, kind: string, options: Partial<ResourceDefinition> = {}): ResourceDefinition {
  return {
    plural,
    kind,
    group: '',
    version: 'v1',
    singular: kind.toLowerCase(),
    namespaced: true,
    statusSubresource: false,
    custom: false,
    defaultPropagation: 'Background',
    validate: (object) => common(object),
    ...options,
  };
}

export const RESOURCES: ResourceDefinition[] = [
  core('namespaces', 'Namespace', {
    namespaced: false,
    shortNames: ['ns'],
    validate: (object) => validateNamespaceName(object.metadata.name),
  }),
  core('secrets', 'Secret', {
    validate: (object) => [...common(object), ...validateDataKeys(object.data, 'data', true)],
    applyDefaults: (secret) => {
      // stringData is write-only and merges into data, base64-encoded.
      const stringData = secret.stringData as Record<string, string> | undefined;
      if (stringData) {
        secret.data = {
          ...(secret.data as object),
          ...Object.fromEntries(Object.entries(stringData).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
        };
        delete secret.stringData;
      }
      secret.type ??= 'Opaque';
    },
  }),
  core('configmaps', 'ConfigMap', {
    shortNames: ['cm'],
    validate: (object) => [...common(object), ...validateDataKeys(object.data, 'data', false)],
  }),
  core('pods', 'Pod', { shortNames: ['po'], statusSubresource: true }),
  core('events', 'Event', { shortNames: ['ev'], validate: (object) => validateName(object.metadata.name) }),
  {
    plural: 'jobs',
    kind: 'Job',
    group: 'batch',
    version: 'v1',
    singular: 'job',
    namespaced: true,
    statusSubresource: true,
    custom: false,
    defaultPropagation: 'Orphan',
    // The name is copied into the pod template's job-name label, which must be ≤ 63 characters.
    validate: (object) => [...common(object, 63), ...validateJobSpec(object)],
    validateStatus: (object, current) => validateJobStatus(object, current),
    applyDefaults: jobDefaults,
  },
  {
    plural: 'pipelineruns',
    kind: 'PipelineRun',
    group: 'tekton.dev',
    version: 'v1',
    singular: 'pipelinerun',
    shortNames: ['pr', 'prs'],
    namespaced: true,
    statusSubresource: true,
    custom: true,
    defaultPropagation: 'Background',
    // Tekton's webhook: a DNS subdomain of at most 63 characters.
    validate: (object) => common(object, 63),
  },
  {
    plural: 'taskruns',
    kind: 'TaskRun',
    group: 'tekton.dev',
    version: 'v1',
    singular: 'taskrun',
    shortNames: ['tr', 'trs'],
    namespaced: true,
    statusSubresource: true,
    custom: true,
    defaultPropagation: 'Background',
    validate: (object) => common(object, 63),
  },
];

export function findResource(group: string, version: string, plural: string): ResourceDefinition | undefined {
  return RESOURCES.find((resource) => resource.group === group && resource.version === version && resource.plural === plural);
}

export function resourceByKind(kind: string): ResourceDefinition {
  const resource = RESOURCES.find((candidate) => candidate.kind === kind);
  if (!resource) throw new Error(`sandbox serves no kind ${kind}`);
  return resource;
}
