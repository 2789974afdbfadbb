/** The executors this worker runs, built from what its configuration gives access to. */
import { AwxHttpClient } from './clients/awx.ts';
import type { AwxClient } from './clients/awx-types.ts';
import { createKubeClients, type KubeClients, loadKubeConfig } from './clients/kube.ts';
import type { WorkerConfig } from './config.ts';
import { AnsibleExecutor } from './executors/ansible/index.ts';
import { JobExecutor } from './executors/job.ts';
import { ExecutorRegistry } from './executors/registry.ts';
import { TektonExecutor } from './executors/tekton.ts';

export interface BuiltRegistry {
  registry: ExecutorRegistry;
  kube?: KubeClients;
  awx?: AwxClient;
  close(): Promise<void>;
}

export async function buildRegistry(config: WorkerConfig): Promise<BuiltRegistry> {
  const registry = new ExecutorRegistry();
  const closers: (() => Promise<void>)[] = [];
  let kube: KubeClients | undefined;
  let awxClient: AwxClient | undefined;
  if (config.kube) {
    kube = createKubeClients(loadKubeConfig(config.kube));
    const options = {
      kube,
      defaultServiceAccountName: config.serviceAccountName,
      jobTtlSecondsAfterFinished: config.jobTtlSecondsAfterFinished,
      podSecurityContext: config.podSecurityContext,
      podSettings: config.podSettings,
    };
    if (config.engines.includes('job')) registry.register(new JobExecutor(options));
    if (config.engines.includes('tekton')) registry.register(new TektonExecutor(options));
  }
  if (config.awx && config.engines.includes('ansible')) {
    const awx = new AwxHttpClient({
      baseUrl: config.awx.url,
      token: config.awx.token,
      insecureSkipTlsVerify: config.awx.insecureSkipTlsVerify,
      requestTimeoutMs: config.awx.requestTimeoutMs,
      ...(config.awx.apiPath ? { apiPath: config.awx.apiPath } : {}),
      ...(config.awx.caFile ? { caFile: config.awx.caFile } : {}),
    });
    registry.register(new AnsibleExecutor({ awx, organizationId: config.awx.organizationId, kube }));
    closers.push(() => awx.close());
    awxClient = awx;
  }
  return {
    registry,
    kube,
    awx: awxClient,
    close: async () => void (await Promise.all(closers.map((close) => close()))),
  };
}
