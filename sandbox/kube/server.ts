/**
 * A local HTTPS server speaking the Kubernetes REST API for the resources the executors use (batch/v1 jobs, v1 pods,
 * events, secrets, configmaps, namespaces, tekton.dev/v1 pipelineruns and taskruns): status codes and Status bodies,
 * label and field selectors, pagination, resourceVersion conflicts, patch formats, delete propagation, the /status
 * subresource and discovery, so @kubernetes/client-node and kubectl talk to it as to a cluster. Simulated Job and
 * Tekton controllers move the objects along. It serves TLS with a CA it generates, written into its kubeconfig.
 */
import { writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { stringify } from 'yaml';
import type { SandboxOutcome } from '../conventions.ts';
import { type Reply, type SandboxCall, SandboxHttpServer } from '../http-server.ts';
import { discoveryDocument } from './discovery.ts';
import { JobController } from './job-controller.ts';
import { applyJsonPatch, applyMergePatch, PatchError } from './patch.ts';
import { apiVersionOf, findResource, type KubeObject, type ResourceDefinition, resourceByKind } from './resources.ts';
import { SelectorError } from './selectors.ts';
import { disturbedStatus, statusErrors, successStatus, unknownPathStatus } from './status.ts';
import { ApiError, ObjectStore, type Propagation } from './store.ts';
import { TektonController } from './tekton-controller.ts';
import { WatchHub } from './watch.ts';

export interface KubeSandboxOptions {
  /** Namespaces that exist from the start. */
  namespaces?: string[];
  /** Bearer token clients must send. */
  token?: string;
  port?: number;
  /** Where to write a kubeconfig for kubectl and the worker. */
  kubeconfigPath?: string;
}

interface Route {
  resource: ResourceDefinition;
  namespace?: string;
  name?: string;
  subresource?: 'status';
}

/** Resolves a path to a resource route, or undefined. */
function route(pathname: string): Route | undefined {
  const parts = pathname.split('/').filter(Boolean);
  let group = '';
  let version: string | undefined;
  let rest: string[];
  if (parts[0] === 'api') [version, rest] = [parts[1], parts.slice(2)];
  else if (parts[0] === 'apis') [group, version, rest] = [parts[1] ?? '', parts[2], parts.slice(3)];
  else return undefined;
  if (!version) return undefined;
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const resource = findResource(group, version, rest[0] ?? '');
  if (!resource || rest.length > 3 || (rest[2] !== undefined && rest[2] !== 'status')) return undefined;
  if (!resource.namespaced && namespace) return undefined;
  return { resource, namespace, name: rest[1], subresource: rest[2] as 'status' | undefined };
}

export class KubeSandbox extends SandboxHttpServer {
  readonly store = new ObjectStore();
  readonly jobs = new JobController(this.store);
  readonly tekton = new TektonController(this.store);
  /** ?watch=true streams, with recent events kept for watches from a list's resourceVersion. */
  readonly watches = new WatchHub(this.store);
  /** When true, every watch is refused with 403, as an RBAC without the watch verb would. */
  watchRefusal = false;
  readonly token: string;
  kubeconfigPath?: string;
  protected readonly errors = disturbedStatus;

  private constructor(options: KubeSandboxOptions) {
    super();
    this.token = options.token ?? 'sandbox-token';
    for (const namespace of options.namespaces ?? ['default', 'kubernaut-workflows']) this.createNamespace(namespace);
  }

  static async start(options: KubeSandboxOptions = {}): Promise<KubeSandbox> {
    const sandbox = new KubeSandbox(options);
    await sandbox.listen({ port: options.port });
    if (options.kubeconfigPath) sandbox.writeKubeconfig(options.kubeconfigPath);
    return sandbox;
  }

  override async stop(): Promise<void> {
    this.jobs.stop();
    this.tekton.stop();
    await super.stop();
  }

  /** kubeconfig content pointing at this sandbox with its CA and token. */
  kubeconfig(): Record<string, unknown> {
    return {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        { name: 'sandbox', cluster: { server: this.url, 'certificate-authority-data': Buffer.from(this.caPem).toString('base64') } },
      ],
      users: [{ name: 'sandbox-worker', user: { token: this.token } }],
      contexts: [{ name: 'sandbox', context: { cluster: 'sandbox', user: 'sandbox-worker', namespace: 'kubernaut-workflows' } }],
      'current-context': 'sandbox',
    };
  }

  writeKubeconfig(path: string): void {
    writeFileSync(path, stringify(this.kubeconfig()), { mode: 0o600 });
    this.kubeconfigPath = path;
  }

  createNamespace(name: string): void {
    if (!this.store.namespaceExists(name)) this.store.create(resourceByKind('Namespace'), undefined, { metadata: { name } });
  }

  createSecret(namespace: string, name: string, stringData: Record<string, string>): KubeObject {
    return this.store.create(resourceByKind('Secret'), namespace, { metadata: { name, namespace }, stringData });
  }

  createConfigMap(namespace: string, name: string, data: Record<string, string>): KubeObject {
    return this.store.create(resourceByKind('ConfigMap'), namespace, { metadata: { name, namespace }, data });
  }

  /** How many times an object of this kind and name was created. */
  createCount(kind: string, namespace: string, name: string): number {
    return this.store.creates.get(`${resourceByKind(kind).plural}/${namespace}/${name}`) ?? 0;
  }

  /** Total creates of a kind. */
  totalCreates(kind: string): number {
    const prefix = `${resourceByKind(kind).plural}/`;
    return [...this.store.creates.entries()].filter(([key]) => key.startsWith(prefix)).reduce((sum, [, count]) => sum + count, 0);
  }

  count(kind: string, namespace?: string): number {
    return this.store.count(resourceByKind(kind), namespace);
  }

  /** Lets held Jobs and PipelineRuns finish. */
  release(outcome: SandboxOutcome = 'success', filter?: (name: string) => boolean): number {
    return this.jobs.release(outcome, filter) + this.tekton.release(outcome, filter);
  }

  protected override admit(_method: string, _url: URL, request: IncomingMessage): Reply | undefined {
    if (request.headers.authorization !== `Bearer ${this.token}`) return { status: 401, body: statusErrors.unauthorized() };
    return undefined;
  }

  protected async serve({ request, response, method, url, body }: SandboxCall): Promise<Reply | undefined> {
    const discovery = discoveryDocument(url.pathname, this.url.replace('https://', ''));
    if (discovery) return { status: 200, body: discovery };
    const target = route(url.pathname);
    if (!target) return { status: 404, body: unknownPathStatus() };
    if (method === 'GET' && !target.name && ['true', '1'].includes(url.searchParams.get('watch') ?? '')) {
      if (this.watchRefusal)
        return { status: 403, body: statusErrors.forbidden('jobs is forbidden: cannot watch resource (sandbox watchRefusal)') };
      this.watches.serve(request, response, target.resource, target.namespace, url.searchParams);
      return undefined;
    }
    try {
      const [status, result] = this.answer(method, target, url.searchParams, body, String(request.headers['content-type'] ?? ''));
      return { status, body: result };
    } catch (error) {
      if (error instanceof ApiError) return { status: error.status.code, body: error.status };
      if (error instanceof SelectorError || error instanceof PatchError || error instanceof SyntaxError) {
        return { status: 400, body: statusErrors.badRequest((error as Error).message) };
      }
      throw error;
    }
  }

  private answer(method: string, target: Route, query: URLSearchParams, body: string, contentType: string): [number, unknown] {
    const { resource, namespace, name, subresource } = target;
    if (!name) {
      if (method === 'GET') {
        if (query.get('watch') === 'true' || query.get('watch') === '1') return [405, statusErrors.methodNotAllowed()];
        const list = this.store.list(resource, namespace, {
          labelSelector: query.get('labelSelector'),
          fieldSelector: query.get('fieldSelector'),
          limit: Number(query.get('limit') ?? 0),
          continueToken: query.get('continue'),
        });
        const items = list.items.map((item) => (resource.custom ? item : { ...item, kind: undefined, apiVersion: undefined }));
        return [
          200,
          {
            kind: `${resource.kind}List`,
            apiVersion: apiVersionOf(resource),
            metadata: { resourceVersion: this.store.currentRevision, ...(list.continueToken ? { continue: list.continueToken } : {}) },
            items,
          },
        ];
      }
      if (method === 'POST') return [201, this.store.create(resource, namespace, JSON.parse(body) as KubeObject)];
      return [405, statusErrors.methodNotAllowed()];
    }
    switch (method) {
      case 'GET':
        return [200, this.store.get(resource, namespace, name)];
      case 'PUT':
        return [200, this.store.update(resource, namespace, name, JSON.parse(body) as KubeObject, subresource)];
      case 'PATCH':
        return [200, this.patch(target as Required<Pick<Route, 'resource' | 'name'>> & Route, body, contentType)];
      case 'DELETE': {
        // DeleteOptions come from the body when there is one, else from the query; never both (as the API server does).
        const options: { propagationPolicy?: Propagation; preconditions?: { uid?: string } } = body
          ? JSON.parse(body)
          : query.get('propagationPolicy')
            ? { propagationPolicy: query.get('propagationPolicy') as Propagation }
            : {};
        const propagation = options.propagationPolicy;
        const current = this.store.get(resource, namespace, name);
        if (options.preconditions?.uid && options.preconditions.uid !== current.metadata.uid) {
          throw new ApiError(statusErrors.preconditionFailed(resource, name, options.preconditions.uid, current.metadata.uid ?? ''));
        }
        const { deferred, uid } = this.store.delete(resource, namespace, name, propagation);
        return [200, deferred ?? successStatus(resource, name, uid)];
      }
      default:
        return [405, statusErrors.methodNotAllowed()];
    }
  }

  private patch(target: Route & { name: string }, body: string, contentType: string): KubeObject {
    const { resource, namespace, name, subresource } = target;
    const current = this.store.get(resource, namespace, name);
    const patch = JSON.parse(body) as unknown;
    let next: KubeObject;
    if (contentType.startsWith('application/json-patch+json')) next = applyJsonPatch(current, patch) as KubeObject;
    else if (contentType.startsWith('application/merge-patch+json')) next = applyMergePatch(current, patch) as KubeObject;
    else if (contentType.startsWith('application/strategic-merge-patch+json') && !resource.custom)
      next = applyMergePatch(current, patch) as KubeObject;
    else throw new ApiError(statusErrors.unsupportedMediaType(contentType));
    // A patch may name the UID it means (a precondition of sorts): changing it is refused.
    if (next.metadata?.uid && next.metadata.uid !== current.metadata.uid)
      throw new ApiError(statusErrors.uidImmutable(resource, name, next.metadata.uid));
    // A patch applies to the version it read unless it names one itself.
    const patchedVersion = (patch as { metadata?: { resourceVersion?: string } })?.metadata?.resourceVersion;
    next.metadata = { ...next.metadata, resourceVersion: patchedVersion ?? current.metadata.resourceVersion };
    return this.store.update(resource, namespace, name, next, subresource);
  }
}
