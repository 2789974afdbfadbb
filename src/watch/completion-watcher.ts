/**
 * Watch-driven completion: each worker keeps one list+watch (client-node's informer) per execution namespace on the
 * Jobs and PipelineRuns carrying our label, and when one ends or disappears it signals the owning workflow — whose
 * workflow ID is the object's name — so the workflow reads the status at once instead of at its next poll. Polling
 * stays the safety net: a missed event, an expired watch (410 → the informer relists), a restart or a watch the RBAC
 * forbids only make the end known at the next poll. Several workers may signal the same workflow; that is harmless.
 */
import {
  BatchV1Api,
  CustomObjectsApi,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  makeInformer,
  type V1Job,
} from '@kubernetes/client-node';
import { LABEL_WORKFLOW_EXECUTION } from '../domain/constants.ts';
import { isJobFinished } from '../domain/job-status.ts';
import type { BackendChange } from '../workflows/definitions.ts';

export type WatchedKind = 'Job' | 'PipelineRun';

export interface CompletionWatcherOptions {
  config: KubeConfig;
  namespaces: string[];
  kinds: WatchedKind[];
  /** Tells the owning workflow; a closed or unknown workflow is not an error. */
  notify: (workflowId: string, change: BackendChange) => Promise<void>;
  log?: (message: string, attributes?: Record<string, unknown>) => void;
  /** First delay before restarting a watch that failed (doubling, up to a minute). */
  restartDelayMs?: number;
}

interface PipelineRunLike extends KubernetesObject {
  status?: { conditions?: { type?: string; status?: string }[] };
}

const EXECUTION_NAME = /^wfe-[0-9a-f]{16}$/;
const pipelineRunEnded = (run: PipelineRunLike): boolean =>
  (run.status?.conditions ?? []).some(
    (condition) => condition.type === 'Succeeded' && (condition.status === 'True' || condition.status === 'False'),
  );

export class CompletionWatcher {
  private readonly options: CompletionWatcherOptions;
  private readonly healthy = new Map<string, boolean>();
  private readonly informers: { stop(): Promise<void> }[] = [];
  /** uid → already signalled its end (an informer resync or a second event need not signal again). */
  private readonly signalled = new Set<string>();
  private stopped = false;
  /** Signals sent, for tests and metrics. */
  notified = 0;

  constructor(options: CompletionWatcherOptions) {
    this.options = options;
  }

  /** Whether a watch currently covers this kind in this namespace (the workflow may then poll rarely). */
  isWatching(namespace: string, kind: WatchedKind): boolean {
    return this.healthy.get(`${namespace}/${kind}`) === true;
  }

  async start(): Promise<void> {
    for (const namespace of this.options.namespaces)
      for (const kind of this.options.kinds) await this.watch(namespace, kind, this.options.restartDelayMs ?? 1000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.informers.map((informer) => informer.stop().catch(() => undefined)));
  }

  private listFunction(namespace: string, kind: WatchedKind): () => Promise<KubernetesListObject<KubernetesObject>> {
    const labelSelector = LABEL_WORKFLOW_EXECUTION;
    if (kind === 'Job') {
      const batch = this.options.config.makeApiClient(BatchV1Api);
      return () => batch.listNamespacedJob({ namespace, labelSelector }) as Promise<KubernetesListObject<KubernetesObject>>;
    }
    const custom = this.options.config.makeApiClient(CustomObjectsApi);
    return () =>
      custom.listNamespacedCustomObject({
        group: 'tekton.dev',
        version: 'v1',
        namespace,
        plural: 'pipelineruns',
        labelSelector,
      }) as Promise<KubernetesListObject<KubernetesObject>>;
  }

  private async watch(namespace: string, kind: WatchedKind, delayMs: number): Promise<void> {
    const key = `${namespace}/${kind}`;
    const path =
      kind === 'Job' ? `/apis/batch/v1/namespaces/${namespace}/jobs` : `/apis/tekton.dev/v1/namespaces/${namespace}/pipelineruns`;
    const informer = makeInformer(this.options.config, path, this.listFunction(namespace, kind), LABEL_WORKFLOW_EXECUTION);
    this.informers.push(informer);
    const ended = (object: KubernetesObject) =>
      kind === 'Job' ? isJobFinished(object as V1Job) : pipelineRunEnded(object as PipelineRunLike);
    informer.on('add', (object) => {
      if (ended(object)) this.signal(namespace, object, 'ended');
    });
    informer.on('update', (object) => {
      if (ended(object)) this.signal(namespace, object, 'ended');
    });
    informer.on('delete', (object) => this.signal(namespace, object, 'deleted'));
    informer.on('connect', () => this.healthy.set(key, true));
    informer.on('error', (error) => {
      // The informer stops on an error other than 410 (which it handles by relisting): polling covers the gap, and
      // the watch is restarted with a growing delay (a watch the RBAC forbids is retried, rarely).
      this.healthy.set(key, false);
      this.options.log?.('watch failed; polling covers it until it is back', {
        namespace,
        kind,
        error: String((error as Error)?.message ?? error),
      });
      if (this.stopped) return;
      setTimeout(() => {
        if (!this.stopped) void this.watch(namespace, kind, Math.min(delayMs * 2, 60_000));
      }, delayMs).unref();
    });
    // Healthy from its connect event (it lists, then watches) until an error says otherwise.
    await informer.start().catch(() => undefined);
  }

  private signal(namespace: string, object: KubernetesObject, change: BackendChange['change']): void {
    const name = object.metadata?.name ?? '';
    if (!EXECUTION_NAME.test(name)) return;
    const once = `${object.metadata?.uid}/${change}`;
    if (this.signalled.has(once)) return;
    // A resource deleted after its end needs no second signal: the workflow reads its status on the first one (most
    // such deletes are the workflow's own cleanup).
    if (change === 'deleted' && this.signalled.has(`${object.metadata?.uid}/ended`)) return;
    this.signalled.add(once);
    if (this.signalled.size > 100_000) this.signalled.clear(); // bounded memory; a repeat signal is harmless
    this.notified++;
    this.options.notify(name, { resource: `${namespace}/${name}`, change }).catch(() => undefined);
  }
}
