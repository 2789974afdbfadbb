/**
 * Worker configuration from environment variables only, validated at start: one error lists every bad or missing
 * variable. Secret values (tokens) are read here and never logged; `describeConfig` shows a redacted view.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { RequestAllowList } from './domain/allow-list.ts';
import { DEFAULT_EXECUTION_NAMESPACE, DEFAULT_SERVICE_ACCOUNT_NAME } from './domain/constants.ts';
import { isDnsLabel, isDnsSubdomain } from './domain/labels.ts';
import { type ExecutionPodSettings, POD_SECURITY_CONTEXT_MODES, type PodSecurityContextMode } from './domain/manifests.ts';
import { ENGINES, type Engine } from './domain/types.ts';
import {
  describeTemporalConnection,
  resolveTemporalConnection,
  TemporalConfigurationError,
  type TemporalConnection,
} from './temporal-connection.ts';
import { DEFAULT_TASK_QUEUE } from './workflows/definitions.ts';

export interface TemporalConfig extends TemporalConnection {
  taskQueue: string;
}

export interface KubeConfigSource {
  kubeconfigPath?: string;
  context?: string;
  server?: string;
  token?: string;
  caFile?: string;
  insecureSkipTlsVerify: boolean;
  /** Headers and body timeout of each API request. */
  requestTimeoutMs?: number;
}

/** The orphan sweeper: a Temporal Schedule that runs the sweepOrphans workflow. */
export interface SweeperConfig {
  /** Create (or keep) the schedule at worker start. */
  schedule: boolean;
  intervalMs: number;
  /** Leave anything younger than this alone (a create may be in flight). */
  graceMs: number;
  /** Namespaces whose Jobs / PipelineRuns are swept (the execution namespace and any extra). */
  namespaces: string[];
  /** At most this many deletions or cancellations per sweep. */
  maxActions: number;
}

export interface AwxConfig {
  url: string;
  /** /api/v2 by default; /api/controller/v2 behind the AAP 2.5 gateway. */
  apiPath?: string;
  token: string;
  organizationId: number;
  caFile?: string;
  insecureSkipTlsVerify: boolean;
  requestTimeoutMs: number;
}

export interface WorkerConfig {
  temporal: TemporalConfig;
  /** Undefined when no Kubernetes access is configured: the job and tekton engines are then not registered. */
  kube?: KubeConfigSource;
  awx?: AwxConfig;
  engines: Engine[];
  executionNamespace: string;
  serviceAccountName: string;
  /** host:port of the Prometheus endpoint; undefined disables it. */
  metricsBindAddress?: string;
  logLevel: 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  maxConcurrentActivities: number;
  maxConcurrentWorkflowTasks: number;
  maxCachedWorkflows?: number;
  shutdownGraceMs: number;
  /** ttlSecondsAfterFinished of Jobs: a safety net far beyond any outage the workflow should ride out. */
  jobTtlSecondsAfterFinished: number;
  /** Execution pods' security context: restricted (default) or none (as the original, for images that need root). */
  podSecurityContext: PodSecurityContextMode;
  /** What a request may choose, bounded by the operator. */
  allowed: RequestAllowList;
  /** Resources, node selector, tolerations and priority class of execution pods. */
  podSettings: ExecutionPodSettings;
  /** Watch Jobs and PipelineRuns to learn their end within a second (polling stays as the safety net). */
  watchCompletion: boolean;
  sweeper: SweeperConfig;
}

export class ConfigurationProblems extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid worker configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigurationProblems';
    this.problems = problems;
  }
}

type Env = Record<string, string | undefined>;

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off', '']);

/** Reads variables, recording a problem for each bad one; never throws on the first. */
class Reader {
  readonly problems: string[] = [];
  private readonly env: Env;
  constructor(env: Env) {
    this.env = env;
  }
  text(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value ? value : undefined;
  }
  flag(name: string, fallback: boolean): boolean {
    const value = this.env[name]?.trim().toLowerCase();
    if (value === undefined) return fallback;
    if (TRUE.has(value)) return true;
    if (FALSE.has(value)) return false;
    this.problems.push(`${name}: must be true or false, got "${value}"`);
    return fallback;
  }
  integer(name: string, fallback: number, min: number, max: number): number {
    const value = this.text(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
      this.problems.push(`${name}: must be an integer between ${min} and ${max}, got "${value}"`);
      return fallback;
    }
    return parsed;
  }
  file(name: string): string | undefined {
    const path = this.text(name);
    if (path && !existsSync(path)) this.problems.push(`${name}: file ${path} does not exist`);
    return path;
  }
  /** A secret given directly (NAME) or as a file (NAME_FILE, e.g. a mounted Secret). */
  secret(name: string): string | undefined {
    const direct = this.text(name);
    const file = this.file(`${name}_FILE`);
    if (direct && file) this.problems.push(`${name} and ${name}_FILE: set only one of them`);
    if (file && existsSync(file)) return readFileSync(file, 'utf8').trim() || undefined;
    return direct;
  }
}

function hostPort(reader: Reader, name: string, fallback: string | undefined): string | undefined {
  const value = reader.text(name) ?? fallback;
  const port = value === undefined ? undefined : (/^[^\s:/]+:(\d{1,5})$/.exec(value) ?? /^\[[0-9a-fA-F:]+\]:(\d{1,5})$/.exec(value))?.[1];
  if (value !== undefined && (port === undefined || Number(port) < 1 || Number(port) > 65535)) {
    reader.problems.push(`${name}: must be host:port with a port from 1 to 65535, got "${value}"`);
  }
  return value;
}

/**
 * An https URL without credentials in it: plain http (a token in clear text) only with the explicit insecure setting,
 * and never a user:password part (it would be logged; tokens belong in their own variables).
 */
function checkUrl(reader: Reader, name: string, value: string, insecureSetting: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    reader.problems.push(`${name}: must be an https URL, got "${value.replace(/\/\/[^@/]*@/, '//<credentials>@')}"`);
    return;
  }
  if (url.username || url.password) reader.problems.push(`${name}: must not carry credentials (user:password@); give the token separately`);
  if (url.protocol === 'http:' && !reader.flag(insecureSetting, false))
    reader.problems.push(
      `${name}: plain http would send the token unencrypted: use https, or set ${insecureSetting}=true for a throw-away setup`,
    );
  else if (url.protocol !== 'http:' && url.protocol !== 'https:')
    reader.problems.push(`${name}: must be an https URL, got "${url.protocol}"`);
}

function kubeSource(reader: Reader, env: Env): KubeConfigSource | undefined {
  const server = reader.text('KUBE_API_SERVER');
  const kubeconfigPath = reader.text('KUBECONFIG');
  const insecureSkipTlsVerify = reader.flag('KUBE_INSECURE_SKIP_TLS_VERIFY', false);
  if (server) {
    checkUrl(reader, 'KUBE_API_SERVER', server, 'KUBE_ALLOW_INSECURE_HTTP');
    const token = reader.secret('KUBE_TOKEN');
    const caFile = reader.file('KUBE_CA_FILE');
    return { server, insecureSkipTlsVerify, ...(token ? { token } : {}), ...(caFile ? { caFile } : {}) };
  }
  const context = reader.text('KUBE_CONTEXT');
  if (kubeconfigPath) {
    for (const path of kubeconfigPath.split(':').filter(Boolean))
      if (!existsSync(path)) reader.problems.push(`KUBECONFIG: file ${path} does not exist`);
    return { kubeconfigPath, insecureSkipTlsVerify, ...(context ? { context } : {}) };
  }
  const home = join(homedir(), '.kube', 'config');
  if (existsSync(home)) return { kubeconfigPath: home, insecureSkipTlsVerify, ...(context ? { context } : {}) };
  if (env.KUBERNETES_SERVICE_HOST) return { insecureSkipTlsVerify };
  return undefined;
}

function awxConfig(reader: Reader): AwxConfig | undefined {
  const url = reader.text('AWX_URL');
  const token = reader.secret('AWX_TOKEN');
  if (!url) {
    if (token) reader.problems.push('AWX_URL: required when AWX_TOKEN is set (the AWX / AAP controller base URL)');
    return undefined;
  }
  checkUrl(reader, 'AWX_URL', url, 'AWX_ALLOW_INSECURE_HTTP');
  if (!token) reader.problems.push('AWX_TOKEN: required when AWX_URL is set (an AWX OAuth2 token; or AWX_TOKEN_FILE)');
  const caFile = reader.file('AWX_CA_FILE');
  const apiPath = reader.text('AWX_API_PATH');
  return {
    url: url.replace(/\/+$/, ''),
    ...(apiPath ? { apiPath } : {}),
    token: token ?? '',
    organizationId: reader.integer('AWX_ORGANIZATION_ID', 1, 1, Number.MAX_SAFE_INTEGER),
    insecureSkipTlsVerify: reader.flag('AWX_INSECURE_SKIP_TLS_VERIFY', false),
    requestTimeoutMs: reader.integer('AWX_REQUEST_TIMEOUT_MS', 30_000, 100, 600_000),
    ...(caFile ? { caFile } : {}),
  };
}

/** A comma-separated list; "*" allows anything (undefined). */
function listSetting(reader: Reader, name: string, fallback: string[] | undefined): string[] | undefined {
  const text = reader.text(name);
  if (text === undefined) return fallback;
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  return entries.includes('*') ? undefined : entries;
}

function allowListOf(reader: Reader, executionNamespace: string, serviceAccountName: string): RequestAllowList {
  const namespaces = listSetting(reader, 'ALLOWED_EXECUTION_NAMESPACES', [executionNamespace]);
  const serviceAccounts = listSetting(reader, 'ALLOWED_SERVICE_ACCOUNTS', [serviceAccountName]);
  const imagePrefixes = listSetting(reader, 'ALLOWED_IMAGE_PREFIXES', undefined);
  return {
    ...(namespaces ? { executionNamespaces: namespaces } : {}),
    ...(serviceAccounts ? { serviceAccounts } : {}),
    ...(imagePrefixes ? { imagePrefixes } : {}),
  };
}

/** A JSON value of the expected shape, or a problem naming the variable. */
function jsonSetting<T>(reader: Reader, name: string, check: (value: unknown) => boolean, shape: string): T | undefined {
  const text = reader.text(name);
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    if (check(value)) return value as T;
  } catch {
    // reported below
  }
  reader.problems.push(`${name}: must be JSON ${shape}`);
  return undefined;
}

const isStringMap = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((entry) => typeof entry === 'string');

function podSettingsOf(reader: Reader): ExecutionPodSettings {
  const resources = jsonSetting<ExecutionPodSettings['resources']>(
    reader,
    'EXECUTION_POD_RESOURCES',
    (value) =>
      typeof value === 'object' &&
      value !== null &&
      Object.entries(value).every(([key, entry]) => (key === 'requests' || key === 'limits') && isStringMap(entry)),
    'such as {"requests":{"cpu":"100m","memory":"128Mi"},"limits":{"memory":"256Mi"}}',
  );
  const nodeSelector = jsonSetting<Record<string, string>>(
    reader,
    'EXECUTION_POD_NODE_SELECTOR',
    isStringMap,
    'such as {"kubernetes.io/os":"linux"}',
  );
  const tolerations = jsonSetting<Record<string, unknown>[]>(
    reader,
    'EXECUTION_POD_TOLERATIONS',
    (value) => Array.isArray(value) && value.every((entry) => typeof entry === 'object' && entry !== null),
    'such as [{"key":"dedicated","operator":"Equal","value":"remediation","effect":"NoSchedule"}]',
  );
  const priorityClassName = reader.text('EXECUTION_POD_PRIORITY_CLASS');
  return {
    ...(resources ? { resources } : {}),
    ...(nodeSelector ? { nodeSelector } : {}),
    ...(tolerations ? { tolerations } : {}),
    ...(priorityClassName ? { priorityClassName } : {}),
  };
}

function podSecurityContextOf(reader: Reader): PodSecurityContextMode {
  const mode = reader.text('EXECUTION_POD_SECURITY_CONTEXT') ?? 'restricted';
  if ((POD_SECURITY_CONTEXT_MODES as readonly string[]).includes(mode)) return mode as PodSecurityContextMode;
  reader.problems.push(`EXECUTION_POD_SECURITY_CONTEXT: must be one of ${POD_SECURITY_CONTEXT_MODES.join(', ')}, got "${mode}"`);
  return 'restricted';
}

function sweeperConfig(reader: Reader, executionNamespace: string): SweeperConfig {
  const extra = (reader.text('SWEEPER_NAMESPACES') ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  for (const name of extra) if (!isDnsLabel(name)) reader.problems.push(`SWEEPER_NAMESPACES: "${name}" is not a namespace name`);
  return {
    schedule: reader.flag('SWEEPER_SCHEDULE', true),
    intervalMs: reader.integer('SWEEPER_INTERVAL_MS', 5 * 60_000, 10_000, 86_400_000),
    graceMs: reader.integer('SWEEPER_GRACE_MS', 10 * 60_000, 0, 7 * 86_400_000),
    namespaces: [...new Set([executionNamespace, ...extra])],
    maxActions: reader.integer('SWEEPER_MAX_ACTIONS', 200, 1, 10_000),
  };
}

export function loadConfig(env: Env = process.env): WorkerConfig {
  const reader = new Reader(env);
  let connection: TemporalConnection | undefined;
  try {
    connection = resolveTemporalConnection(env);
  } catch (error) {
    if (!(error instanceof TemporalConfigurationError)) throw error;
    reader.problems.push(...error.problems);
  }

  const executionNamespace = reader.text('EXECUTION_NAMESPACE') ?? DEFAULT_EXECUTION_NAMESPACE;
  if (!isDnsLabel(executionNamespace))
    reader.problems.push(`EXECUTION_NAMESPACE: must be a Kubernetes namespace name, got "${executionNamespace}"`);
  const serviceAccountName = reader.text('EXECUTION_SERVICE_ACCOUNT') ?? DEFAULT_SERVICE_ACCOUNT_NAME;
  if (!isDnsSubdomain(serviceAccountName))
    reader.problems.push(`EXECUTION_SERVICE_ACCOUNT: must be a ServiceAccount name, got "${serviceAccountName}"`);

  const kube = kubeSource(reader, env);
  const awx = awxConfig(reader);
  const available: Engine[] = [...(kube ? (['job', 'tekton'] as const) : []), ...(awx ? (['ansible'] as const) : [])];
  const requested = reader.text('EXECUTION_ENGINES');
  let engines = available;
  if (requested) {
    engines = [];
    for (const engine of requested
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean)) {
      if (!(ENGINES as readonly string[]).includes(engine))
        reader.problems.push(`EXECUTION_ENGINES: unknown engine "${engine}" (known: ${ENGINES.join(', ')})`);
      else if (!available.includes(engine as Engine)) {
        reader.problems.push(
          `EXECUTION_ENGINES: engine "${engine}" needs ${engine === 'ansible' ? 'AWX_URL and AWX_TOKEN' : 'Kubernetes access (KUBECONFIG, ~/.kube/config, in-cluster, or KUBE_API_SERVER)'}`,
        );
      } else engines.push(engine as Engine);
    }
  }
  if (engines.length === 0 && !requested) {
    reader.problems.push(
      'no execution engine is configured: give Kubernetes access (KUBECONFIG, in-cluster, or KUBE_API_SERVER) and/or AWX_URL + AWX_TOKEN',
    );
  }

  const metrics = reader.text('METRICS_BIND_ADDRESS') ?? '0.0.0.0:9464';
  const metricsBindAddress = metrics === 'off' ? undefined : hostPort(reader, 'METRICS_BIND_ADDRESS', metrics);
  const logLevel = (reader.text('LOG_LEVEL') ?? 'INFO').toUpperCase();
  if (!['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'].includes(logLevel))
    reader.problems.push(`LOG_LEVEL: must be one of TRACE, DEBUG, INFO, WARN, ERROR, got "${logLevel}"`);
  const maxCached = reader.text('MAX_CACHED_WORKFLOWS') === undefined ? undefined : reader.integer('MAX_CACHED_WORKFLOWS', 0, 0, 1_000_000);

  const config: WorkerConfig = {
    temporal: {
      ...(connection ?? { address: 'localhost:7233', namespace: 'default', deprecated: [] }),
      taskQueue: reader.text('TEMPORAL_TASK_QUEUE') ?? DEFAULT_TASK_QUEUE,
    },
    ...(kube ? { kube } : {}),
    ...(awx ? { awx } : {}),
    engines,
    executionNamespace,
    serviceAccountName,
    ...(metricsBindAddress ? { metricsBindAddress } : {}),
    logLevel: logLevel as WorkerConfig['logLevel'],
    maxConcurrentActivities: reader.integer('MAX_CONCURRENT_ACTIVITIES', 100, 1, 10_000),
    maxConcurrentWorkflowTasks: reader.integer('MAX_CONCURRENT_WORKFLOW_TASKS', 40, 1, 10_000),
    ...(maxCached === undefined ? {} : { maxCachedWorkflows: maxCached }),
    shutdownGraceMs: reader.integer('SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
    jobTtlSecondsAfterFinished: reader.integer('JOB_TTL_SECONDS_AFTER_FINISHED', 7 * 86_400, 600, 365 * 86_400),
    podSecurityContext: podSecurityContextOf(reader),
    allowed: allowListOf(reader, executionNamespace, serviceAccountName),
    podSettings: podSettingsOf(reader),
    watchCompletion: reader.flag('WATCH_COMPLETION', true),
    sweeper: sweeperConfig(reader, executionNamespace),
  };
  if (config.kube) config.kube.requestTimeoutMs = reader.integer('KUBE_REQUEST_TIMEOUT_MS', 30_000, 100, 600_000);
  if (reader.problems.length > 0) throw new ConfigurationProblems(reader.problems);
  return config;
}

/** The configuration with secrets replaced, for the start-up log line. */
export function describeConfig(config: WorkerConfig): Record<string, unknown> {
  return {
    temporal: { ...describeTemporalConnection(config.temporal), taskQueue: config.temporal.taskQueue },
    kube: config.kube ? { ...config.kube, ...(config.kube.token ? { token: '<redacted>' } : {}) } : 'not configured',
    awx: config.awx ? { ...config.awx, token: '<redacted>' } : 'not configured',
    engines: config.engines,
    executionNamespace: config.executionNamespace,
    serviceAccountName: config.serviceAccountName,
    metricsBindAddress: config.metricsBindAddress ?? 'off',
    jobTtlSecondsAfterFinished: config.jobTtlSecondsAfterFinished,
    podSecurityContext: config.podSecurityContext,
    allowed: config.allowed,
    podSettings: config.podSettings,
    sweeper: config.sweeper,
  };
}
