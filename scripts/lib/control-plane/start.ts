/**
 * The control plane, started and stopped as one: etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok
 * (the kubelet simulated), Tekton's controller and resolvers, and an OCI registry holding the test pipelines as Tekton
 * bundles — all in a private network namespace with only loopback (netns.ts), the API server and the registry reached
 * from the host through forwarder.ts. Resolves once a probe Job and a probe PipelineRun have run to success.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fetch } from 'undici';
import { stopProcess } from '../processes.ts';
import type { ControlPlaneBinaries } from './binaries.ts';
import { KubeApi } from './kube-api.ts';
import { APISERVER_PORT, startControllers, startEtcdAndApiserver } from './kubernetes.ts';
import { createKwokNode, startKwok } from './kwok.ts';
import { createNetworkNamespace, dieWithParent } from './netns.ts';
import { pushTektonBundle } from './oci-push.ts';
import { kubeconfigYaml, writePki } from './pki.ts';
import { probe } from './probe.ts';
import { installTekton, resolversLeading, startTekton } from './tekton.ts';
import { TEST_BUNDLES } from './test-pipelines.ts';
import { createWorkerIdentity } from './worker-identity.ts';

export const REGISTRY_PORT = 5000;
/** How the resolver reaches the registry: from inside the namespace. */
export const REGISTRY = `127.0.0.1:${REGISTRY_PORT}`;

export interface ControlPlane {
  /** Where its logs, certificates and state are. */
  dir: string;
  /** The API server as the host reaches it. */
  url: string;
  caPem: string;
  /** The admin's bearer token (system:masters). */
  adminToken: string;
  /** kubeconfig of a cluster admin (system:masters). */
  adminKubeconfigPath: string;
  /** kubeconfig of the worker's ServiceAccount, with exactly the RBAC of deploy/ (worker-identity.ts). */
  workerKubeconfigPath: string;
  workerUser: string;
  /** The registry as the host reaches it (push more bundles here), and as pods and Tekton see it. */
  registry: { hostUrl: string; address: string };
  /** References of the test bundles as a request's executionBundle names them. */
  bundles: { workflow: string; finally: string; missing: string };
  /** Seconds from the call to ready. */
  startSeconds: number;
  stop(): Promise<void>;
}

const node = process.execPath;
const script = (name: string) => fileURLToPath(new URL(name, import.meta.url));

/** The last lines of a component's log, for an error message (the folder may be gone by the time someone looks). */
export function logTail(dir: string, name: string, lines = 12): string {
  const file = join(dir, `${name}.log`);
  return existsSync(file) ? readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n') : '';
}

/** Rejects as soon as one of the processes exits. */
function exitOf(processes: Map<string, ChildProcess>, dir: string): Promise<never> {
  return new Promise((_, reject) => {
    for (const [name, child] of processes)
      child.once('exit', (code, signal) => reject(new Error(`${name} exited (${signal ?? code}):\n${logTail(dir, name)}`)));
  });
}

/** The first line a process prints on stdout, parsed as JSON. */
function firstLine(child: ChildProcess): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk;
      const end = text.indexOf('\n');
      if (end >= 0) resolve(JSON.parse(text.slice(0, end)) as Record<string, number>);
    });
    child.once('exit', (code) => reject(new Error(`forwarder exited (${code})`)));
  });
}

export interface StartOptions {
  log?: (line: string) => void;
  /** Leave what started running when the start fails, to look at it (stop the processes yourself). */
  keepOnFailure?: boolean;
}

export async function startControlPlane(binaries: ControlPlaneBinaries, dir: string, options: StartOptions = {}): Promise<ControlPlane> {
  const log = options.log ?? (() => {});
  const started = Date.now();
  mkdirSync(dir, { recursive: true });
  const netns = await createNetworkNamespace();
  const processes = new Map<string, ChildProcess>();
  const forwarders: ChildProcess[] = [];
  let api: KubeApi | undefined;
  const stop = async () => {
    await api?.close();
    const last = ['kube-apiserver', 'etcd'];
    // Everything but the API server and etcd first (their watches would keep the API server's shutdown waiting).
    await Promise.all([...processes].filter(([name]) => !last.includes(name)).map(([, child]) => stopProcess(child, 2000)));
    await Promise.all(forwarders.map((child) => stopProcess(child, 1000)));
    // kube-apiserver drains open watches for about a minute on SIGTERM: the state is thrown away, so a short grace.
    for (const name of last) {
      const child = processes.get(name);
      if (child) await stopProcess(child, 3000);
    }
    await netns.stop();
  };
  try {
    const pki = await writePki(dir);
    const insideKubeconfig = join(dir, 'admin-inside.kubeconfig');
    writeFileSync(insideKubeconfig, kubeconfigYaml(`https://127.0.0.1:${APISERVER_PORT}`, pki.caPem, 'admin', pki.adminToken), {
      mode: 0o600,
    });
    const core = startEtcdAndApiserver(netns, binaries, pki, dir);
    processes.set('etcd', core.etcd);
    processes.set('kube-apiserver', core.apiserver);
    processes.set(
      'registry',
      netns.spawn(node, [script('registry-server.ts'), String(REGISTRY_PORT), join(dir, 'registry')], join(dir, 'registry.log')),
    );
    const sockets = join(dir, 'sockets');
    mkdirSync(sockets, { recursive: true });
    const ports = [String(APISERVER_PORT), String(REGISTRY_PORT)];
    const inside = netns.spawn(node, [script('forwarder.ts'), 'inside', sockets, ...ports], join(dir, 'forwarder.log'));
    forwarders.push(inside);
    const outside = spawn(...dieWithParent(node, [script('forwarder.ts'), 'outside', sockets, ...ports]), {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    forwarders.push(outside);
    const hostPorts = await firstLine(outside);
    const exited = exitOf(processes, dir);
    exited.catch(() => {});
    const url = `https://127.0.0.1:${hostPorts[APISERVER_PORT]}`;
    const registryUrl = `http://127.0.0.1:${hostPorts[REGISTRY_PORT]}`;
    api = new KubeApi(url, pki.caPem, pki.adminToken);
    const kube = api;
    const race = <T>(promise: Promise<T>) => Promise.race([promise, exited]);

    await race(kube.until('kube-apiserver ready', async () => ((await kube.call('GET', '/readyz')).status === 200 ? true : undefined)));
    log(`kube-apiserver ready after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const [controllerManager, scheduler] = startControllers(netns, binaries, pki, insideKubeconfig, dir) as [ChildProcess, ChildProcess];
    processes.set('kube-controller-manager', controllerManager);
    processes.set('kube-scheduler', scheduler);
    const [identity] = await race(
      Promise.all([
        createWorkerIdentity(kube),
        installTekton(kube, binaries.tektonConfig),
        createKwokNode(kube),
        kube.until('the registry', async () => ((await fetchStatus(`${registryUrl}/v2/`)) === 200 ? true : undefined)),
      ]),
    );
    processes.set('kwok', startKwok(netns, binaries, insideKubeconfig, dir));
    const [controller, resolvers] = startTekton(netns, binaries, insideKubeconfig, dir) as [ChildProcess, ChildProcess];
    processes.set('tekton-controller', controller);
    processes.set('tekton-resolvers', resolvers);
    const exitedLater = exitOf(processes, dir);
    exitedLater.catch(() => {});
    const bundles = {
      workflow: `${REGISTRY}/${TEST_BUNDLES.workflow.repository}:${TEST_BUNDLES.workflow.tag}`,
      finally: `${REGISTRY}/${TEST_BUNDLES.finally.repository}:${TEST_BUNDLES.finally.tag}`,
      missing: `${REGISTRY}/kubernaut/absent:v1`,
    };
    for (const bundle of Object.values(TEST_BUNDLES))
      await pushTektonBundle(registryUrl, bundle.repository, bundle.tag, [...bundle.objects]);

    const adminKubeconfigPath = join(dir, 'admin.kubeconfig');
    const workerKubeconfigPath = join(dir, 'worker.kubeconfig');
    writeFileSync(adminKubeconfigPath, kubeconfigYaml(url, pki.caPem, 'admin', pki.adminToken), { mode: 0o600 });
    writeFileSync(workerKubeconfigPath, kubeconfigYaml(url, pki.caPem, 'kubernaut-executor', identity.token), { mode: 0o600 });
    await Promise.race([resolversLeading(kube).then(() => probe(kube, bundles.workflow)), exitedLater]);
    const startSeconds = Math.round((Date.now() - started) / 100) / 10;
    log(`control plane ready after ${startSeconds} s (logs in ${dir})`);
    return {
      dir,
      url,
      caPem: pki.caPem,
      adminToken: pki.adminToken,
      adminKubeconfigPath,
      workerKubeconfigPath,
      workerUser: identity.user,
      registry: { hostUrl: registryUrl, address: REGISTRY },
      bundles,
      startSeconds,
      stop,
    };
  } catch (error) {
    if (!options.keepOnFailure) await stop();
    // The folder may be gone by the time someone reads this (a test run's temp dir): the logs' last lines come along.
    const tails = [...processes.keys()].map((name) => `--- ${name}.log\n${logTail(dir, name, 5)}`).join('\n');
    throw new Error(`control plane start failed: ${(error as Error).message}\n${tails}`);
  }
}

async function fetchStatus(url: string): Promise<number> {
  const response = await fetch(url);
  await response.arrayBuffer();
  return response.status;
}
