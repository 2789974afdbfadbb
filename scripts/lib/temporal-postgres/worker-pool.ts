/**
 * Several worker processes on one task queue, as a Deployment with replicas runs them: each is `node <entry>` with the
 * given environment; one that exits on its own is started again after a short delay (a pod's restart policy) and
 * counted. kill() is a SIGKILL with an immediate replacement; restart() a graceful stop (SIGTERM: the worker stops
 * polling and drains) followed by a replacement that is polling before it returns; rollingRestart() does that to every
 * worker, one after the other.
 */
import { type ChildProcess, spawn } from 'node:child_process';

export interface WorkerPoolOptions {
  size: number;
  /** The worker's entry script (src/worker.ts, bench/worker.ts). */
  entry: string;
  env: Record<string, string | undefined>;
  /** A line of the worker's output that says it is polling (src/worker.ts logs "worker polling" at INFO). */
  readyPattern?: RegExp;
  /** Every chunk of every worker's stdout and stderr (the chaos run scans them for secrets). */
  onOutput?: (chunk: string, index: number) => void;
  /** Delay before a worker that exited on its own is started again. */
  restartDelayMs?: number;
  /** How long a graceful stop may take before SIGKILL. */
  stopTimeoutMs?: number;
}

export interface WorkerPool {
  readonly size: number;
  /** Live worker process IDs. */
  pids(): number[];
  /** Workers that exited without being asked to (each was started again). */
  readonly unexpectedExits: number;
  /** Why the last unexpected exits happened (exit code or signal, and the output's last line). */
  readonly exitNotes: string[];
  /** SIGKILL of one worker (the given index, else the first) and an immediate replacement. */
  kill(index?: number): void;
  /** Graceful stop of one worker, then a replacement; resolves once the replacement is polling. */
  restart(index: number): Promise<void>;
  /** restart() of every worker in turn, with a pause between them. */
  rollingRestart(pauseMs?: number): Promise<void>;
  /** Starts or gracefully stops workers until `size` run; resolves once all are polling. */
  resize(size: number): Promise<void>;
  /** Resolves once every worker is polling. */
  ready(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

interface Slot {
  child: ChildProcess;
  ready: Promise<void>;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
  expectedExit: boolean;
}

const live = new Set<ChildProcess>();
// Workers must never outlive the process that started them.
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export function startWorkerPool(options: WorkerPoolOptions): WorkerPool {
  const slots: (Slot | undefined)[] = [];
  const exitNotes: string[] = [];
  let unexpectedExits = 0;
  let stopped = false;

  const spawnAt = (index: number): Slot => {
    const child = spawn(process.execPath, [options.entry], { env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let lastLine = '';
    let markReady: () => void = () => {};
    const ready = new Promise<void>((resolve) => {
      markReady = resolve;
    });
    if (!options.readyPattern) markReady();
    for (const stream of [child.stdout, child.stderr]) {
      stream?.on('data', (chunk: Buffer) => {
        const text = chunk.toString('utf8');
        options.onOutput?.(text, index);
        if (options.readyPattern?.test(text)) markReady();
        lastLine = text.trim().split('\n').at(-1) ?? lastLine;
      });
    }
    live.add(child);
    const exited = new Promise<void>((resolve) =>
      child.once('exit', () => {
        live.delete(child);
        resolve();
      }),
    );
    const slot: Slot = { child, ready, exited, expectedExit: false };
    child.once('exit', (code, signal) => {
      if (slot.expectedExit || stopped || slots[index] !== slot) return;
      unexpectedExits++;
      exitNotes.push(`worker ${index} exited (${signal ?? code}): ${lastLine.slice(0, 300)}`);
      setTimeout(() => {
        if (!stopped && slots[index] === slot) slots[index] = spawnAt(index);
      }, options.restartDelayMs ?? 1000);
    });
    return slot;
  };

  const stopSlot = async (slot: Slot | undefined): Promise<void> => {
    if (!slot) return;
    slot.expectedExit = true;
    const { child } = slot;
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), options.stopTimeoutMs ?? 30_000);
    await slot.exited;
    clearTimeout(timer);
  };

  const waitReady = async (timeoutMs: number): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    // A slot may be replaced (a crash) while we wait: wait for whatever runs in it now.
    for (let index = 0; index < slots.length; index++) {
      for (;;) {
        const slot = slots[index];
        if (!slot) break;
        const outcome = await Promise.race([
          slot.ready.then(() => 'ready' as const),
          slot.exited.then(() => 'exited' as const),
          new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now())).unref()),
        ]);
        if (outcome === 'ready') break;
        if (outcome === 'timeout') throw new Error(`worker ${index} not polling after ${timeoutMs} ms (${exitNotes.at(-1) ?? 'no exit'})`);
        await new Promise((resolve) => setTimeout(resolve, (options.restartDelayMs ?? 1000) + 100));
      }
    }
  };

  for (let index = 0; index < options.size; index++) slots.push(spawnAt(index));

  const pool: WorkerPool = {
    get size() {
      return slots.length;
    },
    get unexpectedExits() {
      return unexpectedExits;
    },
    exitNotes,
    pids: () => slots.flatMap((slot) => (slot?.child.pid && slot.child.exitCode === null ? [slot.child.pid] : [])),
    kill(index = 0) {
      const slot = slots[index];
      if (!slot) return;
      slot.expectedExit = true;
      slot.child.kill('SIGKILL');
      slots[index] = spawnAt(index);
    },
    async restart(index) {
      await stopSlot(slots[index]);
      const slot = spawnAt(index);
      slots[index] = slot;
      await waitReady(120_000);
    },
    async rollingRestart(pauseMs = 0) {
      for (let index = 0; index < slots.length; index++) {
        await pool.restart(index);
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
      }
    },
    async resize(size) {
      while (slots.length > size) await stopSlot(slots.pop());
      while (slots.length < size) slots.push(spawnAt(slots.length));
      await waitReady(120_000);
    },
    ready: (timeoutMs = 120_000) => waitReady(timeoutMs),
    async stop() {
      stopped = true;
      await Promise.all(slots.map((slot) => stopSlot(slot)));
    },
  };
  return pool;
}
