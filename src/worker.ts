/**
 * The worker process: configuration from the environment, executors for the configured backends, a Temporal Worker
 * on the task queue, Prometheus metrics and JSON logs, and a graceful shutdown on SIGTERM / SIGINT.
 */
import './runtime-support.ts';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type NativeConnectionOptions, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from './activities/index.ts';
import { createOutputActivities } from './activities/output.ts';
import { loadKubeConfig } from './clients/kube.ts';
import { ConfigurationProblems, describeConfig, loadConfig, type TemporalConfig, type WorkerConfig } from './config.ts';
import type { ExecutionHandle } from './domain/types.ts';
import { isEntryPoint } from './entry-point.ts';
import { createJsonLogger } from './logging.ts';
import { buildRegistry } from './registry-factory.ts';
import { createSweeperActivities } from './sweeper/activities.ts';
import { ensureSweeperSchedule } from './sweeper/schedule.ts';
import { OrphanSweeper } from './sweeper/sweeper.ts';
import { sdkConnectionOptions } from './temporal-connection.ts';
import { startTracing, type Tracing } from './tracing.ts';
import { CompletionWatcher } from './watch/completion-watcher.ts';
import { freeLoopbackPort, startWorkerEndpoint } from './worker-endpoint.ts';
import { backendChangedSignal } from './workflows/definitions.ts';

/** Where the workflow code comes from: a prebuilt bundle (dist/ or WORKFLOW_BUNDLE_PATH), else the sources. */
export function workflowSource(
  env: Record<string, string | undefined> = process.env,
  options: { prebuilt?: boolean } = {},
): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> {
  const explicit = env.WORKFLOW_BUNDLE_PATH;
  if (explicit && options.prebuilt !== false) return { workflowBundle: { codePath: explicit } };
  const prebuilt = fileURLToPath(new URL('./workflow-bundle.js', import.meta.url));
  if (existsSync(prebuilt) && options.prebuilt !== false) return { workflowBundle: { codePath: prebuilt } };
  const extension = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  return { workflowsPath: fileURLToPath(new URL(`./workflows/index.${extension}`, import.meta.url)) };
}

export function connectionOptions(temporal: TemporalConfig): NativeConnectionOptions {
  return sdkConnectionOptions(temporal);
}

export interface RunningWorker {
  worker: Worker;
  connection: NativeConnection;
  client: Client;
  /** The client's connection (for Temporal's health check). */
  clientConnection: Connection;
  /** What the worker did about the orphan sweeper's schedule at start. */
  sweeperSchedule: 'created' | 'exists' | 'off' | `failed: ${string}`;
  /** Runs until shutdown; resolves after a graceful drain. */
  run(): Promise<void>;
  close(): Promise<void>;
}

/** Builds the worker from a configuration (used by the process entrypoint, `npm start` and tests). */
export async function createWorker(
  config: WorkerConfig,
  overrides: Partial<WorkerOptions> = {},
  options: { tracing?: Tracing } = {},
): Promise<RunningWorker> {
  const built = await buildRegistry(config);
  const connection = await NativeConnection.connect(connectionOptions(config.temporal));
  // The sweeper asks Temporal whether an orphan's execution still has an open run.
  const clientConnection = await Connection.connect(connectionOptions(config.temporal));
  const plugins = options.tracing ? [options.tracing.plugin] : [];
  const client = new Client({ connection: clientConnection, namespace: config.temporal.namespace, plugins });
  const sweeper = new OrphanSweeper({
    temporal: client,
    namespaces: config.sweeper.namespaces,
    kube: built.kube,
    awx: built.awx,
  });
  const watcher = startCompletionWatcher(config, client);
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    // With tracing the workflows are bundled at start, so the tracing interceptors are compiled in.
    ...(options.tracing ? { ...workflowSource(process.env, { prebuilt: false }), plugins } : workflowSource()),
    activities: {
      ...createActivities({
        registry: built.registry,
        defaultExecutionNamespace: config.executionNamespace,
        defaultServiceAccountName: config.serviceAccountName,
        allowed: config.allowed,
        isWatched: watcher && ((handle: ExecutionHandle) => isWatched(watcher, handle)),
      }),
      ...createSweeperActivities(sweeper, config.sweeper),
      ...createOutputActivities({ registry: built.registry, temporal: client }),
      // Added to the worker's own (the benchmark's no-op activity), never instead of them.
      ...overrides.activities,
    },
    maxConcurrentActivityTaskExecutions: config.maxConcurrentActivities,
    maxConcurrentLocalActivityExecutions: config.maxConcurrentActivities,
    maxConcurrentWorkflowTaskExecutions: config.maxConcurrentWorkflowTasks,
    ...(config.maxCachedWorkflows === undefined ? {} : { maxCachedWorkflows: config.maxCachedWorkflows }),
    shutdownGraceTime: config.shutdownGraceMs,
    ...withoutActivities(overrides),
  });
  const close = async () => {
    await watcher?.stop();
    await connection.close();
    await clientConnection.close();
    await built.close();
  };
  // A schedule that cannot be created (no permission on the namespace) must not stop executions: the worker says so.
  const sweeperSchedule = config.sweeper.schedule
    ? await ensureSweeperSchedule(client, { taskQueue: config.temporal.taskQueue, ...config.sweeper }).catch(
        (error: Error) => `failed: ${error.message}` as const,
      )
    : 'off';
  return { worker, connection, client, clientConnection, sweeperSchedule, run: () => worker.run(), close };
}

function withoutActivities({ activities: _activities, ...rest }: Partial<WorkerOptions>): Partial<WorkerOptions> {
  return rest;
}

/** The watch on the execution namespaces' Jobs and PipelineRuns, when this worker runs those engines (WATCH_COMPLETION). */
function startCompletionWatcher(config: WorkerConfig, client: Client): CompletionWatcher | undefined {
  const kinds = [
    ...(config.engines.includes('job') ? (['Job'] as const) : []),
    ...(config.engines.includes('tekton') ? (['PipelineRun'] as const) : []),
  ];
  if (!config.kube || !config.watchCompletion || kinds.length === 0) return undefined;
  const watcher = new CompletionWatcher({
    // Watches stay open for minutes: no request timeout on their connection (the API server ends them itself).
    config: loadKubeConfig({ ...config.kube, requestTimeoutMs: 0 }),
    namespaces: config.sweeper.namespaces,
    kinds: [...kinds],
    notify: async (workflowId, change) => {
      await client.workflow.getHandle(workflowId).signal(backendChangedSignal, change);
    },
    log: (message, attributes) => Runtime.instance().logger.info(message, attributes),
  });
  void watcher.start();
  return watcher;
}

function isWatched(watcher: CompletionWatcher, handle: ExecutionHandle): boolean {
  if (handle.engine === 'ansible') return false;
  return watcher.isWatching(handle.executionNamespace, handle.engine === 'job' ? 'Job' : 'PipelineRun');
}

/** Installs the runtime: JSON logs and the Prometheus endpoint (Temporal's metrics and ours). */
export function installRuntime(config: Pick<WorkerConfig, 'logLevel' | 'metricsBindAddress'>): void {
  Runtime.install({
    logger: createJsonLogger(config.logLevel),
    telemetryOptions: {
      logging: { forward: {}, filter: { core: 'WARN', other: 'WARN' } },
      // Prometheus conventions: counters end in _total, durations in seconds with the unit in the name.
      ...(config.metricsBindAddress
        ? {
            metrics: {
              prometheus: {
                bindAddress: config.metricsBindAddress,
                countersTotalSuffix: true,
                unitSuffix: true,
                useSecondsForDurations: true,
              },
            },
          }
        : {}),
    },
  });
}

async function main(): Promise<void> {
  let config: WorkerConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigurationProblems) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  // The runtime's Prometheus exporter listens on loopback; METRICS_BIND_ADDRESS serves it with the health endpoints.
  const runtimeMetrics = config.metricsBindAddress ? `127.0.0.1:${await freeLoopbackPort()}` : undefined;
  installRuntime({ logLevel: config.logLevel, ...(runtimeMetrics ? { metricsBindAddress: runtimeMetrics } : {}) });
  const logger = Runtime.instance().logger;
  logger.info('kubernaut execution worker starting', describeConfig(config));
  for (const note of config.temporal.deprecated) logger.warn(note);
  const tracing = startTracing();
  if (tracing) logger.info('tracing: spans exported over OTLP', { endpoint: tracing.endpoint });
  const running = await createWorker(config, {}, tracing ? { tracing } : {});
  if (running.sweeperSchedule.startsWith('failed'))
    logger.warn('orphan sweeper schedule not created: run `kubernaut-exec sweep` by hand or fix the permission', {
      error: running.sweeperSchedule,
    });
  logger.info('worker polling', {
    taskQueue: config.temporal.taskQueue,
    engines: config.engines,
    sweeperSchedule: running.sweeperSchedule,
  });
  const endpoint = config.metricsBindAddress
    ? await startWorkerEndpoint({
        bindAddress: config.metricsBindAddress,
        ...(runtimeMetrics ? { metricsUpstream: `http://${runtimeMetrics}/metrics` } : {}),
        worker: running.worker,
        client: running.client,
        connection: running.clientConnection,
      })
    : undefined;
  if (endpoint) logger.info('endpoint serving /metrics, /healthz, /readyz', { url: endpoint.url });
  try {
    await running.run(); // Runtime handles SIGINT/SIGTERM: the worker stops polling and drains.
  } finally {
    await endpoint?.close();
    await running.close();
    await tracing?.shutdown();
    logger.info('worker stopped');
  }
}

if (isEntryPoint(import.meta.url)) {
  main().catch((error) => {
    process.stderr.write(
      `${JSON.stringify({ time: new Date().toISOString(), level: 'ERROR', message: 'worker failed', error: (error as Error).message })}\n`,
    );
    process.exit(1);
  });
}
