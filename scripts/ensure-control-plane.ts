/**
 * Builds (or finds cached in .tools/) every binary of the real control plane the tests and `npm run control-plane` use —
 * etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok, Tekton's controller and resolvers — from the Go
 * module proxy, and prints how long each part took. Used by .ci/run.
 */
import { ensureControlPlaneBinaries } from './lib/control-plane/binaries.ts';
import { networkNamespaceUnavailable } from './lib/control-plane/netns.ts';

const started = Date.now();
const result = await ensureControlPlaneBinaries();
if (!result) process.exit(0);
for (const { part, seconds, built } of result.timings)
  process.stdout.write(`${part.padEnd(70)} ${built ? `built in ${seconds} s` : 'cached'}\n`);
process.stdout.write(`${'total'.padEnd(70)} ${Math.round((Date.now() - started) / 1000)} s\n`);
const unavailable = networkNamespaceUnavailable();
if (unavailable) process.stdout.write(`Note: the control plane cannot start here (${unavailable}); its tests will be skipped.\n`);
