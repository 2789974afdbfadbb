/**
 * How the vectors of test/vectors (produced by running kubernaut v1.1.0-rc3's Go code, see test/vectors/README.md) map
 * onto this project's functions, and how their results are compared. Shared by vectors.test.ts and by the scratch
 * script that marks deliberate differences when the vectors are regenerated.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mapAwxStatus } from '../../../src/domain/awx-status.ts';
import { buildExtraVars } from '../../../src/domain/extra-vars.ts';
import { type JobLike, mapJobStatus } from '../../../src/domain/job-status.ts';
import { isValidLabelValue } from '../../../src/domain/labels.ts';
import { buildJob, buildPipelineRun, type ManifestInput } from '../../../src/domain/manifests.ts';
import { mapPipelineRunStatus, type PipelineRunLike } from '../../../src/domain/pipelinerun-status.ts';
import { resolvePolicy } from '../../../src/domain/policy.ts';
import { executionResourceName } from '../../../src/domain/resource-name.ts';
import type { ExecutionRequest, ExecutionResult } from '../../../src/domain/types.ts';

export const VECTORS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'vectors');

export const VECTOR_FILES = [
  'build-extra-vars.json',
  'execution-resource-name.json',
  'job-manifests.json',
  'pipelinerun-manifests.json',
  'status-mapping.json',
] as const;
export type VectorFileName = (typeof VECTOR_FILES)[number];

export interface DeliberateDifference {
  ours: unknown;
  reason: string;
}
export interface Vector {
  id: string;
  input: Record<string, unknown>;
  expected: Record<string, unknown>;
  deliberateDifference?: DeliberateDifference;
}
export interface VectorFile {
  description: string;
  source: string;
  goVersion: string;
  vectors: Vector[];
}

export function loadVectorFile(name: VectorFileName, dir = VECTORS_DIR): VectorFile {
  return JSON.parse(readFileSync(join(dir, name), 'utf8')) as VectorFile;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

// ------------------------------------------------------------------------------------------------ BuildExtraVars

/** What our AWX launch would carry as extra_vars for the vector's parameters. */
export function extraVarsActual(vector: Vector): string {
  return JSON.stringify(buildExtraVars(vector.input.parameters as Record<string, string> | null));
}

/**
 * Go's encoder escapes <, >, & (HTML safety) and U+2028 / U+2029; JSON.stringify writes them as they are. Both are the
 * same JSON: undo those escapes (never an escaped backslash) before comparing text.
 */
export function withoutGoHtmlEscapes(text: string): string {
  const literal: Record<string, string> = { u003c: '<', u003e: '>', u0026: '&', u2028: '\u2028', u2029: '\u2029' };
  return text.replace(/\\(\\|u003c|u003e|u0026|u2028|u2029)/g, (whole, sequence: string) => literal[sequence] ?? whole);
}

/** Keys Go's encoder sorts byte-wise but a JavaScript object always lists first: integer-like ("0", "10"). */
export function hasIntegerLikeKey(text: string): boolean {
  return /"(?:0|[1-9]\d{0,8})"\s*:/.test(text);
}

/**
 * JSON text in a canonical form that keeps everything a JSON reader sees: members sorted by code point, numbers as
 * their exact text, strings re-escaped uniformly. Only member order and string escapes are normalised.
 */
export function canonicalJson(text: string): string {
  const numbers = new Map<object, string>();
  const parsed = (
    JSON.parse as unknown as (text: string, reviver: (key: string, value: unknown, context: { source?: string }) => unknown) => unknown
  )(text, (_key, value, context) => {
    if (typeof value !== 'number') return value;
    const box = {};
    numbers.set(box, context.source ?? String(value));
    return box;
  });
  const render = (value: unknown): string => {
    if (value !== null && typeof value === 'object' && numbers.has(value)) return numbers.get(value) as string;
    if (Array.isArray(value)) return `[${value.map(render).join(',')}]`;
    if (value !== null && typeof value === 'object') {
      const keys = Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${keys.map((key) => `${JSON.stringify(key)}:${render((value as Record<string, unknown>)[key])}`).join(',')}}`;
    }
    return JSON.stringify(value);
  };
  return render(parsed);
}

/** Our extra_vars text equals Go's: byte for byte once Go's HTML escapes are undone, or (integer-like keys) canonically. */
export function sameExtraVarsJson(ours: string, go: string): boolean {
  const goText = withoutGoHtmlEscapes(go);
  if (ours === goText) return true;
  return hasIntegerLikeKey(goText) && canonicalJson(ours) === canonicalJson(goText);
}

/** §9.2 item 12: the difference disappears when our exact integers are read back through float64 as Go did. */
export function differsOnlyInIntegerExactness(ours: string, go: string): boolean {
  const throughFloat64 = JSON.stringify(JSON.parse(ours));
  return throughFloat64 !== ours && sameExtraVarsJson(throughFloat64, go);
}

// ------------------------------------------------------------------------------------------------ ExecutionResourceName

export function resourceNameActual(vector: Vector): string {
  return executionResourceName(vector.input.targetResource as string);
}

// ------------------------------------------------------------------------------------------------ status mapping

export type StatusKind = 'awx' | 'job' | 'pipelineRun';

export function statusKind(vector: Vector): StatusKind {
  if ('awxJob' in vector.input) return 'awx';
  if ('job' in vector.input) return 'job';
  return 'pipelineRun';
}

/** Go's ExecutionResult with every field spelled out (Go has no "absent" string or count: "" and 0). */
export interface NormalizedResult {
  phase: string;
  reason: string;
  message: string;
  summary?: { status: string; reason: string; message: string; completedTasks: number; totalTasks: number };
}

export function normalizeResult(result: ExecutionResult): NormalizedResult {
  const normalized: NormalizedResult = { phase: result.phase, reason: result.reason, message: result.message };
  if (result.summary) {
    normalized.summary = {
      status: result.summary.status,
      reason: result.summary.reason ?? '',
      message: result.summary.message ?? '',
      completedTasks: result.summary.completedTasks ?? 0,
      totalTasks: result.summary.totalTasks ?? 0,
    };
  }
  return normalized;
}

/** The TaskRuns our tekton executor counts as completed: its one list call, filtered as src/executors/tekton.ts does. */
function succeededTaskRuns(taskRuns: (PipelineRunLike & { metadata?: { name?: string } })[]): Set<string> {
  return new Set(
    taskRuns
      .filter((taskRun) => taskRun.status?.conditions?.some((condition) => condition.type === 'Succeeded' && condition.status === 'True'))
      .map((taskRun) => taskRun.metadata?.name ?? ''),
  );
}

export function statusActual(vector: Vector): NormalizedResult {
  const { input } = vector;
  switch (statusKind(vector)) {
    case 'awx': {
      // Go's AWXJobStatus.result_stdout is the job output our executor passes as failureOutput (it reads the tail).
      const job = input.awxJob as { status: string; result_stdout?: string };
      return normalizeResult(mapAwxStatus({ status: job.status }, job.result_stdout));
    }
    case 'job':
      return normalizeResult(mapJobStatus(input.job as JobLike));
    case 'pipelineRun':
      return normalizeResult(
        mapPipelineRunStatus(input.pipelineRun as PipelineRunLike, succeededTaskRuns(input.taskRuns as PipelineRunLike[])),
      );
  }
}

// ------------------------------------------------------------------------------------------------ manifests

export type ManifestEngine = 'job' | 'tekton';

export const VECTOR_CREATED_BY_RUN = 'vectors/run-1';

/** The vector's request as our builders take it; the Go executor's constructor SA is the worker's default SA. */
export function manifestInputFor(vector: Vector): ManifestInput {
  const request = vector.input.request as ExecutionRequest;
  const name = executionResourceName(request.workflowExecution.spec.targetResource);
  return {
    request,
    resourceName: name,
    executionNamespace: request.executionNamespace ?? '',
    defaultServiceAccountName: vector.input.executorServiceAccountName as string,
    createdByRun: VECTOR_CREATED_BY_RUN,
    executionTimeoutMs: resolvePolicy(request).executionTimeoutMs,
  };
}

/**
 * Go's serialisation of zero values that the API server treats as absent ("resources": {}, "status": {},
 * "creationTimestamp": null) is dropped from both sides; an empty object under `emptyDir` is meaningful and kept.
 * An env var's empty `value` is omitted by Go (omitempty) and means the same as "".
 */
export function normalizeManifest(value: unknown, key = ''): Json | undefined {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) return value.map((item) => normalizeManifest(item) ?? null);
  if (typeof value === 'object') {
    const isEnvVar = key === 'env' || 'name' in value;
    const entries = Object.entries(value)
      .map(([name, member]) => [name, normalizeManifest(member, name)] as const)
      .filter(([name, member]) => member !== undefined && !(isEnvVar && name === 'value' && member === ''));
    if (entries.length === 0 && key !== 'emptyDir') return undefined;
    return Object.fromEntries(entries) as Json;
  }
  return value as Json;
}

export function manifestActual(engine: ManifestEngine, vector: Vector): Json {
  const input = manifestInputFor(vector);
  return normalizeManifest(engine === 'job' ? buildJob(input) : buildPipelineRun(input)) as Json;
}

/** Paths (a.b[0]["x/y"]) at which two JSON values differ. */
export function diffPaths(a: unknown, b: unknown, path = ''): string[] {
  if (a === b) return [];
  const bothArrays = Array.isArray(a) && Array.isArray(b);
  const bothObjects = a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b);
  if (bothArrays) {
    const length = Math.max(a.length, b.length);
    return Array.from({ length }, (_, index) => diffPaths(a[index], b[index], `${path}[${index}]`)).flat();
  }
  if (bothObjects) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((key) =>
      diffPaths(
        (a as Record<string, unknown>)[key],
        (b as Record<string, unknown>)[key],
        /^[A-Za-z_]\w*$/.test(key) ? `${path}${path ? '.' : ''}${key}` : `${path}[${JSON.stringify(key)}]`,
      ),
    );
  }
  return [path || '(root)'];
}

/** The deliberate manifest differences documented in docs/upstream-behaviour.md, the reference's §9.1/§9.2 and the brief. */
export const DOCUMENTED_MANIFEST_DIFFERENCES = {
  restricted:
    'BR-WE-018 restricted security context (pod runAsNonRoot + seccomp RuntimeDefault; container no privilege escalation, ' +
    'read-only root, drop ALL; Job: emptyDir "tmp" at /tmp and HOME=/tmp, TMPDIR=/tmp) — reference §9.1 commit 14f0fe85f, README "Engines"',
  timeout:
    '§9.2 item 17: timeouts enforced (Job spec.activeDeadlineSeconds / PipelineRun spec.timeouts.pipeline from executionConfig.timeout, default 30m)',
  labels: '§9.2 item 16: label values fully sanitised (workflow-id too; only [A-Za-z0-9._-], alphanumeric ends, ≤ 63 characters)',
  serviceAccount: "§9.2 item 18: the request's executionConfig.serviceAccountName wins over the worker's default",
  runAnnotation:
    'annotation kubernaut.ai/created-by-run: the lock tells a retry of the same run (adopt) from a reset or a rerun (replace a finished one, adopt a running one)',
  jobTtl:
    'Job ttlSecondsAfterFinished a week (JOB_TTL_SECONDS_AFTER_FINISHED), not 600 s: a worker outage longer than 600 s turned a success into ResourceDeletedExternally',
} as const;
export type DocumentedDifference = keyof typeof DOCUMENTED_MANIFEST_DIFFERENCES;

const RESTRICTED_POD = { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };
const RESTRICTED_CONTAINER = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
};

type JsonObject = { [key: string]: Json };
const isObject = (value: unknown): value is JsonObject => value !== null && typeof value === 'object' && !Array.isArray(value);
const sameJson = (a: unknown, b: unknown): boolean => diffPaths(a, b).length === 0;
const child = (value: unknown, ...path: (string | number)[]): Json | undefined => {
  let current: unknown = value;
  for (const step of path) current = (current as Record<string | number, unknown> | undefined)?.[step];
  return current as Json | undefined;
};

/**
 * Our manifest with each documented deliberate difference undone (only where it has exactly its documented shape),
 * and the differences undone. What still differs from Go afterwards is not documented.
 */
export function undoDocumentedDifferences(
  engine: ManifestEngine,
  ours: Json,
  go: Json,
  request: ExecutionRequest,
): { undone: Json; applied: DocumentedDifference[] } {
  const undone = structuredClone(ours) as JsonObject;
  const applied = new Set<DocumentedDifference>();
  const spec = undone.spec as JsonObject;
  if (engine === 'job') {
    const pod = child(spec, 'template', 'spec') as JsonObject;
    const container = child(pod, 'containers', 0) as JsonObject;
    if (sameJson(pod.securityContext, RESTRICTED_POD) && sameJson(container.securityContext, RESTRICTED_CONTAINER)) {
      delete pod.securityContext;
      delete container.securityContext;
      const volumes = (pod.volumes as JsonObject[] | undefined)?.filter((volume) => !sameJson(volume, { name: 'tmp', emptyDir: {} }));
      const mounts = (container.volumeMounts as JsonObject[] | undefined)?.filter(
        (mount) => !sameJson(mount, { name: 'tmp', mountPath: '/tmp' }),
      );
      const env = container.env as JsonObject[];
      const tail = env.slice(-2);
      if (
        sameJson(tail, [
          { name: 'HOME', value: '/tmp' },
          { name: 'TMPDIR', value: '/tmp' },
        ])
      )
        container.env = env.slice(0, -2);
      if (volumes?.length) pod.volumes = volumes;
      else delete pod.volumes;
      if (mounts?.length) container.volumeMounts = mounts;
      else delete container.volumeMounts;
      applied.add('restricted');
    }
    if (typeof spec.activeDeadlineSeconds === 'number') {
      delete spec.activeDeadlineSeconds;
      applied.add('timeout');
    }
  } else {
    const template = spec.taskRunTemplate as JsonObject;
    if (sameJson(template.podTemplate, { securityContext: RESTRICTED_POD })) {
      delete template.podTemplate;
      applied.add('restricted');
    }
    if (isObject(spec.timeouts) && Object.keys(spec.timeouts).join() === 'pipeline') {
      delete spec.timeouts;
      applied.add('timeout');
    }
  }
  const annotations = child(undone, 'metadata', 'annotations') as JsonObject;
  if (
    annotations['kubernaut.ai/created-by-run'] !== undefined &&
    child(go, 'metadata', 'annotations', 'kubernaut.ai/created-by-run') === undefined
  ) {
    delete annotations['kubernaut.ai/created-by-run'];
    applied.add('runAnnotation');
  }
  const goTtl = child(go, 'spec', 'ttlSecondsAfterFinished');
  if (engine === 'job' && goTtl === 600 && typeof spec.ttlSecondsAfterFinished === 'number' && spec.ttlSecondsAfterFinished > 600) {
    spec.ttlSecondsAfterFinished = goTtl;
    applied.add('jobTtl');
  }
  const labels = child(undone, 'metadata', 'labels') as JsonObject;
  for (const label of ['kubernaut.ai/workflow-id', 'kubernaut.ai/target-resource']) {
    const goValue = child(go, 'metadata', 'labels', label);
    if (labels[label] !== goValue && typeof labels[label] === 'string' && isValidLabelValue(labels[label]) && goValue !== undefined) {
      labels[label] = goValue;
      applied.add('labels');
    }
  }
  const requested = request.workflowExecution.spec.executionConfig?.serviceAccountName;
  const accountPath = engine === 'job' ? ['spec', 'template', 'spec'] : ['spec', 'taskRunTemplate'];
  const holder = child(undone, ...accountPath) as JsonObject;
  const goAccount = child(go, ...accountPath, 'serviceAccountName');
  if (requested && holder.serviceAccountName === requested && goAccount !== requested) {
    holder.serviceAccountName = goAccount ?? null;
    applied.add('serviceAccount');
  }
  return { undone, applied: [...applied] };
}

export interface ManifestComparison {
  ours: Json;
  go: Json;
  /** Documented deliberate differences present in this vector. */
  applied: DocumentedDifference[];
  /** Paths that still differ once the documented differences are undone. */
  undocumented: string[];
}

export function compareManifest(engine: ManifestEngine, vector: Vector): ManifestComparison {
  const ours = manifestActual(engine, vector);
  const go = normalizeManifest(vector.expected) as Json;
  const { undone, applied } = undoDocumentedDifferences(engine, ours, go, vector.input.request as ExecutionRequest);
  return { ours, go, applied, undocumented: diffPaths(undone, go) };
}

export function manifestReason(applied: DocumentedDifference[]): string {
  return applied.map((name) => DOCUMENTED_MANIFEST_DIFFERENCES[name]).join('; ');
}
