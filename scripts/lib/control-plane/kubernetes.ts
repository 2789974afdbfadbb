/**
 * etcd, kube-apiserver, kube-controller-manager and kube-scheduler inside the namespace, on their usual ports. The
 * controller manager runs only the controllers a Job's life needs (Jobs, garbage collection, namespaces, service
 * accounts and their tokens, the root CA ConfigMap, TTL after finished, pod GC, node lifecycle).
 */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { apiserverFlags, etcdFlags } from '../apiserver-flags.ts';
import type { NetworkNamespace } from './netns.ts';
import type { ControlPlanePki } from './pki.ts';

export const APISERVER_PORT = 6443;
const ETCD_CLIENT_PORT = 2379;
const ETCD_PEER_PORT = 2380;

export const KUBE_CONTROLLERS = [
  'job-controller',
  'garbage-collector-controller',
  'namespace-controller',
  'serviceaccount-controller',
  'serviceaccount-token-controller',
  'root-ca-certificate-publisher-controller',
  'ttl-after-finished-controller',
  'pod-garbage-collector-controller',
  // Takes away the not-ready taint the API server puts on a new Node once kwok reports it Ready.
  'node-lifecycle-controller',
];

export interface KubernetesProcesses {
  etcd: ChildProcess;
  apiserver: ChildProcess;
}

export function startEtcdAndApiserver(
  netns: NetworkNamespace,
  binaries: { etcd: string; kubeApiserver: string },
  pki: ControlPlanePki,
  dir: string,
): KubernetesProcesses {
  const etcdUrl = `http://127.0.0.1:${ETCD_CLIENT_PORT}`;
  const peerUrl = `http://127.0.0.1:${ETCD_PEER_PORT}`;
  const etcd = netns.spawn(binaries.etcd, etcdFlags('control-plane', dir, etcdUrl, peerUrl), join(dir, 'etcd.log'));
  const apiserver = netns.spawn(
    binaries.kubeApiserver,
    apiserverFlags(pki.files, etcdUrl, APISERVER_PORT, dir),
    join(dir, 'kube-apiserver.log'),
  );
  return { etcd, apiserver };
}

export function startControllers(
  netns: NetworkNamespace,
  binaries: { kubeControllerManager: string; kubeScheduler: string },
  pki: ControlPlanePki,
  adminKubeconfig: string,
  dir: string,
): ChildProcess[] {
  const controllerManager = netns.spawn(
    binaries.kubeControllerManager,
    [
      `--kubeconfig=${adminKubeconfig}`,
      `--authentication-kubeconfig=${adminKubeconfig}`,
      `--authorization-kubeconfig=${adminKubeconfig}`,
      '--leader-elect=false',
      `--controllers=${KUBE_CONTROLLERS.join(',')}`,
      `--service-account-private-key-file=${pki.files.saKey}`,
      `--root-ca-file=${pki.files.ca}`,
      '--use-service-account-credentials=false',
      '--bind-address=127.0.0.1',
      `--cert-dir=${join(dir, 'kcm-certs')}`,
      '--profiling=false',
    ],
    join(dir, 'kube-controller-manager.log'),
  );
  const scheduler = netns.spawn(
    binaries.kubeScheduler,
    [
      `--kubeconfig=${adminKubeconfig}`,
      `--authentication-kubeconfig=${adminKubeconfig}`,
      `--authorization-kubeconfig=${adminKubeconfig}`,
      '--leader-elect=false',
      '--bind-address=127.0.0.1',
      `--cert-dir=${join(dir, 'scheduler-certs')}`,
      '--profiling=false',
    ],
    join(dir, 'kube-scheduler.log'),
  );
  return [controllerManager, scheduler];
}
