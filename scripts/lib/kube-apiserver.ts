/**
 * A real Kubernetes API server for tests: etcd and kube-apiserver (built by kube-binaries.ts) on free loopback ports,
 * with a generated CA and serving certificate, static tokens for an admin and for the worker's identity, RBAC
 * authorization, the execution namespace, and CustomResourceDefinitions for Tekton's PipelineRun and TaskRun. No
 * controller-manager runs: tests play the Job and Tekton controllers by writing status through /status.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, fetch } from 'undici';
import { apiserverFlags, etcdFlags } from './apiserver-flags.ts';
import { kubeconfigYaml, writePki } from './control-plane/pki.ts';
import { freePorts } from './free-port.ts';
import type { KubeBinaries } from './kube-binaries.ts';
import { stopProcess } from './processes.ts';

export interface RealKube {
  url: string;
  caPem: string;
  /** kubeconfig of a cluster admin (system:masters). */
  adminKubeconfigPath: string;
  /** kubeconfig of the worker's identity (user "kubernaut-executor", no rights until a RoleBinding grants them). */
  workerKubeconfigPath: string;
  workerUser: string;
  stop(): Promise<void>;
}

const ADMIN_TOKEN = 'admin-token-for-tests';
const WORKER_TOKEN = 'worker-token-for-tests';

function started(command: string, args: string[], logFile: string): ChildProcess {
  const log = openSync(logFile, 'a');
  const child = spawn(command, args, { stdio: ['ignore', log, log] });
  closeSync(log);
  process.once('exit', () => child.kill('SIGKILL'));
  return child;
}

/** The PipelineRun / TaskRun CRDs: our own schema accepting the fields we send, with the status subresource. */
function tektonCrd(plural: string, kind: string) {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.tekton.dev` },
    spec: {
      group: 'tekton.dev',
      scope: 'Namespaced',
      names: { plural, singular: kind.toLowerCase(), kind, listKind: `${kind}List`, categories: ['tekton'] },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
                status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
              },
            },
          },
        },
      ],
    },
  };
}

export async function startRealKube(binaries: KubeBinaries, dir: string): Promise<RealKube> {
  mkdirSync(dir, { recursive: true });
  const { caPem, files } = await writePki(dir, {
    caName: 'kubernaut-test-kube-ca',
    adminToken: ADMIN_TOKEN,
    users: [`${WORKER_TOKEN},kubernaut-executor,2`],
  });
  const [etcdClient, etcdPeer, apiPort] = (await freePorts(3)) as [number, number, number];
  const etcdUrl = `http://127.0.0.1:${etcdClient}`;
  const etcd = started(binaries.etcd, etcdFlags('test', dir, etcdUrl, `http://127.0.0.1:${etcdPeer}`), join(dir, 'etcd.log'));
  const apiserver = started(
    binaries.kubeApiserver,
    apiserverFlags(files, etcdUrl, apiPort, dir, ['--enable-priority-and-fairness=false']),
    join(dir, 'kube-apiserver.log'),
  );
  const url = `https://127.0.0.1:${apiPort}`;
  const agent = new Agent({ connect: { ca: caPem } });
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${url}${path}`, {
      method,
      dispatcher: agent,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, text: await response.text() };
  };
  const stop = async () => {
    await agent.close();
    await stopProcess(apiserver);
    await stopProcess(etcd);
  };
  try {
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (apiserver.exitCode !== null)
        throw new Error(`kube-apiserver exited (${apiserver.exitCode}); see ${join(dir, 'kube-apiserver.log')}`);
      const ready = await call('GET', '/readyz').catch(() => undefined);
      if (ready?.status === 200) break;
      if (Date.now() > deadline) throw new Error(`kube-apiserver not ready after 120 s: ${ready?.text}`);
      await sleep(250);
    }
    for (const namespace of ['kubernaut-workflows', 'kubernaut-system'])
      await call('POST', '/api/v1/namespaces', { metadata: { name: namespace } });
    for (const [plural, kind] of [
      ['pipelineruns', 'PipelineRun'],
      ['taskruns', 'TaskRun'],
    ] as const) {
      await call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', tektonCrd(plural, kind));
    }
    for (;;) {
      // Established, and their storage initialized (the first lists answer 429 "storage is (re)initializing").
      const lists = await Promise.all(
        ['pipelineruns', 'taskruns'].map((plural) => call('GET', `/apis/tekton.dev/v1/namespaces/kubernaut-workflows/${plural}`)),
      );
      if (lists.every((list) => list.status === 200)) break;
      if (Date.now() > deadline) throw new Error('Tekton CRDs not established');
      await sleep(200);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const kubeconfig = (user: string, token: string) => kubeconfigYaml(url, caPem, user, token, 'kubernaut-workflows', 'real');
  const adminKubeconfigPath = join(dir, 'admin.kubeconfig');
  const workerKubeconfigPath = join(dir, 'worker.kubeconfig');
  writeFileSync(adminKubeconfigPath, kubeconfig('admin', ADMIN_TOKEN), { mode: 0o600 });
  writeFileSync(workerKubeconfigPath, kubeconfig('kubernaut-executor', WORKER_TOKEN), { mode: 0o600 });
  return { url, caPem: caPem, adminKubeconfigPath, workerKubeconfigPath, workerUser: 'kubernaut-executor', stop };
}
