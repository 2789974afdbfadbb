/**
 * The benchmark's moving parts: a dev server, the Kubernetes sandbox, the worker as a child process (memory sampled),
 * and helpers to start many workflows and wait for them through visibility (not one long poll each).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { type DevServer, startDevServer } from '../../scripts/lib/dev-server.ts';
import { PROJECT_ROOT } from '../../scripts/lib/paths.ts';
import { stopProcess } from '../../scripts/lib/processes.ts';
import { ensureTemporalCli } from '../../scripts/lib/temporal-cli.ts';
import { KubeSandbox } from '../../src/sandbox/kube/server.ts';

const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: (message: string) => console.error(message) };

export interface MemorySample {
  time: number;
  rss: number;
  heapUsed: number;
  heapTotal?: number;
  external?: number;
}

export interface Harness {
  server: DevServer;
  kube: KubeSandbox;
  client: Client;
  taskQueue: string;
  memory: MemorySample[];
  /** Runs `count` starts with at most `parallel` in flight. */
  startMany(count: number, parallel: number, start: (index: number) => Promise<unknown>): Promise<void>;
  /** Waits until no workflow of the task queue whose ID starts with `prefix` is running. */
  waitDrained(prefix: string, timeoutMs: number): Promise<void>;
  /** Start and close times of the closed workflows whose ID starts with `prefix`. */
  closed(prefix: string): Promise<{ workflowId: string; runId: string; start: number; close: number; status: string }[]>;
  stop(): Promise<void>;
}

export async function startHarness(options: { maxCachedWorkflows?: number } = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-'));
  const cliPath = await ensureTemporalCli();
  // Timers fire up to 1 s late by default (history.timerProcessorMaxTimeShift); the benchmark scales time down, so it
  // runs the server with 100 ms precision, as the tests do.
  const server = await startDevServer({
    cliPath,
    dbFile: join(dir, 'temporal.db'),
    logFile: join(dir, 'temporal.log'),
    extraArgs: ['--dynamic-config-value', 'history.timerProcessorMaxTimeShift="100ms"'],
  });
  const kube = await KubeSandbox.start({ kubeconfigPath: join(dir, 'kubeconfig') });
  const { code } = await bundleWorkflowCode({ workflowsPath: join(PROJECT_ROOT, 'bench/workflows.ts'), logger: quiet });
  writeFileSync(join(dir, 'bench-bundle.js'), code);
  kube.jobs.startDelayMs = 0;
  const taskQueue = `bench-${Date.now().toString(36)}`;
  const memory: MemorySample[] = [];
  const worker: ChildProcess = spawn(process.execPath, [join(PROJECT_ROOT, 'bench/worker.ts')], {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: server.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      KUBECONFIG: join(dir, 'kubeconfig'),
      EXECUTION_ENGINES: 'job,tekton',
      BENCH_WORKFLOW_BUNDLE: join(dir, 'bench-bundle.js'),
      METRICS_BIND_ADDRESS: 'off',
      LOG_LEVEL: 'ERROR',
      // Memory tuning of the measured worker (README, Performance): fewer malloc arenas, a capped V8 heap.
      MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2',
      NODE_OPTIONS: process.env.BENCH_WORKER_NODE_OPTIONS ?? '--max-old-space-size=256',
      ...(options.maxCachedWorkflows ? { MAX_CACHED_WORKFLOWS: String(options.maxCachedWorkflows) } : {}),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let buffer = '';
  const ready = new Promise<void>((resolve, reject) => {
    worker.once('exit', (code) => reject(new Error(`bench worker exited with ${code}`)));
    worker.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.startsWith('{')) continue;
        const message = JSON.parse(line) as { ready?: boolean; memory?: MemorySample };
        if (message.ready) resolve();
        if (message.memory) memory.push(message.memory);
      }
    });
  });
  await ready;
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });

  const countRunning = async (prefix: string) =>
    (await client.workflow.count(`TaskQueue = '${taskQueue}' AND WorkflowId STARTS_WITH '${prefix}' AND ExecutionStatus = 'Running'`))
      .count;

  return {
    server,
    kube,
    client,
    taskQueue,
    memory,
    async startMany(count, parallel, start) {
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(parallel, count) }, async () => {
          while (next < count) await start(next++);
        }),
      );
    },
    async waitDrained(prefix, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while ((await countRunning(prefix)) > 0) {
        if (Date.now() > deadline) throw new Error(`workflows ${prefix}* still running after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    },
    async closed(prefix) {
      const rows = [];
      for await (const execution of client.workflow.list({ query: `TaskQueue = '${taskQueue}' AND WorkflowId STARTS_WITH '${prefix}'` })) {
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
      await stopProcess(worker);
      await connection.close();
      await kube.stop();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
