/**
 * The production-shaped Temporal of the tests and the benchmark, in one call: PostgreSQL (own cluster on 127.0.0.1),
 * the schema of both databases by temporal-sql-tool, the Temporal server v1.29.1 built from the Go module proxy with
 * SQL advanced visibility, the namespace and the project's search attributes. Every part can be stopped and started
 * again under running executions (the chaos run's restart scenarios); stop() ends both processes.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitForFrontend } from '../dev-server.ts';
import { ensureTemporalCli } from '../temporal-cli.ts';
import { ensureTemporalServerBinaries, TEMPORAL_SERVER_VERSION } from './binaries.ts';
import { registerNamespace } from './namespace.ts';
import { type Postgres, randomPassword, startPostgres } from './postgres.ts';
import { type SchemaSetup, setupTemporalSchema } from './schema.ts';
import { type ServerProcess, serverProcess } from './server.ts';
import {
  chooseServerPorts,
  type DynamicConfig,
  NUM_HISTORY_SHARDS,
  type ServerPorts,
  writeDynamicConfig,
  writeServerConfig,
} from './server-config.ts';

export interface TemporalPostgresOptions {
  /** Folder of the cluster, the configuration and the logs; kept when given (state survives), else a temp dir removed by stop(). */
  dir?: string;
  /** Frontend gRPC port, below 32768 (default: a free one in 10000–32767). */
  port?: number;
  namespace?: string;
  /** Dynamic configuration of the server (e.g. history.timerProcessorMaxTimeShift for tests). */
  dynamicConfig?: DynamicConfig;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  log?: (line: string) => void;
}

export interface TemporalPostgres {
  address: string;
  namespace: string;
  dir: string;
  postgres: Postgres;
  server: ServerProcess;
  versions: { server: string; postgres: string; schema: SchemaSetup[]; numHistoryShards: number };
  logFiles: { server: string; postgres: string };
  /** Seconds each step of the start took. */
  timings: Record<string, number>;
  /** The server process, then PostgreSQL's postmaster and backends (for CPU accounting from /proc). */
  pids(): { server: number[]; postgres: number[] };
  /** Stops the server (SIGTERM, or SIGKILL with `crash`), waits `pauseMs`, starts it again on the same ports. */
  restartServer(options?: { mode?: 'graceful' | 'crash'; pauseMs?: number }): Promise<void>;
  /** Stops PostgreSQL (fast shutdown, or `immediate`: a crash), waits `pauseMs`, starts it again on the same port. */
  restartPostgres(options?: { mode?: 'fast' | 'immediate'; pauseMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

/** Ports of an earlier start in the same folder (the cluster membership table names them) when still free, else new ones. */
async function serverPorts(dir: string, frontend: number | undefined): Promise<ServerPorts> {
  const file = join(dir, 'ports.json');
  if (existsSync(file)) {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as ServerPorts;
    const all = [stored.frontendHttp, ...Object.values(stored.services).flatMap((service) => [service.grpc, service.membership])];
    if ((frontend === undefined || frontend === stored.frontend) && (await Promise.all(all.map(isFree))).every(Boolean)) return stored;
  }
  const ports = await chooseServerPorts(frontend);
  writeFileSync(file, JSON.stringify(ports));
  return ports;
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

export async function startTemporalPostgres(options: TemporalPostgresOptions = {}): Promise<TemporalPostgres> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const namespace = options.namespace ?? 'default';
  const temporary = !options.dir;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'temporal-postgres-'));
  mkdirSync(dir, { recursive: true });
  // The postgres user must reach its own folder inside (traverse only; the config folder is ours alone).
  chmodSync(dir, 0o711);
  const timings: Record<string, number> = {};
  const timed = async <T>(step: string, work: () => Promise<T>): Promise<T> => {
    const began = Date.now();
    const result = await work();
    timings[step] = Number(((Date.now() - began) / 1000).toFixed(1));
    return result;
  };
  const logFiles = { server: join(dir, 'temporal-server.log'), postgres: join(dir, 'postgres.log') };
  let postgres: Postgres | undefined;
  let server: ServerProcess | undefined;
  // A temp dir goes with the process even when it ends without stop() (the processes are killed by their modules).
  const removeDir = () => rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  if (temporary) process.once('exit', removeDir);
  const stopAll = async () => {
    await server?.stop('graceful');
    await postgres?.stop('fast');
    if (temporary) {
      removeDir();
      process.removeListener('exit', removeDir);
    }
  };
  try {
    const cliPath = await timed('cli', () => ensureTemporalCli(log));
    const binaries = await timed('binaries', () => ensureTemporalServerBinaries(log));
    postgres = await timed('postgres', () =>
      startPostgres({ dir: join(dir, 'postgres'), logFile: logFiles.postgres, password: randomPassword() }),
    );
    const schema = await timed('schema', () => setupTemporalSchema(binaries.sqlTool, binaries.schemaDir, postgres as Postgres));
    if (options.port !== undefined && options.port > 32_767)
      throw new Error(`frontend port ${options.port}: the cluster membership table keeps ports as smallint, so it must be below 32768`);
    const ports = await serverPorts(dir, options.port);
    const address = `127.0.0.1:${ports.frontend}`;
    // While the search attributes are registered every read of them goes to the database (as on the dev server), so
    // each service sees them at once; then the production default (a cache refreshed every 60 s) is restored.
    const dynamicConfig = options.dynamicConfig ?? {};
    writeServerConfig(dir, postgres, ports, { ...dynamicConfig, 'system.forceSearchAttributesCacheRefreshOnRead': true }, options.logLevel);
    server = serverProcess({ binary: binaries.server, root: dir, address, logFile: logFiles.server });
    await timed('server', () => (server as ServerProcess).start());
    const registered = await timed('namespace', () => registerNamespace(cliPath, address, namespace));
    writeDynamicConfig(dir, dynamicConfig);
    if (registered.created.length > 0) log(`registered ${registered.created.join(', ')}`);
    const started = { postgres, server };
    return {
      address,
      namespace,
      dir,
      postgres,
      server,
      versions: {
        server: TEMPORAL_SERVER_VERSION,
        postgres: postgres.version,
        schema,
        numHistoryShards: NUM_HISTORY_SHARDS,
      },
      logFiles,
      timings,
      pids: () => {
        const pid = started.server.pid();
        return { server: pid ? [pid] : [], postgres: started.postgres.pids() };
      },
      async restartServer({ mode = 'graceful', pauseMs = 0 } = {}) {
        await started.server.stop(mode);
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
        await started.server.start();
        await waitForFrontend(address, namespace, 60_000);
      },
      async restartPostgres({ mode = 'fast', pauseMs = 0 } = {}) {
        await started.postgres.stop(mode);
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
        await started.postgres.start();
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll().catch(() => {});
    throw error;
  }
}
