/**
 * One scenario, start to verdict: plant its Secrets (and AWX template), arm its intercept rules, start the
 * execution, let the disturbance fire at the boundary, wait until every run has closed and late calls have landed,
 * then judge.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { arm } from './arming.ts';
import type { MatchScope } from './boundaries.ts';
import type { ScenarioSpec } from './catalog.ts';
import { EXECUTION_NAMESPACE, type ScenarioIdentity } from './identity.ts';
import { judge, type SweepState } from './judge.ts';
import { type Needle, needlesOf } from './leaks.ts';
import { scenarioRequest } from './request.ts';
import { RunTracker } from './runs.ts';
import type { KillLane } from './workers.ts';
import { REQUEST_TIMEOUT_MS, type World } from './world.ts';

export type { SweepState };
/** error: the explorer itself failed on the scenario (reported apart from the product's violations). */
export type Verdict = 'ok' | 'violation' | 'not-reached' | 'error';

export interface ScenarioResult {
  spec: ScenarioSpec;
  identity: ScenarioIdentity;
  verdict: Verdict;
  outcome: string;
  runs: number;
  /** AWX: jobs launched for the scenario. */
  launches?: number;
  violations: string[];
  notes: string[];
  sweep: SweepState;
  /** When the newest run closed (epoch ms), and the Job / PipelineRun name. */
  closedAt?: number;
  resourceName: string;
  needles: Needle[];
  durationMs: number;
}

export interface ScenarioEnvironment {
  world: World;
  /** Kill scenarios run on a lane of their own. */
  lane?: KillLane;
  reachTimeoutMs: number;
  closeTimeoutMs: number;
}

/** Lets the scenario's held backend runs finish. */
function releaseHeldRuns(world: World, scope: MatchScope): void {
  world.kube.release('success', (name) => name === scope.resourceName());
  const templateId = scope.identity.templateId;
  if (templateId !== undefined) world.awx.release('success', (jobId) => world.awx.jobs.get(jobId)?.job_template === templateId);
}

/** Keeps releasing them, for runs that a reset restarted and that nobody will stop. */
function startReleasing(world: World, scope: MatchScope): () => void {
  const timer = setInterval(() => releaseHeldRuns(world, scope), 250);
  return () => clearInterval(timer);
}

function plant(world: World, identity: ScenarioIdentity): void {
  for (const secret of identity.secrets) world.kube.createSecret(EXECUTION_NAMESPACE, secret.name, secret.values);
  if (identity.templateName) identity.templateId = world.awx.addTemplate({ name: identity.templateName, credentials: [100, 200] }).id;
}

export async function runScenario(
  spec: ScenarioSpec,
  identity: ScenarioIdentity,
  environment: ScenarioEnvironment,
): Promise<ScenarioResult> {
  const started = Date.now();
  const { world, lane } = environment;
  const { boundary, disturbance } = spec;
  const taskQueue = lane?.taskQueue ?? world.sharedQueue;
  const needles = needlesOf(identity, world.awx.token);
  plant(world, identity);
  const armed = arm(world, spec, identity, lane);
  let stopReleasing = () => {};
  let closedAt: number | undefined;
  const result = (verdict: Verdict, outcome: string, fields: Partial<ScenarioResult> = {}): ScenarioResult => ({
    spec,
    identity,
    verdict,
    outcome,
    runs: 1,
    ...(identity.templateId === undefined ? {} : { launches: world.awx.jobsOf(identity.templateId).length }),
    violations: [],
    notes: [...armed.notes],
    sweep: 'none',
    ...(closedAt === undefined ? {} : { closedAt }),
    resourceName: armed.scope.resourceName(),
    needles,
    durationMs: Date.now() - started,
    ...fields,
  });
  try {
    const startedRun = await world.executions(taskQueue).startExecution(scenarioRequest(identity, boundary));
    identity.workflowId = startedRun.workflowId;
    const tracker = new RunTracker(world.temporal, startedRun.workflowId, startedRun.runId);
    armed.started(tracker);
    const handle = () => world.temporal.workflow.getHandle(startedRun.workflowId);

    await Promise.race([armed.reached, tracker.waitClosed(environment.reachTimeoutMs)]);
    const disturbed = armed.disturbance();
    if (!disturbed) {
      const { status } = await tracker.latest();
      await handle()
        .terminate('fault-point explorer: boundary not reached')
        .catch(() => undefined);
      releaseHeldRuns(world, armed.scope);
      const seen = `${armed.candidatesSeen()} of ${boundary.nth} such call(s) seen`;
      return result('not-reached', `not reached (${seen}; ${status === 'RUNNING' ? 'still running' : `closed ${status}`})`);
    }
    await disturbed;
    // A slow cancel completes once its boundary has been disturbed; a run a reset restarted is let finish.
    if (boundary.profile === 'held-slow-cancel') releaseHeldRuns(world, armed.scope);
    if (boundary.profile !== 'finishes' && disturbance.startsWith('reset')) stopReleasing = startReleasing(world, armed.scope);

    const closed = await tracker.waitClosed(environment.closeTimeoutMs);
    const late: string[] = [];
    if (!closed) {
      const status = await handle()
        .query('status')
        .catch(() => undefined);
      late.push(`did not close within ${environment.closeTimeoutMs / 1000} s (status: ${JSON.stringify(status)?.slice(0, 300)})`);
      await handle()
        .terminate('fault-point explorer: did not close')
        .catch(() => undefined);
    }
    closedAt = (await tracker.latest()).closedAt;
    // Late side effects (a held call processed after its client gave up) land before anything is judged.
    await Promise.race([armed.boundary.settled(), sleep(REQUEST_TIMEOUT_MS + 5000)]);
    stopReleasing();
    const judgement = await judge({
      world,
      engine: boundary.engine,
      identity,
      disturbance,
      workflowId: startedRun.workflowId,
      runIds: await tracker.allRuns(),
      resourceName: armed.scope.resourceName(),
      taskQueue,
      needles,
      closed,
    });
    const violations = [...late, ...judgement.violations];
    return result(violations.length > 0 ? 'violation' : 'ok', judgement.outcome, {
      runs: judgement.runs,
      sweep: judgement.sweep,
      violations,
      notes: [...armed.notes, ...judgement.notes],
    });
  } catch (error) {
    return result('error', 'explorer error', { notes: [...armed.notes, `explorer error: ${(error as Error).message.split('\n')[0]}`] });
  } finally {
    stopReleasing();
    armed.disarm();
  }
}
