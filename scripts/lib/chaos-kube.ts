/**
 * The Kubernetes side of a chaos run, behind one interface: the sandbox (every create counted by its store, faults
 * injected precisely) or a real control plane (the real Job controller, garbage collector and Tekton controller; creates
 * counted from a watch: every new UID under an execution's name is one create).
 */
import { KubeConfig, type KubernetesObject, type V1Secret, Watch } from '@kubernetes/client-node';
import { KubeSandbox } from '../../sandbox/kube/server.ts';
import { createKubeClients, type KubeClients } from '../../src/clients/kube.ts';
import { LABEL_WORKFLOW_EXECUTION } from '../../src/domain/constants.ts';

export type ChaosKind = 'Job' | 'PipelineRun';

export interface ChaosKube {
  /** The kubeconfig the workers use. */
  readonly kubeconfigPath: string;
  /** The executionBundle a Tekton request names (the sandbox takes any; a real resolver needs a pushed bundle). */
  readonly tektonBundle: string;
  createSecret(namespace: string, name: string, data: Record<string, string>): Promise<void>;
  /** Called right after a Job or PipelineRun is created (for kills aimed at that moment). */
  onCreate(listener: () => void): void;
  /** Jobs and PipelineRuns that exist now. */
  live(): number;
  /** How many times a resource of this name was created during the run. */
  creates(kind: ChaosKind, name: string): number;
  /** Those of the named resources that still exist once deletions have had `graceMs` to finish. */
  leftovers(names: string[], graceMs: number): Promise<number>;
  faultsInjected(): number;
  configureFaults(rate: number, seed: number): void;
  stop(): Promise<void>;
}

export async function sandboxChaosKube(namespace: string, kubeconfigPath: string): Promise<ChaosKube> {
  const kube = await KubeSandbox.start({ kubeconfigPath });
  const listeners: (() => void)[] = [];
  kube.afterRequest = (method, path, status) => {
    if (method === 'POST' && status === 201 && /\/(jobs|pipelineruns)$/.test(path)) for (const listener of listeners) listener();
  };
  const count = () => kube.count('Job', namespace) + kube.count('PipelineRun', namespace);
  return {
    kubeconfigPath,
    tektonBundle: 'quay.io/kubernaut/chaos:1',
    createSecret: async (ns, name, data) => void kube.createSecret(ns, name, data),
    onCreate: (listener) => void listeners.push(listener),
    live: count,
    creates: (kind, name) => kube.createCount(kind, namespace, name),
    leftovers: async () => count(),
    faultsInjected: () => Object.values(kube.faults.injected).reduce((a, b) => a + b, 0),
    configureFaults: (rate, seed) => kube.faults.configure({ rate, seed }),
    stop: () => kube.stop(),
  };
}

export interface RealControlPlane {
  adminKubeconfigPath: string;
  workerKubeconfigPath: string;
  tektonBundle: string;
}

const PATHS: Record<ChaosKind, (namespace: string) => string> = {
  Job: (namespace) => `/apis/batch/v1/namespaces/${namespace}/jobs`,
  PipelineRun: (namespace) => `/apis/tekton.dev/v1/namespaces/${namespace}/pipelineruns`,
};

/**
 * A real control plane. Objects that existed before the run (other tests share the namespace) are not counted; a
 * watch that ends is re-listed and re-watched, and an object first seen in the re-list counts as created.
 */
export async function controlPlaneChaosKube(namespace: string, plane: RealControlPlane): Promise<ChaosKube> {
  const config = new KubeConfig();
  config.loadFromFile(plane.adminKubeconfigPath);
  const admin = createKubeClients(config);
  const uids = new Map<string, Set<string>>(); // `${kind}/${name}` → every UID seen
  const alive = new Map<string, string>(); // uid → `${kind}/${name}`, while it exists
  const preexisting = new Set<string>();
  const listeners: (() => void)[] = [];
  const aborts: AbortController[] = [];
  let stopped = false;

  const seen = (kind: ChaosKind, object: KubernetesObject): void => {
    const uid = object.metadata?.uid ?? '';
    if (!uid || preexisting.has(uid) || alive.has(uid)) return;
    const key = `${kind}/${object.metadata?.name}`;
    const known = uids.get(key) ?? new Set<string>();
    const isNew = !known.has(uid);
    uids.set(key, known.add(uid));
    alive.set(uid, key);
    if (isNew) for (const listener of listeners) listener();
  };
  async function watch(kind: ChaosKind, first: boolean): Promise<void> {
    if (stopped) return;
    const items = await listOf(admin, kind, namespace);
    const listed = new Set(items.items.map((item) => item.metadata?.uid ?? ''));
    for (const item of items.items) {
      if (first) preexisting.add(item.metadata?.uid ?? '');
      else seen(kind, item);
    }
    for (const [uid, key] of alive) if (key.startsWith(`${kind}/`) && !listed.has(uid)) alive.delete(uid);
    const abort = await new Watch(config).watch(
      PATHS[kind](namespace),
      { labelSelector: LABEL_WORKFLOW_EXECUTION, resourceVersion: items.metadata?.resourceVersion, allowWatchBookmarks: true },
      (type: string, object: KubernetesObject) => {
        if (type === 'ADDED' || type === 'MODIFIED') seen(kind, object);
        else if (type === 'DELETED') alive.delete(object.metadata?.uid ?? '');
      },
      () => rewatch(kind),
    );
    aborts.push(abort);
  }
  /** A watch that ended (or a re-list that failed) starts again: a missed create would read as a lost execution. */
  const rewatch = (kind: ChaosKind): void => {
    if (!stopped) setTimeout(() => void watch(kind, false).catch(() => rewatch(kind)), 200);
  };
  await watch('Job', true);
  await watch('PipelineRun', true);

  /** How many of the named resources exist now: one list per kind. */
  const existing = async (names: Set<string>) => {
    let count = 0;
    for (const kind of ['Job', 'PipelineRun'] as const)
      count += (await listOf(admin, kind, namespace)).items.filter((item) => names.has(item.metadata?.name ?? '')).length;
    return count;
  };
  return {
    kubeconfigPath: plane.workerKubeconfigPath,
    tektonBundle: plane.tektonBundle,
    async createSecret(ns, name, data) {
      const secret: V1Secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: ns }, stringData: data };
      await admin.core.createNamespacedSecret({ namespace: ns, body: secret });
    },
    onCreate: (listener) => void listeners.push(listener),
    live: () => alive.size,
    creates: (kind, name) => uids.get(`${kind}/${name}`)?.size ?? 0,
    async leftovers(names, graceMs) {
      const until = Date.now() + graceMs;
      for (;;) {
        const left = await existing(new Set(names));
        if (left === 0 || Date.now() >= until) return left;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    },
    faultsInjected: () => 0,
    configureFaults: () => {
      throw new Error('faults are injected by the sandbox only: a chaos run on a real control plane takes no faultRate');
    },
    async stop() {
      stopped = true;
      for (const abort of aborts) abort.abort();
    },
  };
}

async function listOf(admin: KubeClients, kind: ChaosKind, namespace: string) {
  const labelSelector = LABEL_WORKFLOW_EXECUTION;
  if (kind === 'Job') return (await admin.batch.listNamespacedJob({ namespace, labelSelector })) as ListOf;
  return (await admin.custom.listNamespacedCustomObject({
    group: 'tekton.dev',
    version: 'v1',
    namespace,
    plural: 'pipelineruns',
    labelSelector,
  })) as ListOf;
}

type ListOf = { items: KubernetesObject[]; metadata?: { resourceVersion?: string } };
