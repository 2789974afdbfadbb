/** Kubernetes access for the job and tekton engines: a kubeconfig, an explicit server, or in-cluster. */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfigSource } from '../config.ts';
import { checkUrl, type Env, type Reader } from './reader.ts';

export function kubeSource(reader: Reader, env: Env): KubeConfigSource | undefined {
  const server = reader.text('KUBE_API_SERVER');
  const kubeconfigPath = reader.text('KUBECONFIG');
  const insecureSkipTlsVerify = reader.flag('KUBE_INSECURE_SKIP_TLS_VERIFY', false);
  if (server) {
    checkUrl(reader, 'KUBE_API_SERVER', server, 'KUBE_ALLOW_INSECURE_HTTP');
    const token = reader.secret('KUBE_TOKEN');
    const caFile = reader.file('KUBE_CA_FILE');
    return { server, insecureSkipTlsVerify, ...(token ? { token } : {}), ...(caFile ? { caFile } : {}) };
  }
  const context = reader.text('KUBE_CONTEXT');
  if (kubeconfigPath) {
    for (const path of kubeconfigPath.split(':').filter(Boolean))
      if (!existsSync(path)) reader.problems.push(`KUBECONFIG: file ${path} does not exist`);
    return { kubeconfigPath, insecureSkipTlsVerify, ...(context ? { context } : {}) };
  }
  const home = join(homedir(), '.kube', 'config');
  if (existsSync(home)) return { kubeconfigPath: home, insecureSkipTlsVerify, ...(context ? { context } : {}) };
  if (env.KUBERNETES_SERVICE_HOST) return { insecureSkipTlsVerify };
  return undefined;
}
