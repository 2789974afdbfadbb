/** An AnsibleExecutor over the AWX and Kubernetes sandboxes, for the executor tests. */
import type { ExecutionRequest } from '../../src/domain/types.ts';
import { AnsibleExecutor } from '../../src/executors/ansible/index.ts';
import type { CreateContext } from '../../src/executors/executor.ts';
import { type AwxFixture, startAwxFixture } from './awx-sandbox.ts';
import { type KubeFixture, startKubeFixture } from './kube-sandbox.ts';
import { uniqueSuffix } from './requests.ts';

export const EXECUTION_NAMESPACE = 'kubernaut-workflows';

export interface AnsibleFixture {
  awx: AwxFixture;
  kube: KubeFixture;
  executor: AnsibleExecutor;
  stop(): Promise<void>;
}

export async function startAnsibleFixture(): Promise<AnsibleFixture> {
  const awx = await startAwxFixture();
  const kube = await startKubeFixture();
  return {
    awx,
    kube,
    executor: new AnsibleExecutor({ awx: awx.awx, kube: kube.kube }),
    async stop() {
      await awx.stop();
      await kube.stop();
    },
  };
}

/** A create context for a run of its own (a fresh createdByRun). */
export const createContext = (request: ExecutionRequest, extra: Partial<CreateContext> = {}): CreateContext => ({
  request,
  executionNamespace: EXECUTION_NAMESPACE,
  createdByRun: `wf-${uniqueSuffix()}/run-1`,
  executionTimeoutMs: 60_000,
  ...extra,
});
