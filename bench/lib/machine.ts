/**
 * Whether the machine was the limit over a window: the cores all processes used against the cores there are. A phase
 * that ran on a saturated machine measured the machine as much as the worker; its figures say so.
 */
import { availableParallelism } from 'node:os';
import type { CpuReading } from './cpu.ts';

export interface MachineState {
  seconds: number;
  /** Cores used by the whole machine, by our processes and by the other tenants (other builds, tests, burners). */
  machineCores: number;
  ourCores: number;
  otherCores: number;
  /** The machine was busy ≥ 90 % of its cores on average: throughput figures are capped by it. */
  limited: boolean;
}

export function machineState(reading: CpuReading): MachineState {
  const { machine, others, ...ours } = reading.cores;
  const ourCores = Object.values(ours).reduce((sum, value) => sum + value, 0);
  return {
    seconds: Math.round(reading.seconds),
    machineCores: machine,
    ourCores: Number(ourCores.toFixed(2)),
    otherCores: others,
    limited: machine >= 0.9 * availableParallelism(),
  };
}
