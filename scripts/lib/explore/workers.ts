/**
 * Worker child processes (`src/worker.ts` configured by env, as in the chaos run), their log lines, and kill lanes: a
 * task queue with a worker of its own, so a SIGKILL hits only the one scenario running on that lane.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../paths.ts';
import { stopProcess } from '../processes.ts';

export interface LogLine {
  worker: string;
  text: string;
}

export class WorkerFleet {
  readonly logLines: LogLine[] = [];
  private readonly baseEnv: Record<string, string | undefined>;
  private readonly children = new Set<ChildProcess>();
  private spawned = 0;

  constructor(baseEnv: Record<string, string | undefined>) {
    this.baseEnv = baseEnv;
  }

  /** Starts a worker on a task queue; resolves once it reports that it is polling (or exits). */
  async start(taskQueue: string): Promise<ChildProcess> {
    const id = `w${++this.spawned}@${taskQueue}`;
    const child = spawn(process.execPath, [join(PROJECT_ROOT, 'src/worker.ts')], {
      env: { ...this.baseEnv, TEMPORAL_TASK_QUEUE: taskQueue },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    const polling = new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      for (const stream of [child.stdout, child.stderr]) {
        let partial = '';
        stream?.on('data', (chunk: Buffer) => {
          const lines = (partial + chunk.toString('utf8')).split('\n');
          partial = lines.pop() ?? '';
          for (const text of lines) {
            this.logLines.push({ worker: id, text });
            if (text.includes('worker polling')) resolve();
          }
        });
        stream?.on('end', () => {
          if (partial) this.logLines.push({ worker: id, text: partial });
        });
      }
    });
    // The log line says when it polls; a worker that logs differently is taken as ready after a while.
    await Promise.race([polling, new Promise((resolve) => setTimeout(resolve, 20_000).unref())]);
    if (child.exitCode !== null) throw new Error(`worker ${id} exited with code ${child.exitCode} before polling`);
    return child;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.children].map((child) => stopProcess(child, 3000)));
  }
}

/** A task queue served by exactly one worker process at a time; kill-scenarios run on it one after another. */
export class KillLane {
  readonly taskQueue: string;
  private readonly fleet: WorkerFleet;
  private current?: ChildProcess;
  kills = 0;

  constructor(fleet: WorkerFleet, taskQueue: string) {
    this.fleet = fleet;
    this.taskQueue = taskQueue;
  }

  async start(): Promise<void> {
    this.current = await this.fleet.start(this.taskQueue);
  }

  /** SIGKILLs the lane's worker, lets `between` run while no worker serves the lane, then starts a new one. */
  async killAndReplace(between: () => void = () => {}): Promise<void> {
    const victim = this.current;
    if (victim && victim.exitCode === null && victim.signalCode === null) {
      const exited = new Promise((resolve) => victim.once('exit', resolve));
      victim.kill('SIGKILL');
      await exited;
      this.kills++;
    }
    between();
    this.current = await this.fleet.start(this.taskQueue);
  }
}
