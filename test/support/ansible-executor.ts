/** An AnsibleExecutor over the AWX and Kubernetes sandboxes, for the executor tests. */

import type { Job as AwxJob } from '../../sandbox/awx/model.ts';
import type { ExecutionHandle, ExecutionRequest, PreparedCredentials } from '../../src/domain/types.ts';
import { AnsibleExecutor } from '../../src/executors/ansible/index.ts';
import type { CreateContext } from '../../src/executors/executor.ts';
import { type AwxFixture, startAwxFixture } from './awx-sandbox.ts';
import { type KubeFixture, startKubeFixture } from './kube-sandbox.ts';
import { uniqueSuffix } from './requests.ts';

export const EXECUTION_NAMESPACE = 'kubernaut-workflows';

export interface Launched {
  prepared: PreparedCredentials;
  handle: ExecutionHandle;
  /** The AWX job launched, and its extra_vars parsed. */
  job: AwxJob | undefined;
  vars: Record<string, unknown>;
}

export interface AnsibleFixture {
  awx: AwxFixture;
  kube: KubeFixture;
  executor: AnsibleExecutor;
  /** A Secret of a name of its own in the execution namespace; its name. */
  secret(data: Record<string, string>): string;
  /** Prepare, then create, as the workflow does. */
  launch(ctx: CreateContext): Promise<Launched>;
  stop(): Promise<void>;
}

export async function startAnsibleFixture(): Promise<AnsibleFixture> {
  const awx = await startAwxFixture();
  const kube = await startKubeFixture();
  const executor = new AnsibleExecutor({ awx: awx.awx, kube: kube.kube });
  return {
    awx,
    kube,
    executor,
    secret(data) {
      const name = `creds-${uniqueSuffix()}`;
      kube.sandbox.createSecret(EXECUTION_NAMESPACE, name, data);
      return name;
    },
    async launch(ctx) {
      const prepared = await executor.prepare(ctx);
      const handle = await executor.create({ ...ctx, prepared });
      const job = awx.sandbox.jobs.get(handle.awxJobId ?? -1);
      return { prepared, handle, job, vars: JSON.parse(job?.extra_vars ?? '{}') as Record<string, unknown> };
    },
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
