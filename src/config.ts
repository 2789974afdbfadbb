/**
 * Worker configuration from environment variables only, validated at start: one error lists every bad or missing
 * variable. Secret values (tokens) are read here and never logged; `describeConfig` shows a redacted view.
 */

import { awxConfig } from './config/awx.ts';
import { allowListOf, podSecurityContextOf, podSettingsOf } from './config/execution.ts';
import { kubeSource } from './config/kube.ts';
import { type Env, hostPort, Reader } from './config/reader.ts';
import { sweeperConfig } from './config/sweeper.ts';
import type { RequestAllowList } from './domain/allow-list.ts';
import { DEFAULT_EXECUTION_NAMESPACE, DEFAULT_SERVICE_ACCOUNT_NAME, DEFAULT_TASK_QUEUE } from './domain/constants.ts';
import { isDnsLabel, isDnsSubdomain } from './domain/labels.ts';
import type { ExecutionPodSettings, PodSecurityContextMode } from './domain/manifests.ts';
import { ENGINES, type Engine } from './domain/types.ts';
import {
  describeTemporalConnection,
  resolveTemporalConnection,
  TemporalConfigurationError,
  type TemporalConnection,
} from './temporal-connection.ts';

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
