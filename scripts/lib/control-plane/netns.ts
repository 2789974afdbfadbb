/**
 * A private network namespace with only loopback, held open by a process started with `unshare -n`; every control plane
 * process joins it through `nsenter`. Inside, each component keeps its fixed ports (Tekton binds *:8080, *:9090 …)
 * without clashing with the host or with another control plane; the host reaches in only through forwarder.ts.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { stopProcess } from '../processes.ts';

export interface NetworkNamespace {
  /** /proc/<pid>/ns/net of the holder. */
  path: string;
  /** Starts a process inside the namespace, its output appended to logFile; killed when this Node process exits. */
  spawn(command: string, args: string[], logFile: string, env?: Record<string, string>): ChildProcess;
  stop(): Promise<void>;
}

/** Why a namespace cannot be created here (not root, no unshare / nsenter / setpriv / ip), or undefined when it can. */
export function networkNamespaceUnavailable(): string | undefined {
  for (const tool of ['unshare', 'nsenter', 'setpriv', 'ip']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} not found (util-linux, iproute2)`;
  }
  const probe = spawnSync('unshare', ['-n', 'ip', 'link', 'set', 'lo', 'up'], { encoding: 'utf8' });
  return probe.status === 0 ? undefined : `unshare -n failed: ${(probe.stderr || probe.error?.message || '').trim()}`;
}

/**
 * The command run so that the kernel kills it when this process dies, however it dies (SIGKILL included, when no
 * 'exit' handler runs): setpriv sets the parent-death signal, which survives the exec of nsenter and of the command.
 */
export function dieWithParent(command: string, args: string[]): [string, string[]] {
  return ['setpriv', ['--pdeathsig', 'KILL', '--', command, ...args]];
}

const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

export async function createNetworkNamespace(): Promise<NetworkNamespace> {
  // The holder brings loopback up, then reads its stdin (a pipe from this process) until this process is gone.
  const holder = track(
    spawn(...dieWithParent('unshare', ['-n', 'sh', '-c', 'ip link set lo up && echo up && exec cat >/dev/null']), {
      stdio: ['pipe', 'pipe', 'inherit'],
    }),
  );
  await new Promise<void>((resolve, reject) => {
    holder.once('error', reject);
    holder.once('exit', (code) => reject(new Error(`unshare -n exited (${code})`)));
    holder.stdout?.once('data', () => resolve());
  });
  const path = `/proc/${holder.pid}/ns/net`;
  return {
    path,
    spawn(command, args, logFile, env = {}) {
      const log = openSync(logFile, 'a');
      const child = spawn(...dieWithParent('nsenter', [`--net=${path}`, '--', command, ...args]), {
        stdio: ['ignore', log, log],
        env: { ...process.env, ...env },
      });
      closeSync(log);
      return track(child);
    },
    async stop() {
      await stopProcess(holder, 1000);
    },
  };
}
