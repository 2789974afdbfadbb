/**
 * The Kubernetes API servers the contract suite runs against: the sandbox (its simulated controllers off) and a real
 * kube-apiserver + etcd (when built). Tests play the Job and Tekton controllers themselves, writing status through
 * /status as those controllers do, so the same assertions hold on both.
 */
import type { V1Job } from '@kubernetes/client-node';
import { createKubeClients, type KubeClients, loadKubeConfig } from '../../src/clients/kube.ts';
import { startKubeFixture } from './kube-sandbox.ts';

export interface KubeBackend {
  name: 'sandbox' | 'kube-apiserver';
  kube: KubeClients;
  kubeconfigPath: string;
  stop(): Promise<void>;
}

export function realKubeAvailable(): boolean {
  return Boolean(process.env.TEST_REAL_KUBE_ADMIN_KUBECONFIG);
}

export async function startBackend(name: KubeBackend['name']): Promise<KubeBackend> {
  if (name === 'sandbox') {
    const fixture = await startKubeFixture();
    fixture.sandbox.jobs.enabled = false;
    fixture.sandbox.tekton.enabled = false;
    return { name, kube: fixture.kube, kubeconfigPath: fixture.kubeconfigPath, stop: () => fixture.stop() };
  }
  const kubeconfigPath = process.env.TEST_REAL_KUBE_ADMIN_KUBECONFIG ?? '';
  return { name, kube: createKubeClients(loadKubeConfig({ kubeconfigPath })), kubeconfigPath, stop: async () => {} };
}

const now = () => new Date();

/** Plays the Job controller: the Kubernetes ≥ 1.31 condition pair and counters, through /status. */
export async function finishJob(kube: KubeClients, namespace: string, name: string, outcome: 'success' | 'failure'): Promise<void> {
  const job = await kube.batch.readNamespacedJob({ name, namespace });
  // startTime is immutable once the controller set it.
  const startTime = job.status?.startTime ?? now();
  const condition = (type: string, reason: string, message: string) => ({
    type,
    status: 'True',
    reason,
    message,
    lastProbeTime: now(),
    lastTransitionTime: now(),
  });
  const status: V1Job['status'] =
    outcome === 'success'
      ? {
          startTime,
          completionTime: now(),
          succeeded: 1,
          conditions: [
            condition('SuccessCriteriaMet', 'CompletionsReached', 'Reached expected number of succeeded pods'),
            condition('Complete', 'CompletionsReached', 'Reached expected number of succeeded pods'),
          ],
        }
      : {
          startTime,
          failed: 1,
          conditions: [
            condition('FailureTarget', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'),
            condition('Failed', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'),
          ],
        };
  await kube.batch.replaceNamespacedJobStatus({ name, namespace, body: { ...job, status } });
}

/** Marks a Job running (active pod), as the controller does when the pod is created. */
export async function startJob(kube: KubeClients, namespace: string, name: string): Promise<void> {
  const job = await kube.batch.readNamespacedJob({ name, namespace });
  await kube.batch.replaceNamespacedJobStatus({ name, namespace, body: { ...job, status: { startTime: now(), active: 1 } } });
}

const TEKTON = { group: 'tekton.dev', version: 'v1', plural: 'pipelineruns' } as const;

/** Plays the Tekton controller: the PipelineRun's Succeeded condition (and child references), through /status. */
export async function setPipelineRunCondition(
  kube: KubeClients,
  namespace: string,
  name: string,
  condition: { status: 'True' | 'False' | 'Unknown'; reason: string; message?: string },
  childReferences: { kind: string; name: string; pipelineTaskName: string }[] = [],
): Promise<void> {
  const run = (await kube.custom.getNamespacedCustomObject({ ...TEKTON, namespace, name })) as Record<string, unknown>;
  const status = {
    conditions: [{ type: 'Succeeded', lastTransitionTime: now().toISOString(), message: condition.message ?? '', ...condition }],
    ...(childReferences.length > 0 ? { childReferences: childReferences.map((child) => ({ apiVersion: 'tekton.dev/v1', ...child })) } : {}),
  };
  await kube.custom.replaceNamespacedCustomObjectStatus({ ...TEKTON, namespace, name, body: { ...run, status } });
}
