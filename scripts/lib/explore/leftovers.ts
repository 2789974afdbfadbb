/**
 * What a scenario left in the backends: its ephemeral AWX credentials, its Jobs / PipelineRuns, its AWX jobs. Objects
 * on their way out (an AWX job whose cancel was accepted, a Kubernetes object being deleted) are given a few seconds
 * to go before they count.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { AwxSandbox } from '../../../sandbox/awx/server.ts';
import { resourceByKind } from '../../../sandbox/kube/resources.ts';
import type { KubeSandbox } from '../../../sandbox/kube/server.ts';
import type { Engine } from '../../../src/domain/types.ts';
import { EXECUTION_NAMESPACE, ownsCredential, type ScenarioIdentity } from './identity.ts';

const ACTIVE_AWX_STATES = new Set(['new', 'pending', 'waiting', 'running']);
const WORKFLOW_EXECUTION_LABEL = 'kubernaut.ai/workflow-execution';

export interface Leftovers {
  credentials: string[];
  /** "Job/<name>" or "PipelineRun/<name>". */
  kubeObjects: string[];
  /** Every AWX job launched for the scenario: id and status. */
  awxJobs: { id: number; status: string; cancelRequested: boolean; run: string }[];
}

function snapshot(kube: KubeSandbox, awx: AwxSandbox, engine: Engine, identity: ScenarioIdentity, resourceName: string) {
  const credentials = [...awx.credentials.values()]
    .filter((credential) => !credential.managed && ownsCredential(identity, credential.name, credential.description))
    .map((credential) => `${credential.name} (${credential.id})`);
  const kinds = engine === 'job' ? ['Job'] : engine === 'tekton' ? ['PipelineRun'] : [];
  const kubeObjects = kinds.flatMap((kind) =>
    kube.store
      .list(resourceByKind(kind), EXECUTION_NAMESPACE)
      .items.filter(
        (object) => object.metadata.name === resourceName || object.metadata.labels?.[WORKFLOW_EXECUTION_LABEL] === identity.wfeName,
      )
      .map((object) => ({ name: `${kind}/${object.metadata.name}`, leaving: Boolean(object.metadata.deletionTimestamp) })),
  );
  const awxJobs =
    identity.templateId === undefined
      ? []
      : awx.jobsOf(identity.templateId).map((job) => ({
          id: job.id,
          status: job.status,
          cancelRequested: Boolean(job.canceled_on),
          run: String((JSON.parse(job.extra_vars || '{}') as Record<string, unknown>).KUBERNAUT_EXECUTION_MARKER ?? ''),
        }));
  return { credentials, kubeObjects, awxJobs };
}

export async function leftoversOf(
  kube: KubeSandbox,
  awx: AwxSandbox,
  engine: Engine,
  identity: ScenarioIdentity,
  resourceName: string,
  settleMs = 5000,
): Promise<Leftovers> {
  const deadline = Date.now() + settleMs;
  for (;;) {
    const found = snapshot(kube, awx, engine, identity, resourceName);
    const transitional =
      found.kubeObjects.some((object) => object.leaving) ||
      found.awxJobs.some((job) => job.cancelRequested && ACTIVE_AWX_STATES.has(job.status));
    if (!transitional || Date.now() >= deadline) return { ...found, kubeObjects: found.kubeObjects.map((object) => object.name) };
    await sleep(100);
  }
}

/**
 * The invariants on what is left: nothing of the scenario, and at most one AWX job that ran (was not cancelled) per
 * run of the execution. A reset to the first workflow task starts a new run that executes again by design (as the
 * Job and Tekton engines do: a finished resource is replaced); a reset of a running execution adopts its job.
 */
export function leftoverViolations(leftovers: Leftovers): string[] {
  const violations: string[] = [];
  if (leftovers.credentials.length > 0)
    violations.push(`left ${leftovers.credentials.length} ephemeral credential(s): ${leftovers.credentials.join(', ')}`);
  if (leftovers.kubeObjects.length > 0) violations.push(`left ${leftovers.kubeObjects.join(', ')}`);
  const running = leftovers.awxJobs.filter((job) => ACTIVE_AWX_STATES.has(job.status));
  if (running.length > 0) violations.push(`AWX job(s) still running: ${running.map((job) => `${job.id} (${job.status})`).join(', ')}`);
  const notCancelled = leftovers.awxJobs.filter((job) => job.status !== 'canceled');
  for (const run of new Set(notCancelled.map((job) => job.run))) {
    const ofRun = notCancelled.filter((job) => job.run === run);
    if (ofRun.length > 1)
      violations.push(
        `${ofRun.length} AWX jobs not cancelled for run ${run} (${leftovers.awxJobs.length} launched): ${ofRun.map((job) => `${job.id} ${job.status}`).join(', ')}`,
      );
  }
  return violations;
}
