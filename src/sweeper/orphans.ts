/**
 * What the orphan sweeper looks at: everything carrying this project's marks — Jobs and PipelineRuns labelled with a
 * WorkflowExecution, ephemeral AWX credentials (their description names the owning run) and running AWX jobs (their
 * extra_vars carry the execution marker) — each with the workflow ID of the execution that owns it.
 */
import type { V1Job } from '@kubernetes/client-node';
import type { AwxClient } from '../clients/awx-types.ts';
import { isNotFound, type KubeClients, kubeError } from '../clients/kube.ts';
import { ownerRunOfDescription, workflowIdOfRun } from '../domain/awx-credentials.ts';
import { ANNOTATION_CREATED_BY_RUN, EPHEMERAL_CREDENTIAL_PREFIX, LABEL_WORKFLOW_EXECUTION } from '../domain/constants.ts';
import { jobMarkerOf } from '../executors/ansible/index.ts';

export type OrphanKind = 'Job' | 'PipelineRun' | 'AwxJob' | 'AwxCredential';

export interface OrphanCandidate {
  kind: OrphanKind;
  /** "namespace/name" for Kubernetes objects, the id for AWX objects. */
  name: string;
  /** The workflow ID of the owning execution. */
  workflowId: string;
  createdAt?: string;
  /** Removes it (idempotent: already gone is success). */
  remove(): Promise<void>;
}

const EXECUTION_NAME = /^wfe-[0-9a-f]{16}$/;

interface KubeObject {
  metadata?: { name?: string; namespace?: string; uid?: string; creationTimestamp?: Date | string; annotations?: Record<string, string> };
}

function kubeCandidate(
  kind: 'Job' | 'PipelineRun',
  object: KubeObject,
  remove: (uid?: string) => Promise<void>,
): OrphanCandidate | undefined {
  const { name, namespace, uid, creationTimestamp, annotations } = object.metadata ?? {};
  const run = annotations?.[ANNOTATION_CREATED_BY_RUN];
  const workflowId = run ? workflowIdOfRun(run) : name;
  if (!name || !workflowId || !EXECUTION_NAME.test(name)) return undefined;
  return {
    kind,
    name: `${namespace}/${name}`,
    workflowId,
    ...(creationTimestamp ? { createdAt: new Date(creationTimestamp).toISOString() } : {}),
    remove: async () => {
      try {
        await remove(uid);
      } catch (error) {
        // Gone, or the name now belongs to a newer object (UID precondition): nothing of this orphan is left.
        if (isNotFound(error) || (error as { code?: number }).code === 409) return;
        throw kubeError(`delete orphaned ${kind} ${namespace}/${name}`, error);
      }
    },
  };
}

export async function kubeOrphanCandidates(kube: KubeClients, namespace: string): Promise<OrphanCandidate[]> {
  const labelSelector = LABEL_WORKFLOW_EXECUTION;
  const jobs = await kube.batch.listNamespacedJob({ namespace, labelSelector }).catch((error) => {
    throw kubeError(`list Jobs in ${namespace}`, error);
  });
  const candidates = jobs.items.map((job: V1Job) =>
    kubeCandidate('Job', job, async (uid) => {
      await kube.batch.deleteNamespacedJob({
        name: job.metadata?.name ?? '',
        namespace,
        body: { propagationPolicy: 'Background', ...(uid ? { preconditions: { uid } } : {}) },
      });
    }),
  );
  try {
    const runs = (await kube.custom.listNamespacedCustomObject({
      group: 'tekton.dev',
      version: 'v1',
      namespace,
      plural: 'pipelineruns',
      labelSelector,
    })) as { items?: KubeObject[] };
    for (const run of runs.items ?? [])
      candidates.push(
        kubeCandidate('PipelineRun', run, async (uid) => {
          await kube.custom.deleteNamespacedCustomObject({
            group: 'tekton.dev',
            version: 'v1',
            namespace,
            plural: 'pipelineruns',
            name: run.metadata?.name ?? '',
            body: { propagationPolicy: 'Background', ...(uid ? { preconditions: { uid } } : {}) },
          });
        }),
      );
  } catch (error) {
    if (!isNotFound(error)) throw kubeError(`list PipelineRuns in ${namespace}`, error); // 404: Tekton not installed
  }
  return candidates.filter((candidate): candidate is OrphanCandidate => candidate !== undefined);
}

export async function awxOrphanCandidates(awx: AwxClient, maxPages: number): Promise<OrphanCandidate[]> {
  const candidates: OrphanCandidate[] = [];
  for (const job of await awx.listActiveJobs(maxPages)) {
    const { run } = jobMarkerOf(job);
    if (!run) continue;
    candidates.push({
      kind: 'AwxJob',
      name: String(job.id),
      workflowId: workflowIdOfRun(run),
      ...(job.created ? { createdAt: job.created } : {}),
      remove: async () => {
        await awx.cancelJob(job.id); // 405 (finished meanwhile) is success
      },
    });
  }
  for (const credential of await awx.findCredentialsByPrefix(EPHEMERAL_CREDENTIAL_PREFIX, maxPages)) {
    const run = ownerRunOfDescription(credential.description);
    if (!run) continue; // not one of ours (or made before owners were recorded): never touched
    candidates.push({
      kind: 'AwxCredential',
      name: String(credential.id),
      workflowId: workflowIdOfRun(run),
      ...(credential.created ? { createdAt: credential.created } : {}),
      remove: async () => {
        await awx.deleteCredential(credential.id); // 404 is success
      },
    });
  }
  return candidates;
}
