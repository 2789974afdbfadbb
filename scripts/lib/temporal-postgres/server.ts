/**
 * The Temporal server process (`temporal-server start`, all four services in one process, as the temporalio/server
 * image runs it) on a configuration folder; stop gracefully (SIGTERM) or crash it (SIGKILL), and start it again on the
 * same ports and database.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { waitForFrontend } from '../dev-server.ts';

export interface ServerProcessOptions {
  binary: string;
  /** Folder holding config/development.yaml. */
  root: string;
  address: string;
  logFile: string;
  readyTimeoutMs?: number;
}

export interface ServerProcess {
  address: string;
  pid(): number | undefined;
  start(): Promise<void>;
  /** `graceful`: SIGTERM, the services drain and stop; `crash`: SIGKILL. */
  stop(mode?: 'graceful' | 'crash'): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export function serverProcess(options: ServerProcessOptions): ServerProcess {
  let child: ChildProcess | undefined;
  const alive = () => Boolean(child && child.exitCode === null && child.signalCode === null);
  return {
    address: options.address,
    pid: () => (alive() ? child?.pid : undefined),
    async start() {
      if (alive()) return;
      const log = openSync(options.logFile, 'a');
      child = spawn(options.binary, ['--root', options.root, '--config', 'config', '--env', 'development', '--allow-no-auth', 'start'], {
        stdio: ['ignore', log, log],
      });
      closeSync(log);
      const started = child;
      running.add(started);
      started.once('exit', () => running.delete(started));
      try {
        await waitForFrontend(
          options.address,
          'temporal-system',
          options.readyTimeoutMs ?? 120_000,
          () => (alive() ? undefined : 'the Temporal server exited'),
          500,
        );
      } catch (error) {
        const tail = readFileSync(options.logFile, 'utf8')
          .trim()
          .split('\n')
          .slice(-6)
          .map((line) => line.slice(0, 400))
          .join('\n');
        throw new Error(`${(error as Error).message}; the end of ${options.logFile}:\n${tail}`);
      }
    },
    async stop(mode = 'graceful') {
      const current = child;
      if (!current || !alive()) return;
      const exited = new Promise((resolve) => current.once('exit', resolve));
      current.kill(mode === 'graceful' ? 'SIGTERM' : 'SIGKILL');
      const timer = setTimeout(() => current.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
