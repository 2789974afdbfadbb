/** Starts the sandbox Kubernetes and AWX servers for the demo and `npm run sandbox`, with the objects the examples use. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AwxSandbox } from '../../sandbox/awx/server.ts';
import { KubeSandbox } from '../../sandbox/kube/server.ts';

export interface Sandboxes {
  kube: KubeSandbox;
  awx: AwxSandbox;
  kubeconfigPath: string;
  awxCaFile: string;
  stop(): Promise<void>;
}

export async function startSandboxes(dataDir: string, ports: { kube?: number; awx?: number } = {}): Promise<Sandboxes> {
  mkdirSync(dataDir, { recursive: true });
  const kubeconfigPath = join(dataDir, 'sandbox.kubeconfig');
  const awxCaFile = join(dataDir, 'awx-sandbox-ca.pem');
  const kube = await KubeSandbox.start({ kubeconfigPath, ...(ports.kube ? { port: ports.kube } : {}) });
  const awx = await AwxSandbox.start({
    tls: true,
    ...(ports.awx ? { port: ports.awx } : {}),
    templates: [
      { id: 10, name: 'restart-pod', credentials: [100, 200] },
      { id: 11, name: 'patch-node', credentials: [100] },
    ],
  });
  writeFileSync(awxCaFile, awx.caPem);
  // The dependencies the example requests (examples/*.json) name.
  const namespace = 'kubernaut-workflows';
  kube.createSecret(namespace, 'registry-creds', { username: 'robot', password: 'sandbox-only-password' });
  kube.createSecret(namespace, 'ssh-creds', { id_ed25519: 'sandbox-only-key', username: 'ansible' });
  kube.createConfigMap(namespace, 'remediation-config', { 'log-level': 'info', 'max-retries': '3' });
  return {
    kube,
    awx,
    kubeconfigPath,
    awxCaFile,
    async stop() {
      await kube.stop();
      await awx.stop();
    },
  };
}
