/** A Kubernetes sandbox server for a test file, with real client-node clients pointed at it over HTTPS. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeSandbox } from '../../sandbox/kube/server.ts';
import { createKubeClients, type KubeClients, loadKubeConfig } from '../../src/clients/kube.ts';

export interface KubeFixture {
  sandbox: KubeSandbox;
  kube: KubeClients;
  kubeconfigPath: string;
  stop(): Promise<void>;
}

export async function startKubeFixture(): Promise<KubeFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'kube-sandbox-'));
  const kubeconfigPath = join(dir, 'kubeconfig');
  const sandbox = await KubeSandbox.start({ kubeconfigPath });
  const kube = createKubeClients(loadKubeConfig({ kubeconfigPath }));
  return {
    sandbox,
    kube,
    kubeconfigPath,
    async stop() {
      await sandbox.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls until the check returns a value (or throws after the timeout). */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value as T;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${(lastError as Error).message}` : ''}`);
}
