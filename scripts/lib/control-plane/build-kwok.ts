/**
 * kwok (the kubelet simulated: nodes and pods, nothing else) built with `go install` from the Go module proxy. Its
 * stock stages are not in the binary but in the module's kustomize/stage folder: the node stages we use are copied
 * next to the binary (pod stages are our own, kwok-stages.ts).
 */
import { copyFileSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { BUILD_ROOT, runGo } from '../kube-binaries.ts';
import { TOOLS_BIN } from '../paths.ts';

export const KWOK_MODULE = 'sigs.k8s.io/kwok';
export const KWOK_VERSION = 'v0.8.0';
/** Stock node stages: initialize (Ready, addresses, capacity) and the heartbeat with a Lease. */
const NODE_STAGES = ['node/fast/node-initialize.yaml', 'node/heartbeat-with-lease/node-heartbeat-with-lease.yaml'];

export function kwokPaths() {
  const stages = join(TOOLS_BIN, '..', 'share', `kwok-${KWOK_VERSION}`, 'stages');
  return {
    kwok: join(TOOLS_BIN, `kwok-${KWOK_VERSION}`),
    nodeStages: NODE_STAGES.map((stage) => join(stages, stage.split('/').at(-1) ?? '')),
  };
}

export async function buildKwok(log: (line: string) => void): Promise<void> {
  mkdirSync(BUILD_ROOT, { recursive: true });
  mkdirSync(TOOLS_BIN, { recursive: true });
  const paths = kwokPaths();
  const gobin = mkdtempSync(join(TOOLS_BIN, '.build-'));
  try {
    await runGo(['install', '-trimpath', `${KWOK_MODULE}/cmd/kwok@${KWOK_VERSION}`], BUILD_ROOT, log, { GOBIN: gobin, GOFLAGS: '' });
    renameSync(join(gobin, 'kwok'), paths.kwok);
  } finally {
    rmSync(gobin, { recursive: true, force: true });
  }
  const download = JSON.parse(await runGo(['mod', 'download', '-json', `${KWOK_MODULE}@${KWOK_VERSION}`], BUILD_ROOT, log)) as {
    Dir: string;
  };
  for (const [index, stage] of NODE_STAGES.entries()) {
    const target = paths.nodeStages[index] as string;
    mkdirSync(join(target, '..'), { recursive: true });
    copyFileSync(join(download.Dir, 'kustomize', 'stage', stage), target);
  }
}
