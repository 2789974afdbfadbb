/**
 * Owned resources: the deterministic-name lock on Kubernetes (DD-WE-003), shared by the Job and Tekton executors: create, or on
 * AlreadyExists decide from the existing object's owner label whether to adopt it (ours), replace it (finished and
 * stale, #374: really deleted, then waited for until gone), or refuse (someone else's and running: ExecutionLocked);
 * and delete only what this execution owns (#383).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlreadyExists, isNotFound, type KubeClients, kubeError, kubeStatusOf } from '../clients/kube.ts';
import { ANNOTATION_CREATED_BY_RUN, LABEL_WORKFLOW_EXECUTION } from '../domain/constants.ts';
import { BackendError, ResourceLockedError } from '../domain/errors.ts';
import type { ExecutionPodSettings, ManifestInput, PodSecurityContextMode } from '../domain/manifests.ts';
import { executionResourceName } from '../domain/resource-name.ts';
import type { ExecutionHandle, ExecutionRequest } from '../domain/types.ts';
import { checkDependenciesExist } from './dependencies.ts';
import type { CleanupOptions, CleanupReport, CreateContext } from './executor.ts';

export interface KubeExecutorOptions {
  kube: KubeClients;
  /** The worker's service account for execution pods; the request's executionConfig.serviceAccountName wins. */
  defaultServiceAccountName?: string;
  /** How long creation waits for a stale resource of the same name to disappear (#374). */
  staleDeleteTimeoutMs?: number;
  /** Fail fast when the pod can never start (bad image, missing Secret); on by default (job engine). */
  detectStuckPods?: boolean;
  /** Job ttlSecondsAfterFinished (default: one week, a safety net behind the workflow's own delete and the sweeper). */
  jobTtlSecondsAfterFinished?: number;
  /** The execution pods' security context: "restricted" (default) or "none" (as the original, for images that need root). */
  podSecurityContext?: PodSecurityContextMode;
  /** Resources, node selector, tolerations, priority class of the execution pods (operator settings). */
  podSettings?: ExecutionPodSettings;
}

export interface KubeObjectLike {
  metadata?: {
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    deletionTimestamp?: unknown;
  };
}

/** How the lock reaches one named object. */
export interface LockedResource<T extends KubeObjectLike> {
  kind: string;
  namespace: string;
  name: string;
  read(): Promise<T>;
  create(): Promise<T>;
  /** Deletes with a UID precondition (so a newer object of the same name is never hit). */
  delete(uid: string | undefined): Promise<void>;
  isFinished(object: T): boolean;
}

export interface LockOwner {
  workflowExecutionName: string;
  createdByRun: string;
}

const ownerOf = (object: KubeObjectLike): string => object.metadata?.labels?.[LABEL_WORKFLOW_EXECUTION] ?? '';

/**
 * Whether this is the object the execution created. A UID names one object for ever, so when the execution knows the
 * UID it created, the UID alone decides: the label is not proof either way, because Tekton's controller can finish a
 * reconcile of a deleted PipelineRun after another took its name and write the deleted one's labels onto the new one
 * (so another execution's run may carry our label, and ours another's). Without the UID, the label decides.
 */
export const isOwnedBy = (object: KubeObjectLike, workflowExecutionName: string, expectedUid?: string): boolean =>
  expectedUid ? object.metadata?.uid === expectedUid : ownerOf(object) === workflowExecutionName;

/** Polls until the object is gone (GC can keep it visible for a while after a delete, §9.2 item 24). */
export async function waitUntilGone<T>(resource: LockedResource<T & KubeObjectLike>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 25; ; delay = Math.min(delay * 2, 500)) {
    try {
      await resource.read();
    } catch (error) {
      if (isNotFound(error)) return;
      throw kubeError(`wait for ${resource.kind} ${resource.namespace}/${resource.name} to be deleted`, error);
    }
    if (Date.now() > deadline) {
      throw BackendError.transient(`${resource.kind} ${resource.namespace}/${resource.name} is still being deleted after ${timeoutMs} ms`);
    }
    await sleep(delay);
  }
}

/** Creates the object or takes the decision the lock calls for when it already exists. */
export async function createOrAdopt<T extends KubeObjectLike>(
  resource: LockedResource<T>,
  owner: LockOwner,
  options: { staleDeleteTimeoutMs: number },
): Promise<{ object: T; adopted: boolean; replacedStale: boolean }> {
  const where = `${resource.kind} ${resource.namespace}/${resource.name}`;
  let replacedStale = false;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      return { object: await resource.create(), adopted: false, replacedStale };
    } catch (error) {
      if (!isAlreadyExists(error)) throw kubeError(`create ${where}`, error);
    }
    let existing: T;
    try {
      existing = await resource.read();
    } catch (error) {
      if (isNotFound(error)) continue; // deleted in between: create again
      throw kubeError(`read existing ${where}`, error);
    }
    if (existing.metadata?.deletionTimestamp) {
      await waitUntilGone(resource, options.staleDeleteTimeoutMs);
      continue;
    }
    const existingOwner = ownerOf(existing);
    const ours = existingOwner === owner.workflowExecutionName;
    const finished = resource.isFinished(existing);
    // A retry of the same run, or a reset/rerun of the same execution taking over a resource still running: adopt.
    if (ours && (existing.metadata?.annotations?.[ANNOTATION_CREATED_BY_RUN] === owner.createdByRun || !finished)) {
      return { object: existing, adopted: true, replacedStale };
    }
    if (finished) {
      // #374: a finished resource still holds the name (an earlier execution's, or one without our label, as the original
      // replaces either): delete it for real, wait, recreate.
      try {
        await resource.delete(existing.metadata?.uid);
      } catch (error) {
        if (!isNotFound(error) && kubeStatusOf(error) !== 409) throw kubeError(`delete stale ${where}`, error);
      }
      await waitUntilGone(resource, options.staleDeleteTimeoutMs);
      replacedStale = true;
      continue;
    }
    throw new ResourceLockedError(
      existingOwner
        ? `Execution resource ${resource.name} already exists (target resource locked): ${where} belongs to WorkflowExecution "${existingOwner}" and is still running`
        : `Execution resource ${resource.name} already exists (target resource locked): ${where} has no kubernaut.ai/workflow-execution label and is still running`,
    );
  }
  throw BackendError.transient(`create ${where}: the name stayed taken after 5 attempts`);
}

/** Fails (retryably) when the object with this UID is still there after the server said it was not. */
async function confirmGone<T>(resource: LockedResource<T & KubeObjectLike>, uid: string, where: string): Promise<void> {
  let current: KubeObjectLike;
  try {
    current = await resource.read();
  } catch (error) {
    if (isNotFound(error)) return;
    throw kubeError(`confirm ${where} is gone`, error);
  }
  if (current.metadata?.uid === uid && !current.metadata?.deletionTimestamp)
    throw BackendError.transient(`delete ${where}: the API server said it was gone or replaced, but it is still there`);
}

/**
 * Deletes the object if this execution owns it (#383): a missing object is success; one labelled for another
 * execution, or replaced by a newer object of the same name (another UID), is left alone. With the UID this execution
 * created, that is one DELETE with a UID precondition; without it (cleanup by key), the label is read and checked.
 */
export async function deleteIfOwned<T extends KubeObjectLike>(
  resource: LockedResource<T>,
  workflowExecutionName: string,
  expectedUid?: string,
): Promise<CleanupReport> {
  const where = `${resource.kind} ${resource.namespace}/${resource.name}`;
  if (expectedUid) {
    // The UID of the object this execution created is the strongest ownership proof: delete with it as a precondition,
    // no read needed. 404: already gone; 409: the name now belongs to a newer object, left alone.
    try {
      await resource.delete(expectedUid);
      return { resourceDeleted: true };
    } catch (error) {
      if (!isNotFound(error) && kubeStatusOf(error) !== 409) throw kubeError(`delete ${where}`, error);
      // A 404 or 409 is believed only once a read agrees: a proxy or a confused server must not make cleanup stop
      // while our object is still there.
      await confirmGone(resource, expectedUid, where);
      return isNotFound(error)
        ? { resourceDeleted: false, note: `${where} not found (already deleted)` }
        : { resourceDeleted: false, note: `${where} was replaced by another object: left alone` };
    }
  }
  let existing: T;
  try {
    existing = await resource.read();
  } catch (error) {
    if (isNotFound(error)) return { resourceDeleted: false, note: `${where} not found (already deleted)` };
    throw kubeError(`get ${where} for ownership check`, error);
  }
  const existingOwner = ownerOf(existing);
  if (existingOwner !== workflowExecutionName) {
    return {
      resourceDeleted: false,
      note: `${where} belongs to WorkflowExecution "${existingOwner}", not "${workflowExecutionName}": left alone (#383)`,
    };
  }
  try {
    await resource.delete(existing.metadata?.uid);
  } catch (error) {
    if (isNotFound(error)) return { resourceDeleted: false, note: `${where} not found (already deleted)` };
    if (kubeStatusOf(error) === 409) return { resourceDeleted: false, note: `${where} was replaced by another object: left alone` };
    throw kubeError(`delete ${where}`, error);
  }
  return { resourceDeleted: true };
}

/** Builds the execution's object and creates it under the lock; the handle carries its name and UID. */
export async function createLockedResource<Manifest>(args: {
  engine: 'job' | 'tekton';
  context: CreateContext;
  options: KubeExecutorOptions;
  build: (input: ManifestInput) => Manifest;
  locked: (namespace: string, name: string, body: Manifest) => LockedResource<KubeObjectLike>;
}): Promise<ExecutionHandle> {
  const { request, executionNamespace, createdByRun, executionTimeoutMs } = args.context;
  await checkDependenciesExist(args.options.kube, executionNamespace, request);
  const name = executionResourceName(request.workflowExecution.spec.targetResource);
  const defaultServiceAccountName = args.options.defaultServiceAccountName;
  const body = args.build({
    request,
    resourceName: name,
    executionNamespace,
    createdByRun,
    executionTimeoutMs,
    ...(defaultServiceAccountName ? { defaultServiceAccountName } : {}),
    ...(args.options.jobTtlSecondsAfterFinished ? { jobTtlSecondsAfterFinished: args.options.jobTtlSecondsAfterFinished } : {}),
    ...(args.options.podSecurityContext ? { podSecurityContext: args.options.podSecurityContext } : {}),
    ...(args.options.podSettings ? { podSettings: args.options.podSettings } : {}),
  });
  const { object } = await createOrAdopt(
    args.locked(executionNamespace, name, body),
    { workflowExecutionName: request.workflowExecution.metadata.name, createdByRun },
    { staleDeleteTimeoutMs: args.options.staleDeleteTimeoutMs ?? 60_000 },
  );
  return {
    engine: args.engine,
    executionNamespace,
    resourceName: name,
    ...(object.metadata?.uid ? { resourceUid: object.metadata.uid } : {}),
  };
}

/** Cleanup of a Job / PipelineRun: by the handle, or by key when none reached the workflow; ownership-checked. */
export function cleanupLockedResource(
  request: ExecutionRequest,
  handle: ExecutionHandle | undefined,
  options: CleanupOptions,
  locked: (namespace: string, name: string) => LockedResource<KubeObjectLike>,
): Promise<CleanupReport> {
  if (options.parts === 'credentials') return Promise.resolve({ resourceDeleted: false, note: 'no credentials on this engine' });
  if (!options.deleteResource) return Promise.resolve({ resourceDeleted: false, note: 'kept on request (policy.keepFinishedResource)' });
  const namespace = handle?.executionNamespace ?? options.executionNamespace;
  const name = handle?.resourceName ?? executionResourceName(request.workflowExecution.spec.targetResource);
  return deleteIfOwned(locked(namespace, name), request.workflowExecution.metadata.name, handle?.resourceUid);
}
