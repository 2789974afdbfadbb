/**
 * The benchmark's moving parts: a dev server (or, with `postgres`, the Temporal server v1.29.1 on PostgreSQL of
 * scripts/lib/temporal-postgres), the Kubernetes sandbox, the workers as child processes on one task queue (memory of
 * the first sampled), CPU accounting from /proc, and helpers to start many workflows and wait for them through
 * visibility (not one long poll each).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { KubeSandbox } from '../../sandbox/kube/server.ts';
import { startDevServer } from '../../scripts/lib/dev-server.ts';
import { PROJECT_ROOT } from '../../scripts/lib/paths.ts';
import { ensureTemporalCli } from '../../scripts/lib/temporal-cli.ts';
import { startTemporalPostgres, type TemporalPostgres } from '../../scripts/lib/temporal-postgres/stack.ts';
import { startWorkerPool, type WorkerPool } from '../../scripts/lib/temporal-postgres/worker-pool.ts';
import { type ApiRequestCounter, countApiRequests } from './api-requests.ts';
import { type CpuReading, cpuWindow } from './cpu.ts';

const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: (message: string) => console.error(message) };

export interface MemorySample {
  time: number;
  rss: number;
  heapUsed: number;
  heapTotal?: number;
  external?: number;
  rssAnon?: number;
  rssFile?: number;
  /** The main thread's V8 heap by space (new_space, old_space, code_space, large_object_space, …). */
  spaces?: Record<string, number>;
}

/** One worker process pool on its own task queue and execution namespace, with the first worker's memory. */
export interface Pool {
  name: string;
  workers: WorkerPool;
  taskQueue: string;
  /** Where its executions run: each pool's watch sees only its own namespace's Jobs and PipelineRuns. */
  executionNamespace: string;
  memory: MemorySample[];
}

export interface Harness {
  server: { address: string; kind: string; stop(): Promise<void> };
  /** The PostgreSQL-backed stack, when the harness runs on it. */
  stack?: TemporalPostgres;
  kube: KubeSandbox;
  /** Kubernetes API requests of the workers since the start, per execution and shared. */
  apiRequests: ApiRequestCounter;
  workers: WorkerPool;
  /** Starts a CPU window over the workers, the Temporal server, PostgreSQL and the benchmark process itself. */
  cpu(): () => CpuReading;
  client: Client;
  taskQueue: string;
  memory: MemorySample[];
  /** The measured pool (`watch`, the default configuration) and, unless on PostgreSQL, `noWatch` (WATCH_COMPLETION=false). */
  pools: { watch: Pool; noWatch?: Pool };
  /** Runs `count` starts with at most `parallel` in flight. */
  startMany(count: number, parallel: number, start: (index: number) => Promise<unknown>): Promise<void>;
  /**
   * Waits until no workflow whose ID (or WorkflowExecutionName) starts with `prefix` is running; fails only when none
   * has closed for `stallMs` (a busy machine slows the drain, it does not fail it).
   */
  waitDrained(prefix: string, stallMs: number): Promise<void>;
  /** Start and close times of the closed workflows whose ID (or WorkflowExecutionName) starts with `prefix`. */
  closed(prefix: string): Promise<{ workflowId: string; runId: string; start: number; close: number; status: string }[]>;
  stop(): Promise<void>;
}

export async function startHarness(
  options: { maxCachedWorkflows?: number; postgres?: boolean; workers?: number; noWatchPool?: boolean } = {},
): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-'));
  const cliPath = await ensureTemporalCli();
  process.env.TEMPORAL_CLI_PATH = cliPath;
  // Timers fire up to 1 s late by default (history.timerProcessorMaxTimeShift); the benchmark scales time down, so it
  // runs the server with 100 ms precision, as the tests do.
  let stack: TemporalPostgres | undefined;
  let server: Harness['server'];
  let serverPids: () => number[];
  if (options.postgres) {
    stack = await startTemporalPostgres({ dynamicConfig: { 'history.timerProcessorMaxTimeShift': '100ms' } });
    const started = stack;
    server = {
      address: stack.address,
      kind: `Temporal server ${stack.versions.server} on PostgreSQL ${stack.versions.postgres}`,
      stop: () => started.stop(),
    };
    serverPids = () => started.pids().server;
  } else {
    const dev = await startDevServer({
      cliPath,
      dbFile: join(dir, 'temporal.db'),
      logFile: join(dir, 'temporal.log'),
      extraArgs: ['--dynamic-config-value', 'history.timerProcessorMaxTimeShift="100ms"'],
    });
    server = { address: dev.address, kind: 'temporal server start-dev (SQLite)', stop: () => dev.stop() };
    serverPids = () => (dev.process.pid ? [dev.process.pid] : []);
  }
  const kube = await KubeSandbox.start({ kubeconfigPath: join(dir, 'kubeconfig') });
  // Before any worker starts, so their first list and watch are counted too.
  const apiRequests = countApiRequests(kube);
  const { code } = await bundleWorkflowCode({ workflowsPath: join(PROJECT_ROOT, 'bench/workflows.ts'), logger: quiet });
  writeFileSync(join(dir, 'bench-bundle.js'), code);
  kube.jobs.startDelayMs = 0;
  const stamp = Date.now().toString(36);
  const startPool = (name: string, size: number, env: Record<string, string>): Pool => {
    const memory: MemorySample[] = [];
    const buffers = new Map<number, string>();
    const taskQueue = `bench-${name}-${stamp}`;
    const executionNamespace = env.EXECUTION_NAMESPACE ?? 'kubernaut-workflows';
    kube.createNamespace(executionNamespace);
    const workers = startWorkerPool({
      size,
      entry: join(PROJECT_ROOT, 'bench/worker.ts'),
      readyPattern: /"ready":true/,
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: server.address,
        TEMPORAL_TASK_QUEUE: taskQueue,
        KUBECONFIG: join(dir, 'kubeconfig'),
        EXECUTION_ENGINES: 'job,tekton',
        BENCH_WORKFLOW_BUNDLE: join(dir, 'bench-bundle.js'),
        METRICS_BIND_ADDRESS: 'off',
        LOG_LEVEL: 'ERROR',
        SWEEPER_SCHEDULE: 'off',
        // Memory tuning of the measured worker (README, Performance; the image sets the same): fewer malloc arenas, a
        // capped V8 heap, a small young generation.
        MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2',
        NODE_OPTIONS: process.env.BENCH_WORKER_NODE_OPTIONS ?? '--max-old-space-size=256 --max-semi-space-size=2',
        ...(options.maxCachedWorkflows ? { MAX_CACHED_WORKFLOWS: String(options.maxCachedWorkflows) } : {}),
        EXECUTION_NAMESPACE: executionNamespace,
        ...env,
      },
      // Memory samples of the first worker; anything that is not a JSON line (errors) goes to stderr.
      onOutput: (chunk, index) => {
        const lines = ((buffers.get(index) ?? '') + chunk).split('\n');
        buffers.set(index, lines.pop() ?? '');
        for (const line of lines) {
          if (!line.startsWith('{')) {
            if (line.trim()) process.stderr.write(`worker ${name} ${index}: ${line}\n`);
            continue;
          }
          const message = JSON.parse(line) as { ready?: boolean; memory?: MemorySample };
          if (message.memory && index === 0) memory.push(message.memory);
        }
      },
    });
    return { name, workers, taskQueue, executionNamespace, memory };
  };
  const watch = startPool('watch', options.workers ?? 1, {});
  // The same worker with the completion watch off, in its own namespace so the other pool's watch never signals it.
  const noWatch =
    options.noWatchPool && !options.postgres
      ? startPool('nowatch', 1, { WATCH_COMPLETION: 'false', EXECUTION_NAMESPACE: 'kubernaut-nowatch' })
      : undefined;
  const { workers, taskQueue, memory } = watch;
  await Promise.all([workers.ready(), noWatch?.workers.ready()]);
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });

  // Baseline workflows are found by their workflow ID; executions (whose workflow ID is their target's name, wfe-…) by
  // the WorkflowExecutionName the client sets at start.
  const queues = [watch, noWatch].flatMap((pool) => (pool ? [`TaskQueue = '${pool.taskQueue}'`] : [])).join(' OR ');
  const byPrefix = (prefix: string) =>
    `(${queues}) AND (WorkflowId STARTS_WITH '${prefix}' OR WorkflowExecutionName STARTS_WITH '${prefix}')`;
  const countRunning = async (prefix: string) => (await client.workflow.count(`${byPrefix(prefix)} AND ExecutionStatus = 'Running'`)).count;

  return {
    server,
    ...(stack ? { stack } : {}),
    kube,
    apiRequests,
    workers,
    cpu: () =>
      cpuWindow(() => {
        const postgres = stack?.pids().postgres ?? [];
        return {
          workers: { pids: workers.pids() },
          ...(noWatch ? { noWatchWorkers: { pids: noWatch.workers.pids() } } : {}),
          server: { pids: serverPids() },
          ...(postgres.length > 0 ? { postgres: { pids: postgres, withChildren: postgres[0] as number } } : {}),
        };
      }),
    client,
    taskQueue,
    memory,
    pools: { watch, ...(noWatch ? { noWatch } : {}) },
    async startMany(count, parallel, start) {
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(parallel, count) }, async () => {
          while (next < count) await start(next++);
        }),
      );
    },
    async waitDrained(prefix, stallMs) {
      let last = Number.POSITIVE_INFINITY;
      let movedAt = Date.now();
      for (let running = await countRunning(prefix); running > 0; running = await countRunning(prefix)) {
        if (running < last) [last, movedAt] = [running, Date.now()];
        else if (Date.now() - movedAt > stallMs)
          throw new Error(`workflows ${prefix}*: ${running} still running, none closed for ${stallMs / 1000} s`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    },
    async closed(prefix) {
      const rows = [];
      for await (const execution of client.workflow.list({ query: byPrefix(prefix) })) {
        if (!execution.closeTime) continue;
        rows.push({
          workflowId: execution.workflowId,
          runId: execution.runId,
          start: execution.startTime.getTime(),
          close: execution.closeTime.getTime(),
          status: execution.status.name,
        });
      }
      return rows;
    },
    async stop() {
      await Promise.all([workers.stop(), noWatch?.workers.stop()]);
      await connection.close();
      apiRequests.stop();
      await kube.stop();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
