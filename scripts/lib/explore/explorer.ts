/**
 * The fault-point explorer: runs the scenario catalog (full or the bounded slice) against a real Temporal server,
 * the sandboxes and worker child processes. Scenarios run concurrently on a shared task queue, each with its own
 * names; kill scenarios run one at a time per kill lane, a task queue whose one worker process only that scenario
 * uses, so a SIGKILL blurs nothing else. The worker logs are scanned once all scenarios are done.
 */

import { seededRandom } from '../../../sandbox/faults.ts';
import type { Engine } from '../../../src/domain/types.ts';
import { ENGINE_ORDER } from './boundaries.ts';
import { fullCatalog, labelOf, type ScenarioSpec, sliceCatalog } from './catalog.ts';
import { scenarioIdentity } from './identity.ts';
import { chargeLateRemovals } from './late-removals.ts';
import { scanWorkerLogs } from './log-scan.ts';
import { runScenario, type ScenarioResult } from './scenario.ts';
import type { ExploreSummary } from './table.ts';
import type { KillLane } from './workers.ts';
import { startWorld } from './world.ts';

export interface ExploreOptions {
  temporalAddress: string;
  namespace?: string;
  /** Prebuilt workflow bundle, so a replacement worker polls within a second or two. */
  workflowBundlePath: string;
  /** The Temporal CLI (resets, histories). */
  cliPath: string;
  engines?: readonly Engine[];
  /** The bounded slice instead of the full catalog. */
  slice?: boolean;
  /** Scenarios at once on the shared task queue (kill lanes come on top). */
  concurrency?: number;
  killLanes?: number;
  seed: number;
  /** Only the scenarios whose label ("engine/point/timing/disturbance") contains one of these (to replay a few). */
  only?: readonly string[];
  /** How long a scenario may take to reach its boundary, and then to close. */
  reachTimeoutMs?: number;
  closeTimeoutMs?: number;
  log?: (line: string) => void;
}

/** Fisher–Yates with the seeded generator: the order mixes engines and is replayable. */
function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [copy[index], copy[other]] = [copy[other] as T, copy[index] as T];
  }
  return copy;
}

export async function runExplorer(options: ExploreOptions): Promise<ExploreSummary> {
  const started = Date.now();
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const random = seededRandom(options.seed);
  const engines = options.engines ?? ENGINE_ORDER;
  const catalog = options.slice ? sliceCatalog(engines, options.seed) : fullCatalog(engines);
  const only = options.only ?? [];
  const chosen = only.length > 0 ? catalog.filter((spec) => only.some((part) => labelOf(spec).includes(part))) : catalog;
  const specs = shuffled(chosen, random);
  const kills = specs.filter((spec) => spec.disturbance === 'kill');
  const others = specs.filter((spec) => spec.disturbance !== 'kill');
  const world = await startWorld({
    temporalAddress: options.temporalAddress,
    namespace: options.namespace ?? 'default',
    workflowBundlePath: options.workflowBundlePath,
    cliPath: options.cliPath,
    killLanes: Math.min(options.killLanes ?? 5, Math.max(1, kills.length)),
    sharedWorkers: 2,
  });
  log(
    `explore: seed ${options.seed}, ${specs.length} scenarios (${kills.length} kills on ${world.lanes.length} lanes), task queue ${world.sharedQueue}`,
  );
  const results: ScenarioResult[] = [];
  let index = 0;
  const run = async (spec: ScenarioSpec, lane?: KillLane) => {
    const label = labelOf(spec);
    const identity = scenarioIdentity({ tag: world.tag, index: index++, engine: spec.boundary.engine, label, random });
    const result = await runScenario(spec, identity, {
      world,
      ...(lane ? { lane } : {}),
      reachTimeoutMs: options.reachTimeoutMs ?? 90_000,
      closeTimeoutMs: options.closeTimeoutMs ?? 120_000,
    });
    results.push(result);
    const verdict = result.verdict === 'violation' ? `VIOLATION ${result.violations.join('; ')}` : result.verdict;
    log(`[${results.length}/${specs.length}] ${label}: ${result.outcome}, ${verdict} (${(result.durationMs / 1000).toFixed(1)} s)`);
  };
  try {
    const pending = [...others];
    const pool = Array.from({ length: Math.max(1, options.concurrency ?? 10) }, async () => {
      for (let spec = pending.shift(); spec; spec = pending.shift()) await run(spec);
    });
    const killQueue = [...kills];
    const lanes = world.lanes.map(async (lane) => {
      for (let spec = killQueue.shift(); spec; spec = killQueue.shift()) await run(spec, lane);
    });
    await Promise.all([...pool, ...lanes]);
    chargeLateRemovals(results, world.removals.entries);
    const unattributed = scanWorkerLogs(results, world.fleet.logLines, world.awx.token);
    return {
      results,
      unattributed,
      sweepAvailable: world.sweeper.available,
      sweeps: world.sweeper.count,
      kills: world.lanes.reduce((sum, lane) => sum + lane.kills, 0),
      durationMs: Date.now() - started,
    };
  } finally {
    await world.close();
  }
}
