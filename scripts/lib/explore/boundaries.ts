/**
 * The boundaries of each engine's lifecycle: the backend calls the explorer intercepts, each found as the nth call of
 * its kind that belongs to the scenario, and the run profile that makes the call happen (a stop needs a run that is
 * still running when it is reached).
 */

import type { CallDescription } from '../../../sandbox/intercept.ts';
import type { Engine } from '../../../src/domain/types.ts';
import { EXECUTION_NAMESPACE, ownsCredential, type ScenarioIdentity } from './identity.ts';

/**
 * finishes: the run ends by itself a few seconds after it starts (it is still running at the first poll);
 * held: it runs until stopped, and the explorer cancels the execution after the first status poll so the stop happens;
 * held-slow-cancel: the same, and a cancelled AWX job keeps running until the explorer lets it end (once the
 * boundary was disturbed), so cleanup finds it still running after the stop grace and cancels it again, whatever the
 * load.
 */
export type Profile = 'finishes' | 'held' | 'held-slow-cancel';

/** What a predicate needs to know about the scenario at the time of a call. */
export interface MatchScope {
  identity: ScenarioIdentity;
  /** The name of the scenario's Job / PipelineRun. */
  resourceName(): string;
  /** The job template an AWX job was launched from. */
  templateOfJob(jobId: number): number | undefined;
}

export interface Boundary {
  engine: Engine;
  point: string;
  server: 'kube' | 'awx';
  method: string;
  /** Whether the call is one of the boundary's kind for this scenario; the nth such call is the boundary. */
  isCandidate(call: CallDescription, scope: MatchScope): boolean;
  nth: number;
  profile: Profile;
}

const AWX = '/api/v2';
const KUBE_PATHS = {
  job: `/apis/batch/v1/namespaces/${EXECUTION_NAMESPACE}/jobs`,
  tekton: `/apis/tekton.dev/v1/namespaces/${EXECUTION_NAMESPACE}/pipelineruns`,
} as const;

/**
 * How long a run of the finishes profile takes: long enough that a run restarted by a reset still finds the first
 * run's backend job running (and can adopt it) rather than finished, whatever the load; AWX runs prepare credentials
 * first, so they get longer.
 */
const RUN_DURATION_MS: Record<Engine, number> = { ansible: 10000, job: 2000, tekton: 2000 };
/** Parameters that give a run its profile (sandbox conventions, see sandbox/conventions.ts). */
export function profileParameters(engine: Engine, profile: Profile): Record<string, string> {
  if (profile === 'finishes') return { SANDBOX_DURATION_MS: String(RUN_DURATION_MS[engine]) };
  if (profile === 'held') return { SANDBOX_OUTCOME: 'hold' };
  return { SANDBOX_OUTCOME: 'hold', SANDBOX_CANCEL_DELAY_MS: 'hold' };
}

const awxJobPath = (call: CallDescription, scope: MatchScope, suffix: string): boolean => {
  const match = new RegExp(`^${AWX}/jobs/(\\d+)/${suffix}$`).exec(call.path);
  return match !== null && scope.templateOfJob(Number(match[1])) === scope.identity.templateId;
};
const ownCredentialCall = (call: CallDescription, scope: MatchScope): boolean =>
  ownsCredential(scope.identity, call.names.credentialName ?? '', call.names.credentialDescription ?? '');

/** The call the status polls make for an engine (also the trigger of a held run's cancel). */
export function isStatusPoll(engine: Engine, call: CallDescription, scope: MatchScope): boolean {
  if (call.method !== 'GET') return false;
  if (engine === 'ansible') return awxJobPath(call, scope, '');
  return call.path === `${KUBE_PATHS[engine]}/${scope.resourceName()}`;
}

function kubeBoundaries(engine: 'job' | 'tekton'): Boundary[] {
  const collection = KUBE_PATHS[engine];
  const own = (call: CallDescription, scope: MatchScope) => call.path === `${collection}/${scope.resourceName()}`;
  const stopMethod = engine === 'job' ? 'DELETE' : 'PATCH';
  return [
    {
      engine,
      point: 'create',
      server: 'kube',
      method: 'POST',
      isCandidate: (call, scope) => call.path === collection && call.body.includes(`"${scope.identity.wfeName}"`),
      nth: 1,
      profile: 'finishes',
    },
    { engine, point: 'poll', server: 'kube', method: 'GET', isCandidate: own, nth: 1, profile: 'finishes' },
    { engine, point: 'stop', server: 'kube', method: stopMethod, isCandidate: own, nth: 1, profile: 'held' },
    { engine, point: 'cleanup-delete', server: 'kube', method: 'DELETE', isCandidate: own, nth: 1, profile: 'finishes' },
  ];
}

function ansibleBoundaries(): Boundary[] {
  const engine = 'ansible' as const;
  const launchPath = (scope: MatchScope) => `${AWX}/job_templates/${scope.identity.templateId}/launch/`;
  const credentialCreate = (call: CallDescription, scope: MatchScope) =>
    call.path === `${AWX}/credentials/` && ownCredentialCall(call, scope);
  const credentialDelete = (call: CallDescription, scope: MatchScope) =>
    /^\/api\/v2\/credentials\/\d+\/$/.test(call.path) && ownCredentialCall(call, scope);
  return [
    {
      engine,
      point: 'secret-read',
      server: 'kube',
      method: 'GET',
      isCandidate: (call, scope) =>
        call.path === `/api/v1/namespaces/${EXECUTION_NAMESPACE}/secrets/${scope.identity.secrets[0]?.name ?? '-'}`,
      nth: 1,
      profile: 'finishes',
    },
    {
      engine,
      point: 'type-ensure',
      server: 'awx',
      method: 'POST',
      isCandidate: (call, scope) => call.path === `${AWX}/credential_types/` && call.body.includes(scope.identity.secrets[0]?.name ?? '-'),
      nth: 1,
      profile: 'finishes',
    },
    { engine, point: 'credential-create-1', server: 'awx', method: 'POST', isCandidate: credentialCreate, nth: 1, profile: 'finishes' },
    { engine, point: 'credential-create-2', server: 'awx', method: 'POST', isCandidate: credentialCreate, nth: 2, profile: 'finishes' },
    {
      engine,
      point: 'template-lookup',
      server: 'awx',
      method: 'GET',
      isCandidate: (call, scope) =>
        call.path === `${AWX}/job_templates/` && new URLSearchParams(call.query).get('name') === scope.identity.templateName,
      nth: 1,
      profile: 'finishes',
    },
    {
      engine,
      point: 'launch-info',
      server: 'awx',
      method: 'GET',
      isCandidate: (call, scope) => call.path === launchPath(scope),
      nth: 1,
      profile: 'finishes',
    },
    {
      engine,
      point: 'launch',
      server: 'awx',
      method: 'POST',
      isCandidate: (call, scope) => call.path === launchPath(scope),
      nth: 1,
      profile: 'finishes',
    },
    {
      engine,
      point: 'poll',
      server: 'awx',
      method: 'GET',
      isCandidate: (call, scope) => awxJobPath(call, scope, ''),
      nth: 1,
      profile: 'finishes',
    },
    {
      engine,
      point: 'stop',
      server: 'awx',
      method: 'POST',
      isCandidate: (call, scope) => awxJobPath(call, scope, 'cancel/'),
      nth: 1,
      profile: 'held',
    },
    {
      engine,
      point: 'cleanup-cancel',
      server: 'awx',
      method: 'POST',
      isCandidate: (call, scope) => awxJobPath(call, scope, 'cancel/'),
      nth: 2,
      profile: 'held-slow-cancel',
    },
    { engine, point: 'credential-delete-1', server: 'awx', method: 'DELETE', isCandidate: credentialDelete, nth: 1, profile: 'finishes' },
    { engine, point: 'credential-delete-2', server: 'awx', method: 'DELETE', isCandidate: credentialDelete, nth: 2, profile: 'finishes' },
  ];
}

export const ENGINE_ORDER: readonly Engine[] = ['ansible', 'job', 'tekton'];

export function boundariesOf(engine: Engine): Boundary[] {
  return engine === 'ansible' ? ansibleBoundaries() : kubeBoundaries(engine);
}
