/**
 * The intercept rules of one scenario: its boundary call (paused, observed, failed or held, and the disturbance fired
 * from it), the stop trigger of a held run, and the name the worker gives its Job / PipelineRun.
 */

import type { InterceptAction, Interception, InterceptRule } from '../../../sandbox/intercept.ts';
import { executionResourceName } from '../../../src/domain/resource-name.ts';
import { isStatusPoll, type MatchScope } from './boundaries.ts';
import type { ScenarioSpec } from './catalog.ts';
import { disturbWorkflow } from './disturb.ts';
import { isWorkflowDisturbance } from './disturbances.ts';
import type { ScenarioIdentity } from './identity.ts';
import type { RunTracker } from './runs.ts';
import type { KillLane } from './workers.ts';
import { REQUEST_TIMEOUT_MS, type World } from './world.ts';

export interface Armed {
  scope: MatchScope;
  boundary: Interception;
  /** Settles when the boundary was reached and the disturbance started. */
  reached: Promise<void>;
  /** The disturbance, once reached (undefined before). */
  disturbance(): Promise<void> | undefined;
  /** Hands over the execution's runs once it has started (disturbances wait for it). */
  started(tracker: RunTracker): void;
  /** Calls of the boundary's kind seen so far (the boundary is the nth). */
  candidatesSeen(): number;
  /** Notes on disturbances that could not be carried out. */
  notes: string[];
  disarm(): void;
}

function boundaryAction(spec: ScenarioSpec): InterceptAction {
  if (spec.timing === 'during') return { kind: 'pause' };
  if (spec.timing === 'after') return { kind: 'observe' };
  if (spec.disturbance === 'hang') return { kind: 'hold', ms: REQUEST_TIMEOUT_MS + 1000 };
  return { kind: 'status', status: Number(spec.disturbance) };
}

export function arm(world: World, spec: ScenarioSpec, identity: ScenarioIdentity, lane?: KillLane): Armed {
  const { boundary, disturbance } = spec;
  const engine = boundary.engine;
  const notes: string[] = [];
  const rules: Interception[] = [];
  const intercept = (server: 'kube' | 'awx', rule: InterceptRule): Interception => {
    const interception = server === 'kube' ? world.kube.intercept(rule) : world.awx.intercept(rule);
    rules.push(interception);
    return interception;
  };
  let learnedName: string | undefined;
  const scope: MatchScope = {
    identity,
    resourceName: () => learnedName ?? executionResourceName(identity.target),
    templateOfJob: (jobId) => world.awx.jobs.get(jobId)?.job_template,
  };
  if (engine !== 'ansible') {
    // The Job / PipelineRun name, as the worker chose it.
    intercept('kube', {
      method: 'POST',
      times: Number.POSITIVE_INFINITY,
      match: (call) => /\/(jobs|pipelineruns)$/.test(call.path) && call.body.includes(`"${identity.wfeName}"`),
      onArrive: (call) => {
        learnedName = (JSON.parse(call.body) as { metadata?: { name?: string } }).metadata?.name ?? learnedName;
      },
    });
  }

  let started: (tracker: RunTracker) => void = () => {};
  const trackerReady = new Promise<RunTracker>((resolve) => {
    started = resolve;
  });
  let reachedNow: () => void = () => {};
  const reached = new Promise<void>((resolve) => {
    reachedNow = resolve;
  });
  let disturbed: Promise<void> | undefined;
  const fire = (work: () => Promise<void>): void => {
    if (disturbed) return;
    disturbed = work().catch((error) => {
      notes.push(`${disturbance} not carried out: ${(error as Error).message.split('\n')[0]}`);
    });
    reachedNow();
  };
  const disturb = async (): Promise<void> => {
    if (!isWorkflowDisturbance(disturbance)) return;
    const tracker = await trackerReady;
    await disturbWorkflow(disturbance, { world, tracker, ...(lane ? { lane } : {}), release: () => boundaryRule.release() });
  };
  let candidates = 0;
  const boundaryRule: Interception = intercept(boundary.server, {
    method: boundary.method,
    match: (call) => boundary.isCandidate(call, scope) && ++candidates === boundary.nth,
    action: boundaryAction(spec),
    onArrive: () => {
      if (spec.timing === 'at') fire(async () => {});
      if (spec.timing === 'during') fire(() => disturb().finally(() => boundaryRule.release()));
    },
    onAnswered: () => {
      if (spec.timing === 'after') fire(disturb);
    },
  });
  if (boundary.profile !== 'finishes') {
    // A held run is stopped only when the execution is cancelled: do so once it is seen running.
    intercept(engine === 'ansible' ? 'awx' : 'kube', {
      method: 'GET',
      match: (call) => isStatusPoll(engine, call, scope),
      onAnswered: () => {
        void trackerReady.then((tracker) =>
          world.temporal.workflow
            .getHandle(tracker.workflowId)
            .cancel()
            .catch(() => undefined),
        );
      },
    });
  }
  return {
    scope,
    boundary: boundaryRule,
    reached,
    disturbance: () => disturbed,
    started,
    candidatesSeen: () => candidates,
    notes,
    disarm: () => {
      for (const rule of rules) rule.remove();
    },
  };
}
