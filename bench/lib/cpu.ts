/**
 * CPU used by groups of processes over a window, from /proc (Linux): utime + stime of each process (a postmaster also
 * counts the backends it has reaped: cutime + cstime), the benchmark's own process from process.cpuUsage(), and the
 * whole machine from /proc/stat, so what other tenants of the machine used shows too. Figures are in cores (CPU
 * seconds per wall second).
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** Clock ticks per second of /proc's times (USER_HZ: 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** CPU seconds of a process (and of its reaped children with `withChildren`); 0 when it is gone. */
export function processCpuSeconds(pid: number, withChildren = false): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces and parentheses): state is field 3, utime 14 … cstime 17.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const [utime, stime, cutime, cstime] = [11, 12, 13, 14].map((index) => Number(fields[index]));
    return ((utime ?? 0) + (stime ?? 0) + (withChildren ? (cutime ?? 0) + (cstime ?? 0) : 0)) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Busy and total CPU seconds of the whole machine. */
export function machineCpuSeconds(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  const total = values.slice(0, 8).reduce((sum, value) => sum + value, 0);
  return { busy: (total - idle) / TICKS_PER_SECOND, total: total / TICKS_PER_SECOND };
}

export interface CpuGroups {
  /** Process IDs per group; the first of `withChildren` groups is a parent whose reaped children are counted. */
  [group: string]: { pids: number[]; withChildren?: number };
}

export interface CpuReading {
  /** Wall seconds of the window. */
  seconds: number;
  /** Cores used by each group, by the benchmark process (`bench`), the whole machine and everything else (`others`). */
  cores: Record<string, number> & { machine: number; others: number };
}

/** Starts a window; the returned function ends it and gives each group's cores, the machine's and the rest. */
export function cpuWindow(groups: () => CpuGroups): () => CpuReading {
  const read = () => {
    const seconds: Record<string, number> = {};
    for (const [name, group] of Object.entries(groups()))
      seconds[name] = group.pids.reduce((sum, pid) => sum + processCpuSeconds(pid, pid === group.withChildren), 0);
    const own = process.cpuUsage();
    seconds.bench = (own.user + own.system) / 1e6;
    return { seconds, machine: machineCpuSeconds(), at: performance.now() };
  };
  const start = read();
  return () => {
    const end = read();
    const wall = (end.at - start.at) / 1000;
    const cores: Record<string, number> = {};
    let ours = 0;
    for (const [name, value] of Object.entries(end.seconds)) {
      const used = Math.max(0, value - (start.seconds[name] ?? 0)) / wall;
      cores[name] = Number(used.toFixed(2));
      ours += used;
    }
    const machine = ((end.machine.busy - start.machine.busy) / (end.machine.total - start.machine.total)) * availableParallelism();
    return {
      seconds: wall,
      cores: { ...cores, machine: Number(machine.toFixed(2)), others: Number(Math.max(0, machine - ours).toFixed(2)) },
    };
  };
}
