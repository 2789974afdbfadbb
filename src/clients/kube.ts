/**
 * Kubernetes API access through @kubernetes/client-node: a KubeConfig from KUBECONFIG / ~/.kube/config, the in-cluster
 * service account, or an explicit server + token + CA; TLS is verified unless insecureSkipTlsVerify is set on purpose.
 * Errors become typed BackendErrors carrying the HTTP status and the API server's Status message.
 */
import { readFileSync } from 'node:fs';
import { ApiException, BatchV1Api, CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { Agent } from 'undici';
import { BackendError } from '../domain/errors.ts';

export interface KubeConnectionOptions {
  /** Path of a kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster). */
  kubeconfigPath?: string;
  /** Explicit API server URL; with token and CA instead of a kubeconfig. */
  server?: string;
  token?: string;
  caFile?: string;
  /** Disable TLS verification. Only for throw-away clusters; never the default. */
  insecureSkipTlsVerify?: boolean;
  /** kubeconfig context to use instead of the current one. */
  context?: string;
  /** Headers and body timeout of each request (default 30 s), so a hung API server fails a call instead of an activity. */
  requestTimeoutMs?: number;
}

type DispatcherFactory = (cluster: unknown, agentOptions: Record<string, unknown>) => unknown;
type DispatcherOptionsFactory = (cluster: unknown, agentOptions: Record<string, unknown>) => { type: string; connect?: object };

/**
 * client-node 2.0 builds a new undici Agent for every request when TLS options (a CA, client certificates) apply, so
 * each request opens and keeps a fresh TLS connection: memory and CPU grow with the request count (measured: ~0.5 MB
 * per running execution). One Agent per distinct set of options, reused, keeps a small keep-alive pool instead; it
 * also carries the request timeout, which client-node does not set (a hung API server would hold a call forever).
 */
function shareDispatchers(config: KubeConfig, requestTimeoutMs: number): KubeConfig {
  const target = config as unknown as { createDispatcher: DispatcherFactory; createDispatcherOptions: DispatcherOptionsFactory };
  const create = target.createDispatcher.bind(config);
  const describe = target.createDispatcherOptions.bind(config);
  const cache = new Map<string, unknown>();
  target.createDispatcher = (cluster, agentOptions) => {
    // Buffers (CA, client certificate) as base64: JSON.stringify would call their toJSON first, spelling every byte.
    const options = Object.fromEntries(
      Object.entries(agentOptions).map(([name, value]) => [name, Buffer.isBuffer(value) ? value.toString('base64') : value]),
    );
    const key = JSON.stringify([cluster, options]);
    if (!cache.has(key)) {
      const planned = describe(cluster, agentOptions);
      const timeouts = { headersTimeout: requestTimeoutMs, bodyTimeout: requestTimeoutMs };
      cache.set(
        key,
        planned.type === 'agent' || planned.type === 'none'
          ? new Agent({ ...(planned.connect ? { connect: planned.connect } : {}), ...timeouts })
          : create(cluster, agentOptions),
      );
    }
    return cache.get(key);
  };
  return config;
}

export function loadKubeConfig(options: KubeConnectionOptions = {}): KubeConfig {
  return shareDispatchers(readKubeConfig(options), options.requestTimeoutMs ?? 30_000);
}

function readKubeConfig(options: KubeConnectionOptions): KubeConfig {
  const config = new KubeConfig();
  if (options.server) {
    config.loadFromClusterAndUser(
      {
        name: 'explicit',
        server: options.server,
        skipTLSVerify: options.insecureSkipTlsVerify ?? false,
        ...(options.caFile ? { caData: readFileSync(options.caFile).toString('base64') } : {}),
      },
      { name: 'explicit', ...(options.token ? { token: options.token } : {}) },
    );
    return config;
  }
  if (options.kubeconfigPath) config.loadFromFile(options.kubeconfigPath);
  else config.loadFromDefault();
  if (options.context) config.setCurrentContext(options.context);
  if (options.insecureSkipTlsVerify) {
    const cluster = config.getCurrentCluster();
    if (cluster)
      config.clusters = config.clusters.map((entry) => (entry.name === cluster.name ? { ...entry, skipTLSVerify: true } : entry));
  }
  return config;
}

export interface KubeClients {
  batch: BatchV1Api;
  core: CoreV1Api;
  custom: CustomObjectsApi;
  /** The API server URL, for messages. */
  server: string;
}

export function createKubeClients(config: KubeConfig): KubeClients {
  return {
    batch: config.makeApiClient(BatchV1Api),
    core: config.makeApiClient(CoreV1Api),
    custom: config.makeApiClient(CustomObjectsApi),
    server: config.getCurrentCluster()?.server ?? '(unknown server)',
  };
}

/** The HTTP status of a client-node error, if it came from the API server. */
export function kubeStatusOf(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : undefined;
}

export const isNotFound = (error: unknown): boolean => kubeStatusOf(error) === 404;
export const isAlreadyExists = (error: unknown): boolean => kubeStatusOf(error) === 409 && kubeReasonOf(error) === 'AlreadyExists';

/** A patch that named a UID the object under that name no longer has: 422, metadata.uid is immutable. */
export const isUidRefused = (error: unknown): boolean =>
  kubeStatusOf(error) === 422 && parseStatus(error)?.details?.causes?.some((cause) => cause.field === 'metadata.uid') === true;

type StatusBody = { reason?: string; message?: string; details?: { causes?: { field?: string }[] } };

function parseStatus(error: unknown): StatusBody | undefined {
  if (!(error instanceof ApiException) || typeof error.body !== 'string') return undefined;
  try {
    return JSON.parse(error.body) as StatusBody;
  } catch {
    return undefined;
  }
}

export function kubeReasonOf(error: unknown): string | undefined {
  return parseStatus(error)?.reason;
}

/** The API server's own message ("jobs.batch \"x\" not found"), or the transport error's. */
export function describeKubeError(error: unknown): string {
  if (error instanceof ApiException) {
    const status = parseStatus(error);
    if (status?.message) return `${status.message} (HTTP ${error.code})`;
    return `HTTP ${error.code}${error.code === 401 ? ' Unauthorized' : ''}`;
  }
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ? `${(error as Error).message}: ${cause.code}` : ((error as Error)?.message ?? String(error));
}

/** A typed error saying what was being done to what: "delete Job ns/name: <reason>". */
export function kubeError(action: string, error: unknown): BackendError {
  return new BackendError(`${action}: ${describeKubeError(error)}`, kubeStatusOf(error), error);
}
