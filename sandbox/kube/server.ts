/**
 * A local HTTPS server speaking the Kubernetes REST API for the resources the executors use (batch/v1 jobs, v1 pods,
 * events, secrets, configmaps, namespaces, tekton.dev/v1 pipelineruns and taskruns): status codes and Status bodies,
 * label and field selectors, pagination, resourceVersion conflicts, patch formats, delete propagation, the /status
 * subresource and discovery, so @kubernetes/client-node and kubectl talk to it as to a cluster. Simulated Job and
 * Tekton controllers move the objects along. It serves TLS with a CA it generates, written into its kubeconfig.
 */
import { writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { stringify } from 'yaml';
import type { SandboxOutcome } from '../conventions.ts';
import { FaultInjector } from '../faults.ts';
import { describeCall, type Interception, Interceptor, type InterceptRule } from '../intercept.ts';
import { createLoopbackServingCertificate } from '../tls.ts';
import { JobController } from './job-controller.ts';
import { applyJsonPatch, applyMergePatch, PatchError } from './patch.ts';
import { apiVersionOf, findResource, type KubeObject, RESOURCES, type ResourceDefinition, resourceByKind } from './resources.ts';
import { SelectorError } from './selectors.ts';
import { statusErrors, successStatus } from './status.ts';
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

const JSON_HEADERS = { 'Content-Type': 'application/json' };

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
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

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
};
const scriptedReason = (status: number): string => REASONS[status] ?? 'Unknown';

/** The Status an intercepted call is answered with: a 409 on a create is AlreadyExists, as the API server says it. */
function interceptedStatus(method: string, code: number, body: string) {
  let name = '';
  try {
    name = String((JSON.parse(body) as { metadata?: { name?: string } }).metadata?.name ?? '');
  } catch {}
  const reason = code === 409 && method === 'POST' ? 'AlreadyExists' : scriptedReason(code);
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `intercepted: ${reason}${name ? ` (${name})` : ''}`,
    reason,
    ...(name ? { details: { name } } : {}),
    code,
  };
}

export class KubeSandbox {
  readonly store = new ObjectStore();
  readonly jobs = new JobController(this.store);
  readonly tekton = new TektonController(this.store);
  readonly faults = new FaultInjector();
  /** ?watch=true streams, with recent events kept for watches from a list's resourceVersion. */
  readonly watches = new WatchHub(this.store);
  /** When true, every watch is refused with 403, as an RBAC without the watch verb would. */
  watchRefusal = false;
  /** Requests served, by "METHOD status". */
  readonly requests = new Map<string, number>();
  /** TLS connections accepted (a client that reuses connections keeps this small). */
  tlsConnections = 0;
  readonly token: string;
  /** Called after each request is answered (chaos tests kill the worker at chosen moments). */
  afterRequest?: (method: string, path: string, status: number) => void;
  /** Scripted failures: the next `times` requests matching method and path get `status`. */
  private readonly scripted: { method: string; path: RegExp; status: number; times: number }[] = [];
  private readonly interceptor = new Interceptor();
  url = '';
  caPem = '';
  kubeconfigPath?: string;
  private server?: Server;

  private constructor(options: KubeSandboxOptions) {
    this.token = options.token ?? 'sandbox-token';
    for (const namespace of options.namespaces ?? ['default', 'kubernaut-workflows']) this.createNamespace(namespace);
  }

  static async start(options: KubeSandboxOptions = {}): Promise<KubeSandbox> {
    const sandbox = new KubeSandbox(options);
    const { ca, serving } = await createLoopbackServingCertificate();
    sandbox.caPem = ca.certPem;
    sandbox.server = createServer({ cert: serving.certPem, key: serving.keyPem }, (request, response) => {
      sandbox.handle(request, response).catch((error) => sandbox.send(response, 500, statusErrors.internal((error as Error).message)));
    });
    sandbox.server.on('secureConnection', () => {
      sandbox.tlsConnections++;
    });
    await new Promise<void>((resolve) => sandbox.server?.listen(options.port ?? 0, '127.0.0.1', resolve));
    sandbox.url = `https://127.0.0.1:${(sandbox.server.address() as AddressInfo).port}`;
    if (options.kubeconfigPath) sandbox.writeKubeconfig(options.kubeconfigPath);
    return sandbox;
  }

  async stop(): Promise<void> {
    this.interceptor.releaseAll();
    this.jobs.stop();
    this.tekton.stop();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
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

  /** Answers the next `times` requests matching the method and path with `status` (a targeted fault). */
  failNext(method: string, path: RegExp, status: number, times = 1): void {
    this.scripted.push({ method, path, status, times });
  }

  /**
   * Answers, holds or pauses the calls a rule matches (see intercept.ts); a held or paused call is processed afterwards
   * even when its client has gone.
   */
  intercept(rule: InterceptRule): Interception {
    return this.interceptor.add(rule);
  }

  /** Lets held Jobs and PipelineRuns finish. */
  release(outcome: SandboxOutcome = 'success', filter?: (name: string) => boolean): number {
    return this.jobs.release(outcome, filter) + this.tekton.release(outcome, filter);
  }

  private send(response: ServerResponse, code: number, body: unknown): void {
    if (response.headersSent) return;
    response.writeHead(code, JSON_HEADERS);
    response.end(JSON.stringify(body));
  }

  private countResponse(method: string, code: number): void {
    const key = `${method} ${code}`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = request.method ?? 'GET';
    const url = new URL(request.url ?? '/', 'https://sandbox');
    response.on('finish', () => {
      this.countResponse(method, response.statusCode);
      this.afterRequest?.(method, url.pathname, response.statusCode);
    });
    if (request.headers.authorization !== `Bearer ${this.token}`) return this.send(response, 401, statusErrors.unauthorized());
    const body = await readBody(request);
    const verdict = await this.interceptor.arrive(describeCall(method, url, body));
    try {
      if (verdict.status !== undefined) this.send(response, verdict.status, interceptedStatus(method, verdict.status, body));
      else await this.process(request, response, method, url, body);
    } catch (error) {
      this.send(response, 500, statusErrors.internal((error as Error).message));
    } finally {
      verdict.answered(response.headersSent ? response.statusCode : 0);
    }
  }

  private async process(request: IncomingMessage, response: ServerResponse, method: string, url: URL, body: string): Promise<void> {
    const scripted = this.scripted.find((entry) => entry.times > 0 && entry.method === method && entry.path.test(url.pathname));
    if (scripted) {
      scripted.times--;
      return this.send(response, scripted.status, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `scripted ${scripted.status}`,
        reason: scriptedReason(scripted.status),
        code: scripted.status,
      });
    }
    const fault = url.pathname.startsWith('/_sandbox') ? undefined : this.faults.next();
    if (fault === 'reset') {
      request.socket.destroy();
      return;
    }
    if (fault === 'delay') await new Promise((resolve) => setTimeout(resolve, this.faults.delayMs));
    if (fault === 'error') return this.send(response, 500, statusErrors.internal('injected fault'));
    const discovery = this.discovery(url.pathname);
    if (discovery) return this.send(response, 200, discovery);
    const target = route(url.pathname);
    if (!target)
      return this.send(response, 404, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'the server could not find the requested resource',
        reason: 'NotFound',
        details: {},
        code: 404,
      });
    if (method === 'GET' && !target.name && ['true', '1'].includes(url.searchParams.get('watch') ?? '')) {
      if (this.watchRefusal)
        return this.send(response, 403, statusErrors.forbidden('jobs is forbidden: cannot watch resource (sandbox watchRefusal)'));
      return this.watches.serve(request, response, target.resource, target.namespace, url.searchParams);
    }
    try {
      const [code, result] = this.serve(method, target, url.searchParams, body, String(request.headers['content-type'] ?? ''));
      this.send(response, code, result);
    } catch (error) {
      if (error instanceof ApiError) return this.send(response, error.status.code, error.status);
      if (error instanceof SelectorError || error instanceof PatchError || error instanceof SyntaxError) {
        return this.send(response, 400, statusErrors.badRequest((error as Error).message));
      }
      throw error;
    }
  }

  private serve(method: string, target: Route, query: URLSearchParams, body: string, contentType: string): [number, unknown] {
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
    // A patch applies to the version it read unless it names one itself.
    const patchedVersion = (patch as { metadata?: { resourceVersion?: string } })?.metadata?.resourceVersion;
    next.metadata = { ...next.metadata, resourceVersion: patchedVersion ?? current.metadata.resourceVersion };
    return this.store.update(resource, namespace, name, next, subresource);
  }

  private discovery(pathname: string): unknown {
    const path = pathname.replace(/\/$/, '');
    if (path === '/version') return { major: '1', minor: '31', gitVersion: 'v1.31.0-kubernaut-sandbox', platform: 'linux/amd64' };
    if (path === '/api')
      return {
        kind: 'APIVersions',
        versions: ['v1'],
        serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: this.url.replace('https://', '') }],
      };
    const groups = [...new Set(RESOURCES.filter((resource) => resource.group).map((resource) => resource.group))];
    if (path === '/apis') {
      return {
        kind: 'APIGroupList',
        apiVersion: 'v1',
        groups: groups.map((group) => {
          const version = { groupVersion: `${group}/v1`, version: 'v1' };
          return { name: group, versions: [version], preferredVersion: version };
        }),
      };
    }
    const groupVersion = path === '/api/v1' ? 'v1' : /^\/apis\/([^/]+\/[^/]+)$/.exec(path)?.[1];
    if (!groupVersion) return undefined;
    const resources = RESOURCES.filter((resource) => apiVersionOf(resource) === groupVersion);
    if (resources.length === 0) return undefined;
    return {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion,
      resources: resources.flatMap((resource) => [
        {
          name: resource.plural,
          singularName: resource.singular,
          namespaced: resource.namespaced,
          kind: resource.kind,
          verbs: ['create', 'delete', 'get', 'list', 'patch', 'update'],
          ...(resource.shortNames ? { shortNames: resource.shortNames } : {}),
        },
        ...(resource.statusSubresource
          ? [
              {
                name: `${resource.plural}/status`,
                singularName: '',
                namespaced: resource.namespaced,
                kind: resource.kind,
                verbs: ['get', 'patch', 'update'],
              },
            ]
          : []),
      ]),
    };
  }
}
