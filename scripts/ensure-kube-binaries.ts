/** Builds (or finds the cached) kube-apiserver and etcd used by the real API server tests. Used by .ci/run. */
import { ensureKubeBinaries } from './lib/kube-binaries.ts';

const binaries = await ensureKubeBinaries();
if (binaries) process.stdout.write(`${binaries.kubeApiserver}\n${binaries.etcd}\n`);
