/**
 * The verdict on a closed execution: what it left at close, how each run closed and what its histories hold; a sweep
 * when the owner closed without its own cleanup (terminate, reset, a final failure, a cleanup it reports incomplete),
 * and then what is left; the status queries and the CLI's status output.
 */
import type { Engine } from '../../../src/domain/types.ts';
import type { Disturbance } from './disturbances.ts';
import { LEAVES_OWNER_WITHOUT_CLEANUP } from './disturbances.ts';
import type { ScenarioIdentity } from './identity.ts';
import type { Needle } from './leaks.ts';
import { leftoversOf, leftoverViolations } from './leftovers.ts';
import { checkRuns, checkStatusViews } from './run-checks.ts';
import { failedCount } from './sweep.ts';
import type { World } from './world.ts';

export type SweepState = 'none' | 'done' | 'failed' | 'unavailable';

export interface Judgement {
  outcome: string;
  runs: number;
  sweep: SweepState;
  violations: string[];
  notes: string[];
}

export interface JudgeInput {
  world: World;
  engine: Engine;
  identity: ScenarioIdentity;
  disturbance: Disturbance;
  workflowId: string;
  runIds: string[];
  resourceName: string;
  taskQueue: string;
  needles: readonly Needle[];
  /** False when the execution had to be terminated because it did not close in time. */
  closed: boolean;
}

const CLOSED_WITHOUT_OWN_END = new Set(['FAILED', 'TERMINATED', 'TIMED_OUT']);

/** Whether the newest run's own cleanup did not complete (it then hands what is left to the sweeper), per its status query. */
async function ownCleanup(world: World, workflowId: string): Promise<{ incomplete: boolean; text: string }> {
  const status = (await world.temporal.workflow
    .getHandle(workflowId)
    .query('status')
    .catch(() => undefined)) as { cleanup?: { state?: string; error?: string; left?: string[] } } | undefined;
  const cleanup = status?.cleanup;
  if (!cleanup?.state || cleanup.state === 'done') return { incomplete: false, text: '' };
  const detail = cleanup.left?.join(', ') || cleanup.error || '';
  return { incomplete: true, text: `${cleanup.state}${detail ? `: ${detail.slice(0, 160)}` : ''}` };
}

export async function judge(input: JudgeInput): Promise<Judgement> {
  const { world, engine, identity } = input;
  const leftovers = () => leftoversOf(world.kube, world.awx, engine, identity, input.resourceName);
  const atClose = await leftovers();
  const runs = await checkRuns(world, input.workflowId, input.runIds, input.needles);
  const violations = [...runs.violations];
  const notes: string[] = [];
  const cleanup = await ownCleanup(world, input.workflowId);
  if (cleanup.incomplete) notes.push(`own cleanup ${cleanup.text}`);
  const needsSweep =
    LEAVES_OWNER_WITHOUT_CLEANUP.includes(input.disturbance) ||
    !input.closed ||
    cleanup.incomplete ||
    runs.histories.some((run) => CLOSED_WITHOUT_OWN_END.has(run.close));
  let sweep: SweepState = 'none';
  if (!needsSweep) violations.push(...leftoverViolations(atClose));
  else if (!world.sweeper.available) {
    sweep = 'unavailable';
    notes.push(...leftoverViolations(atClose).map((found) => `unswept: ${found}`));
  } else {
    const swept = await world.sweeper.sweep();
    sweep = swept.ok ? 'done' : 'failed';
    if (!swept.ok) violations.push(`sweep failed: ${swept.error}`);
    else if (failedCount(swept.report) > 0) notes.push(`sweep could not remove: ${JSON.stringify(swept.report.failed).slice(0, 300)}`);
    violations.push(...leftoverViolations(await leftovers()));
  }
  const views = await checkStatusViews(world, input.workflowId, input.runIds, input.taskQueue, input.needles);
  return {
    outcome: runs.outcome,
    runs: runs.histories.length,
    sweep,
    violations: [...violations, ...views.violations],
    notes: [...notes, ...views.notes],
  };
}
