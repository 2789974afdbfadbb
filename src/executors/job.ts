/** JobExecutor (engine "job", reference §4): the remediation runs as a batch/v1 Job in the execution namespace. */
import type { V1Job } from '@kubernetes/client-node';
import { isNotFound, kubeError } from '../clients/kube.ts';
import { isJobFinished, mapJobStatus } from '../domain/job-status.ts';
import { buildJob } from '../domain/manifests.ts';
import { diagnoseStuckPod } from '../domain/pod-diagnosis.ts';
import type { ExecutionHandle, ExecutionRequest, StatusObservation } from '../domain/types.ts';
import type { CleanupOptions, CleanupReport, CreateContext, Executor, StopOptions } from './executor.ts';
import {
  cleanupLockedResource,
  createLockedResource,
  deleteIfOwned,
  isOwnedBy,
  type KubeExecutorOptions,
  type LockedResource,
} from './owned-resource.ts';
import { podLogs } from './pod-logs.ts';
import { redactExecutionText } from './secret-values.ts';

export class JobExecutor implements Executor {
  readonly engine = 'job' as const;
  private readonly options: KubeExecutorOptions;

  constructor(options: KubeExecutorOptions) {
    this.options = options;
  }

  private locked(namespace: string, name: string, body?: ReturnType<typeof buildJob>): LockedResource<V1Job> {
    const { batch } = this.options.kube;
    return {
      kind: 'Job',
      namespace,
      name,
      read: () => batch.readNamespacedJob({ name, namespace }),
      create: () => {
        if (!body) throw new Error('no Job manifest to create');
        return batch.createNamespacedJob({ namespace, body: body as V1Job });
      },
      // Background: pods go with the Job; the UID precondition keeps a newer Job of the same name safe. The policy goes
      // in the DeleteOptions body: with a body, the API server ignores the query parameter (and a Job defaults to
      // Orphan, leaving its pods running).
      delete: async (uid) => {
        await batch.deleteNamespacedJob({
          name,
          namespace,
          body: { propagationPolicy: 'Background', ...(uid ? { preconditions: { uid } } : {}) },
        });
      },
      isFinished: (job) => isJobFinished(job),
    };
  }

  create(context: CreateContext): Promise<ExecutionHandle> {
    return createLockedResource({
      engine: 'job',
      context,
      options: this.options,
      build: buildJob,
      locked: (namespace, name, body) => this.locked(namespace, name, body),
    });
  }

  async getStatus(request: ExecutionRequest, handle: ExecutionHandle): Promise<StatusObservation> {
    const { resourceName: name, executionNamespace: namespace } = handle;
    let job: V1Job;
    try {
      job = await this.options.kube.batch.readNamespacedJob({ name, namespace });
    } catch (error) {
      if (isNotFound(error)) return { kind: 'notFound', message: `Job ${namespace}/${name} was deleted externally` };
      throw kubeError(`get Job ${namespace}/${name}`, error);
    }
    if (!isOwnedBy(job, request.workflowExecution.metadata.name, handle.resourceUid)) {
      return { kind: 'notFound', message: `Job ${namespace}/${name} was deleted externally and replaced by another execution's Job` };
    }
    const result = mapJobStatus(job);
    if (
      result.phase === 'Running' &&
      this.options.detectStuckPods !== false &&
      (job.status?.ready ?? 0) === 0 &&
      (job.status?.active ?? 0) > 0
    ) {
      // Reported, not decided here: the workflow fails the execution only when it persists (policy.stuckPodGraceMs).
      const stuck = await this.diagnose(namespace, job);
      if (stuck) return { kind: 'found', result, stuck };
    }
    return { kind: 'found', result };
  }

  /**
   * Reads the Job's pods (and, for pods still creating, their events) to see whether they can start as things are.
   * Only an enrichment: a refused or failed read never fails the execution (the original never read pods at all).
   */
  private async diagnose(namespace: string, job: V1Job) {
    const { core } = this.options.kube;
    const uid = job.metadata?.uid;
    try {
      const pods = await core.listNamespacedPod({ namespace, labelSelector: `batch.kubernetes.io/controller-uid=${uid}` });
      const stuck = diagnoseStuckPod(pods.items, []);
      if (stuck) return stuck;
      const pending = pods.items.filter((pod) => pod.status?.phase === 'Pending' && pod.metadata?.name);
      for (const pod of pending) {
        const events = await core.listNamespacedEvent({
          namespace,
          fieldSelector: `involvedObject.kind=Pod,involvedObject.name=${pod.metadata?.name}`,
        });
        const fromEvents = diagnoseStuckPod([pod], events.items);
        if (fromEvents) return fromEvents;
      }
    } catch {
      return undefined;
    }
    return undefined;
  }

  /** Stopping a Job means deleting it with its pods (Background propagation). */
  async stop(request: ExecutionRequest, handle: ExecutionHandle, _options?: StopOptions): Promise<void> {
    await deleteIfOwned(
      this.locked(handle.executionNamespace, handle.resourceName),
      request.workflowExecution.metadata.name,
      handle.resourceUid,
    );
  }

  /** The pods' logs, every dependency Secret value masked (they are mounted into the pods). */
  async output(request: ExecutionRequest, handle: ExecutionHandle, maxBytes: number): Promise<string> {
    const { kube } = this.options;
    const text = await podLogs(kube, handle.executionNamespace, `job-name=${handle.resourceName}`, maxBytes).catch((error) => {
      throw kubeError(`read the logs of ${handle.executionNamespace}/${handle.resourceName}`, error);
    });
    return redactExecutionText(kube, handle.executionNamespace, request, text);
  }

  cleanup(request: ExecutionRequest, handle: ExecutionHandle | undefined, options: CleanupOptions): Promise<CleanupReport> {
    return cleanupLockedResource(request, handle, options, (namespace, name) => this.locked(namespace, name));
  }
}
