/** TektonExecutor (engine "tekton", reference §5): the remediation runs as a tekton.dev/v1 PipelineRun from an OCI bundle. */
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { isNotFound, isUidRefused, kubeError } from '../clients/kube.ts';
import { buildPipelineRun } from '../domain/manifests.ts';
import {
  describeTaskRunFailure,
  failedTaskRun,
  mapPipelineRunStatus,
  type PipelineRunLike,
  type TaskRunLike,
  unresolvedPipelineRef,
  withTaskRunFailure,
} from '../domain/pipelinerun-status.ts';
import type { ExecutionHandle, ExecutionRequest, StatusObservation } from '../domain/types.ts';
import type { CleanupOptions, CleanupReport, CreateContext, Executor, StopOptions } from './executor.ts';
import {
  cleanupLockedResource,
  createLockedResource,
  isOwnedBy,
  type KubeExecutorOptions,
  type KubeObjectLike,
  type LockedResource,
} from './owned-resource.ts';
import { podLogs } from './pod-logs.ts';
import { redactExecutionText } from './secret-values.ts';

type PipelineRun = PipelineRunLike & KubeObjectLike & { spec?: { status?: string } };

const TEKTON = { group: 'tekton.dev', version: 'v1' } as const;

const isPipelineRunFinished = (run: PipelineRunLike): boolean =>
  (run.status?.conditions ?? []).some(
    (condition) => condition.type === 'Succeeded' && (condition.status === 'True' || condition.status === 'False'),
  );

export class TektonExecutor implements Executor {
  readonly engine = 'tekton' as const;
  private readonly options: KubeExecutorOptions;

  constructor(options: KubeExecutorOptions) {
    this.options = options;
  }

  private locked(namespace: string, name: string, body?: ReturnType<typeof buildPipelineRun>): LockedResource<PipelineRun> {
    const { custom } = this.options.kube;
    const at = { ...TEKTON, namespace, plural: 'pipelineruns' };
    return {
      kind: 'PipelineRun',
      namespace,
      name,
      read: async () => (await custom.getNamespacedCustomObject({ ...at, name })) as PipelineRun,
      create: async () => {
        if (!body) throw new Error('no PipelineRun manifest to create');
        return (await custom.createNamespacedCustomObject({ ...at, body })) as PipelineRun;
      },
      // Background propagation takes the PipelineRun's TaskRuns (and their pods) with it; in the body, since with a
      // body the API server ignores the query parameter.
      delete: async (uid) => {
        await custom.deleteNamespacedCustomObject({
          ...at,
          name,
          body: { propagationPolicy: 'Background', ...(uid ? { preconditions: { uid } } : {}) },
        });
      },
      isFinished: isPipelineRunFinished,
    };
  }

  create(context: CreateContext): Promise<ExecutionHandle> {
    return createLockedResource({
      engine: 'tekton',
      context,
      options: this.options,
      build: buildPipelineRun,
      locked: (namespace, name, body) => this.locked(namespace, name, body),
    });
  }

  async getStatus(request: ExecutionRequest, handle: ExecutionHandle): Promise<StatusObservation> {
    const { resourceName: name, executionNamespace: namespace } = handle;
    let run: PipelineRun;
    try {
      run = await this.locked(namespace, name).read();
    } catch (error) {
      if (isNotFound(error)) return { kind: 'notFound', message: `PipelineRun ${namespace}/${name} was deleted externally` };
      throw kubeError(`get PipelineRun ${namespace}/${name}`, error);
    }
    if (!isOwnedBy(run, request.workflowExecution.metadata.name, handle.resourceUid)) {
      return {
        kind: 'notFound',
        message: `PipelineRun ${namespace}/${name} was deleted externally and replaced by another execution's PipelineRun`,
      };
    }
    const taskRuns = await this.taskRuns(namespace, name, run);
    const succeeded = new Set(
      taskRuns
        .filter((taskRun) => taskRun.status?.conditions?.some((condition) => condition.type === 'Succeeded' && condition.status === 'True'))
        .map((taskRun) => taskRun.metadata?.name ?? ''),
    );
    const result = mapPipelineRunStatus(run, succeeded);
    if (result.phase === 'Failed') {
      // Tekton's message only counts the tasks: the cause is the failed TaskRun's, masked like the pods' logs.
      const failed = failedTaskRun(run, taskRuns);
      if (!failed) return { kind: 'found', result };
      const detail = await redactExecutionText(this.options.kube, namespace, request, describeTaskRunFailure(failed));
      return { kind: 'found', result: withTaskRunFailure(result, detail) };
    }
    // Reported, not decided here: the workflow fails the execution only when it persists (policy.stuckPodGraceMs).
    const stuck = result.phase === 'Running' && this.options.detectStuckPods !== false ? unresolvedPipelineRef(run) : undefined;
    return stuck ? { kind: 'found', result, stuck } : { kind: 'found', result };
  }

  /** The run's TaskRuns, read with one list call (§9.2 item 19); none when unreadable. */
  private async taskRuns(namespace: string, name: string, run: PipelineRun): Promise<TaskRunLike[]> {
    if ((run.status?.childReferences ?? []).length === 0) return [];
    try {
      const list = (await this.options.kube.custom.listNamespacedCustomObject({
        ...TEKTON,
        namespace,
        plural: 'taskruns',
        labelSelector: `tekton.dev/pipelineRun=${name}`,
      })) as { items?: TaskRunLike[] };
      return list.items ?? [];
    } catch {
      // Only an enrichment (the count, the failure's cause): a refused or failed read never fails the execution (the
      // original ignores it too).
      return [];
    }
  }

  /** Cancels a running PipelineRun by patching spec.status (Cancelled, or CancelledRunFinally so finally tasks run). */
  async stop(request: ExecutionRequest, handle: ExecutionHandle, options: StopOptions): Promise<void> {
    const { resourceName: name, executionNamespace: namespace } = handle;
    const resource = this.locked(namespace, name);
    let run: PipelineRun;
    try {
      run = await resource.read();
    } catch (error) {
      if (isNotFound(error)) return;
      throw kubeError(`get PipelineRun ${namespace}/${name}`, error);
    }
    if (!isOwnedBy(run, request.workflowExecution.metadata.name, handle.resourceUid)) return;
    if (isPipelineRunFinished(run) || run.spec?.status === options.pipelineRunCancelMode) return;
    // The patch names the UID just checked: should another run have taken the name since, the API server refuses the
    // patch (422, metadata.uid is immutable) instead of cancelling that run.
    const body = { metadata: { uid: run.metadata?.uid }, spec: { status: options.pipelineRunCancelMode } };
    try {
      await this.options.kube.custom.patchNamespacedCustomObject(
        { ...TEKTON, namespace, plural: 'pipelineruns', name, body },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    } catch (error) {
      if (isNotFound(error) || isUidRefused(error)) return;
      throw kubeError(`cancel PipelineRun ${namespace}/${name}`, error);
    }
  }

  /** The pods' logs, every dependency Secret value masked (they are mounted into the pods). */
  async output(request: ExecutionRequest, handle: ExecutionHandle, maxBytes: number): Promise<string> {
    const { kube } = this.options;
    const text = await podLogs(kube, handle.executionNamespace, `tekton.dev/pipelineRun=${handle.resourceName}`, maxBytes).catch(
      (error) => {
        throw kubeError(`read the logs of ${handle.executionNamespace}/${handle.resourceName}`, error);
      },
    );
    return redactExecutionText(kube, handle.executionNamespace, request, text);
  }

  cleanup(request: ExecutionRequest, handle: ExecutionHandle | undefined, options: CleanupOptions): Promise<CleanupReport> {
    return cleanupLockedResource(request, handle, options, (namespace, name) => this.locked(namespace, name));
  }
}
