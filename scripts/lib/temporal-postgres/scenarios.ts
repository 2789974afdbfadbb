/**
 * The restart scenarios of the production topology, as chaos-run options: every part of it goes away under running
 * executions and comes back — a worker (SIGKILL), the Temporal server process (SIGTERM or SIGKILL), PostgreSQL (fast
 * or immediate stop, a pause, a start), and every worker in turn (a rolling restart). The chaos run checks the same
 * invariants after each. Used by `npm run chaos -- --postgres` and test/integration/production-topology.test.ts.
 */
import type { ChaosOptions } from '../chaos.ts';
import type { TemporalPostgres } from './stack.ts';

export const SCENARIOS = [
  'worker-kill',
  'server-restart',
  'server-crash',
  'postgres-restart',
  'postgres-crash',
  'rolling-restart',
] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface ScenarioTuning {
  /** How long the Temporal server or PostgreSQL stays down (default 3 s). */
  outageMs?: number;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The chaos options of a scenario (merge them with the common ones: addresses, seed, executions, workers). */
export function scenarioOptions(scenario: Scenario, stack: TemporalPostgres, tuning: ScenarioTuning = {}): Partial<ChaosOptions> {
  const outageMs = tuning.outageMs ?? 3000;
  // Backend runs long enough that the disruption lands while most executions are between create and cleanup.
  const underDisruption: Partial<ChaosOptions> = {
    kills: false,
    durationMs: [2000, 12_000],
    logFiles: [stack.logFiles.server, stack.logFiles.postgres],
  };
  const timed = async (what: (elapsed: () => string) => Promise<string>) => {
    const began = Date.now();
    return what(() => seconds(Date.now() - began));
  };
  switch (scenario) {
    case 'worker-kill':
      return { kills: true, minKillMs: 1500, maxKillMs: 4000, targetedKillChance: 0.3, logFiles: underDisruption.logFiles };
    case 'server-restart':
    case 'server-crash': {
      const mode = scenario === 'server-crash' ? 'crash' : 'graceful';
      return {
        ...underDisruption,
        disrupt: () =>
          timed(async (elapsed) => {
            await stack.restartServer({ mode, pauseMs: outageMs });
            return `Temporal server ${mode === 'crash' ? 'SIGKILLed' : 'stopped (SIGTERM)'}, down ${seconds(outageMs)}, answering again after ${elapsed()}`;
          }),
      };
    }
    case 'postgres-restart':
    case 'postgres-crash': {
      const mode = scenario === 'postgres-crash' ? 'immediate' : 'fast';
      return {
        ...underDisruption,
        disrupt: () =>
          timed(async (elapsed) => {
            await stack.restartPostgres({ mode, pauseMs: outageMs });
            return `PostgreSQL ${mode === 'immediate' ? 'immediate stop (crash recovery at start)' : 'fast stop'}, down ${seconds(outageMs)}, accepting connections again after ${elapsed()}`;
          }),
      };
    }
    case 'rolling-restart':
      return {
        ...underDisruption,
        disrupt: ({ workers }) =>
          timed(async (elapsed) => {
            await workers.rollingRestart(500);
            return `${workers.size} workers stopped (SIGTERM) and replaced one by one, each replacement polling before the next stop, in ${elapsed()}`;
          }),
      };
  }
}
