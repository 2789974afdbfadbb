/** kwok in the namespace: the Node object it manages, our pod stages plus its stock node stages. */
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeApi } from './kube-api.ts';
import { KWOK_NODE, podStagesYaml } from './kwok-stages.ts';
import type { NetworkNamespace } from './netns.ts';

export async function createKwokNode(api: KubeApi): Promise<void> {
  await api.create(KWOK_NODE);
}

export function startKwok(
  netns: NetworkNamespace,
  binaries: { kwok: string; kwokNodeStages: string[] },
  adminKubeconfig: string,
  dir: string,
): ChildProcess {
  const podStages = join(dir, 'kwok-pod-stages.yaml');
  writeFileSync(podStages, podStagesYaml());
  return netns.spawn(
    binaries.kwok,
    [
      `--kubeconfig=${adminKubeconfig}`,
      '--manage-all-nodes=true',
      '--node-lease-duration-seconds=40',
      '--server-address=127.0.0.1:10247',
      ...[...binaries.kwokNodeStages, podStages].map((file) => `--config=${file}`),
    ],
    join(dir, 'kwok.log'),
  );
}
