import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTE_NAMES } from '../../src/domain/constants.ts';
import { freePort } from './free-port.ts';
import { stopProcess } from './processes.ts';

export interface DevServerOptions {
  cliPath: string;
  /** SQLite file: state survives a restart of the server on the same file. */
  dbFile: string;
  namespace?: string;
  port?: number;
  /** Web UI port; the UI is off unless given. */
  uiPort?: number;
  /** Server log file (stdout and stderr). */
  logFile: string;
  /** How long to wait for the frontend to answer (a cold start on 2 cores can take tens of seconds). */
  readyTimeoutMs?: number;
  extraArgs?: string[];
}

export interface DevServer {
  address: string;
  namespace: string;
  uiUrl?: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
// A server must never outlive the process that started it, whatever way that process ends.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Waits until the frontend answers for `namespace` (the system namespace answers once persistence is reachable).
 * `exited`: why the server process is gone, if it is (then waiting is pointless).
 */
export async function waitForFrontend(
  address: string,
  namespace: string,
  timeoutMs: number,
  exited: () => string | undefined = () => undefined,
  retryMs = 250,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    const gone = exited();
    if (gone) throw new Error(`${gone} before it was ready`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 2000 });
      try {
        await connection.workflowService.describeNamespace({ namespace });
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, retryMs));
    }
  }
  throw new Error(`Temporal server at ${address} not answering for ${namespace} after ${timeoutMs} ms: ${(lastError as Error)?.message}`);
}

/** Starts `temporal server start-dev` with the project's search attributes and waits until it answers. */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const namespace = options.namespace ?? 'default';
  const port = options.port ?? (await freePort());
  const address = `127.0.0.1:${port}`;
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--namespace',
    namespace,
    '--db-filename',
    options.dbFile,
    '--log-level',
    'warn',
    ...(options.uiPort ? ['--ui-port', String(options.uiPort)] : ['--headless']),
    ...SEARCH_ATTRIBUTE_NAMES.flatMap((name) => ['--search-attribute', `${name}=Keyword`]),
    ...(options.extraArgs ?? []),
  ];
  mkdirSync(dirname(options.dbFile), { recursive: true });
  mkdirSync(dirname(options.logFile), { recursive: true });
  const log = openSync(options.logFile, 'a');
  const child = spawn(options.cliPath, args, { stdio: ['ignore', log, log] });
  closeSync(log);
  running.add(child);
  child.once('exit', () => running.delete(child));
  const stop = (): Promise<void> => stopProcess(child);
  try {
    await waitForFrontend(address, namespace, options.readyTimeoutMs ?? 90_000, () =>
      child.exitCode === null ? undefined : `temporal server exited with code ${child.exitCode}`,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { address, namespace, ...(options.uiPort ? { uiUrl: `http://127.0.0.1:${options.uiPort}` } : {}), process: child, stop };
}
