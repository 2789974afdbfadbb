/**
 * The etcd and kube-apiserver command lines both real API servers share (the contract tests' bare one and the control
 * plane's): a single-member etcd without fsync, and an API server with static tokens, RBAC and service-account keys.
 */
import { join } from 'node:path';
import type { PkiFiles } from './control-plane/pki.ts';

export function etcdFlags(name: string, dir: string, clientUrl: string, peerUrl: string): string[] {
  return [
    `--name=${name}`,
    `--data-dir=${join(dir, 'etcd')}`,
    `--listen-client-urls=${clientUrl}`,
    `--advertise-client-urls=${clientUrl}`,
    `--listen-peer-urls=${peerUrl}`,
    `--initial-advertise-peer-urls=${peerUrl}`,
    `--initial-cluster=${name}=${peerUrl}`,
    '--unsafe-no-fsync',
  ];
}

export function apiserverFlags(files: PkiFiles, etcdUrl: string, port: number, dir: string, extra: string[] = []): string[] {
  return [
    `--etcd-servers=${etcdUrl}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${port}`,
    `--tls-cert-file=${files.cert}`,
    `--tls-private-key-file=${files.key}`,
    `--client-ca-file=${files.ca}`,
    `--token-auth-file=${files.tokens}`,
    '--authorization-mode=RBAC',
    `--service-account-key-file=${files.saPub}`,
    `--service-account-signing-key-file=${files.saKey}`,
    '--service-account-issuer=https://kubernetes.default.svc',
    '--service-cluster-ip-range=10.96.0.0/24',
    '--profiling=false',
    // The kubernetes Service's endpoints need an address that is not loopback; nothing here uses that Service.
    '--endpoint-reconciler-type=none',
    `--cert-dir=${join(dir, 'certs')}`,
    ...extra,
  ];
}
