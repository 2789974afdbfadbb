/**
 * The output of a Job's or a PipelineRun's pods: the last lines of each container's log, read through the API server
 * (a refused or missing pod is said in place of its log). The caller masks secrets before it goes anywhere.
 */
import type { KubeClients } from '../clients/kube.ts';
import { describeKubeError } from '../clients/kube.ts';

export async function podLogs(kube: KubeClients, namespace: string, labelSelector: string, maxBytes: number): Promise<string> {
  const pods = await kube.core.listNamespacedPod({ namespace, labelSelector });
  if (pods.items.length === 0) return '';
  const parts: string[] = [];
  for (const pod of pods.items) {
    const name = pod.metadata?.name ?? '';
    for (const container of pod.spec?.containers ?? []) {
      const log = await kube.core
        .readNamespacedPodLog({ name, namespace, container: container.name, tailLines: 200 })
        .catch((error) => `(log unavailable: ${describeKubeError(error)})`);
      parts.push(`--- ${name}/${container.name}\n${String(log).trimEnd()}`);
    }
  }
  const text = parts.join('\n');
  return text.length > maxBytes ? `…${text.slice(text.length - maxBytes)}` : text;
}
