/**
 * A PostgreSQL cluster of our own for the Temporal server: Debian's packages (`apt-get install postgresql`), a data
 * directory made by initdb (as the `postgres` user when we are root: PostgreSQL refuses to run as root), listening on
 * 127.0.0.1 only, on a port of its own. Local socket connections (in the cluster's folder) are trusted for the admin
 * steps; TCP connections need the `temporal` role's password, as in production. Stop, start and restart keep the
 * data and the port, so the Temporal server reconnects to the same address.
 */
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../free-port.ts';

const run = promisify(execFile);

export interface PostgresOptions {
  /** Folder of the cluster (created and handed to the postgres user); the data survive restarts of the cluster. */
  dir: string;
  port?: number;
  logFile: string;
  /** Password of the `temporal` role (created with CREATEDB at the first start). */
  password: string;
}

export interface Postgres {
  host: string;
  port: number;
  user: string;
  password: string;
  /** Major version of the server binaries, e.g. 15. */
  version: string;
  /** The postmaster and its backends, for CPU accounting. */
  pids(): number[];
  /** Fast shutdown (SIGINT: open sessions are ended, the data are checkpointed), or `immediate` (SIGQUIT: a crash). */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
  /** SQL as the superuser over the local socket; rows as tab-separated lines. */
  query(sql: string, database?: string): Promise<string>;
}

/** Debian's layout: /usr/lib/postgresql/<major>/bin, newest first; POSTGRES_BIN_DIR overrides. */
export function findPostgresBinDir(): string {
  const explicit = process.env.POSTGRES_BIN_DIR;
  if (explicit) return explicit;
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((name) => existsSync(join(root, name, 'bin', 'postgres')) && existsSync(join(root, name, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (majors[0]) return join(root, majors[0], 'bin');
  throw new Error('PostgreSQL not found: install it with `apt-get install -y postgresql` (or set POSTGRES_BIN_DIR)');
}

/** uid / gid of the postgres user when we run as root (PostgreSQL will not), else undefined (run as ourselves). */
function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('postgres:'));
  if (!line) throw new Error('running as root but there is no postgres user: install PostgreSQL with apt-get');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

const running = new Set<ChildProcess>();
// The cluster must never outlive the process that started it.
process.once('exit', () => {
  for (const child of running) child.kill('SIGQUIT');
  // Exit handlers cannot await: wait (at most 5 s) until each postmaster is gone (a zombie: exited, not yet reaped), so
  // that its folder can be removed after it.
  for (const child of running)
    spawnSync('sh', ['-c', `for i in $(seq 100); do grep -qs ') [^Z]' /proc/${child.pid}/stat || exit 0; sleep 0.05; done`]);
});

export async function startPostgres(options: PostgresOptions): Promise<Postgres> {
  const bin = findPostgresBinDir();
  const version = (await run(join(bin, 'postgres'), ['--version'])).stdout.trim().replace(/^.* (\d+)\..*$/, '$1');
  const user = postgresUser();
  const asPostgres = user ? { uid: user.uid, gid: user.gid } : {};
  const dataDir = join(options.dir, 'data');
  const port = options.port ?? (await freePort());
  mkdirSync(options.dir, { recursive: true });
  chmodSync(options.dir, 0o700);
  if (user) chownSync(options.dir, user.uid, user.gid);

  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    await run(
      join(bin, 'initdb'),
      [
        '-D',
        dataDir,
        '-U',
        'postgres',
        '--auth-local=trust',
        '--auth-host=scram-sha-256',
        '--encoding=UTF8',
        '--locale=C',
        '--no-instructions',
      ],
      { ...asPostgres, cwd: options.dir },
    );
  }

  let postmaster: ChildProcess | undefined;
  const psql = (sql: string, database = 'postgres') =>
    run(
      join(bin, 'psql'),
      ['-h', options.dir, '-p', String(port), '-U', 'postgres', '-d', database, '-XAtq', '-v', 'ON_ERROR_STOP=1', '-c', sql],
      {
        ...asPostgres,
        cwd: options.dir,
      },
    ).then(({ stdout }) => stdout);

  const ready = async (child: ChildProcess) => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`postgres exited (${child.exitCode ?? child.signalCode}) before it was ready; see ${options.logFile}`);
      const answer = await run(join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port), '-q']).then(
        () => true,
        () => false,
      );
      if (answer) return;
      if (Date.now() > deadline) throw new Error(`postgres on 127.0.0.1:${port} not ready after 60 s; see ${options.logFile}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };

  const start = async () => {
    if (postmaster && postmaster.exitCode === null && postmaster.signalCode === null) return;
    const log = openSync(options.logFile, 'a');
    const child = spawn(
      join(bin, 'postgres'),
      [
        '-D',
        dataDir,
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        `port=${port}`,
        '-c',
        `unix_socket_directories=${options.dir}`,
        '-c',
        'max_connections=200',
        '-c',
        'shared_buffers=256MB',
        // Time spent flushing the WAL, for the benchmark's reading of where the limit is (pg_stat_wal).
        '-c',
        'track_wal_io_timing=on',
      ],
      { ...asPostgres, cwd: options.dir, stdio: ['ignore', log, log] },
    );
    closeSync(log);
    running.add(child);
    child.once('exit', () => running.delete(child));
    postmaster = child;
    await ready(child);
  };

  const stop = async (mode: 'fast' | 'immediate' = 'fast') => {
    const child = postmaster;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(mode === 'fast' ? 'SIGINT' : 'SIGQUIT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    await exited;
    clearTimeout(timer);
  };

  await start();
  // The role the Temporal server and the schema tool use: a password over TCP, allowed to create its databases.
  const exists = (await psql(`SELECT 1 FROM pg_roles WHERE rolname = 'temporal'`)).trim() === '1';
  const quoted = options.password.replaceAll("'", "''");
  await psql(exists ? `ALTER ROLE temporal PASSWORD '${quoted}'` : `CREATE ROLE temporal LOGIN CREATEDB PASSWORD '${quoted}'`);

  return {
    host: '127.0.0.1',
    port,
    user: 'temporal',
    password: options.password,
    version,
    pids: () => (postmaster?.pid && postmaster.exitCode === null ? [postmaster.pid, ...childrenOf(postmaster.pid)] : []),
    stop,
    start,
    query: psql,
  };
}

/** Direct children of a process, from /proc (the postmaster's backends and background workers). */
export function childrenOf(parent: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command (which may hold spaces): state, ppid, …
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent) children.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return children;
}

/** A password for a throwaway cluster: random, never logged. */
export function randomPassword(): string {
  return `tp-${crypto.randomUUID()}`;
}
