/**
 * npm run control-plane: the real control plane (Kubernetes, kwok, Tekton, the bundle registry) on its own, for the
 * demo or a worker run by hand, with the Secrets and ConfigMap the example requests name; prints how to point the
 * worker at it. Ctrl-C stops it.
 *   --dir <path>   where its state and logs go (default .data/control-plane, emptied at start)
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_EXECUTION_NAMESPACE } from '../../../src/domain/constants.ts';
import { PROJECT_ROOT } from '../paths.ts';
import { builtControlPlaneBinaries } from './binaries.ts';
import { KubeApi } from './kube-api.ts';
import { networkNamespaceUnavailable } from './netns.ts';
import { startControlPlane } from './start.ts';

const { values } = parseArgs({ options: { dir: { type: 'string' } } });
const dir = values.dir ?? join(PROJECT_ROOT, '.data', 'control-plane');
const binaries = builtControlPlaneBinaries();
if (!binaries) {
  process.stderr.write(
    'The control plane is not built: run `node scripts/ensure-control-plane.ts` first (about an hour cold on 2 cores).\n',
  );
  process.exit(1);
}
const unavailable = networkNamespaceUnavailable();
if (unavailable) {
  process.stderr.write(`The control plane runs in a private network namespace, which cannot be created here: ${unavailable}\n`);
  process.exit(1);
}
rmSync(dir, { recursive: true, force: true });
const plane = await startControlPlane(binaries, dir, { log: (line) => process.stderr.write(`${line}\n`) });

// The dependencies examples/*.json name (as the sandbox has them), so `npm start`'s job example runs here too.
const api = new KubeApi(plane.url, plane.caPem, plane.adminToken);
const namespace = DEFAULT_EXECUTION_NAMESPACE;
await api.create({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'registry-creds', namespace },
  stringData: { username: 'robot', password: 'demo-only' },
});
await api.create({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'ssh-creds', namespace },
  stringData: { id_ed25519: 'demo-only', username: 'ansible' },
});
await api.create({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'remediation-config', namespace },
  data: { 'log-level': 'info', 'max-retries': '3' },
});
await api.close();

process.stdout.write(
  [
    `Control plane ready in ${plane.startSeconds} s: kube-apiserver ${plane.url}, logs in ${plane.dir}`,
    `  kubectl --kubeconfig ${plane.adminKubeconfigPath} get jobs,pipelineruns,taskruns,pods -n ${namespace}`,
    'Point the worker at it (it acts as the ServiceAccount kubernaut-system/kubernaut-executor, with the Role of deploy/):',
    `  KUBECONFIG=${plane.workerKubeconfigPath} npm start      # Temporal, the worker and the demo executions`,
    `  KUBECONFIG=${plane.workerKubeconfigPath} node src/worker.ts   # or only the worker, on your Temporal`,
    "  npm start's tekton example names quay.io/kubernaut/pipelines:scale-up, which cannot be pulled here (no network):",
    '  it waits in ResolvingPipelineRef until its 30-minute timeout (Tekton v1.10.1 cannot record a failed resolution).',
    "Tekton bundles here (a request's executionBundle):",
    `  ${plane.bundles.workflow}          one task`,
    `  ${plane.bundles.finally}  prepare → remediate, finally report`,
    `  (push your own to ${plane.registry.hostUrl}: scripts/lib/control-plane/oci-push.ts)`,
    '  npm run cli -- start --name wfe-demo --engine tekton --target default/deployment/demo \\',
    `    --bundle ${plane.bundles.workflow} --param SANDBOX_DURATION_MS=3000 --wait`,
    'kwok runs the pods (Job and TaskRun pods alike): SANDBOX_OUTCOME=success|failure|hold|image-pull-backoff and',
    'SANDBOX_DURATION_MS decide them, as in the sandbox; an image named …/stuck:… never pulls.',
    'Press Ctrl-C to stop.',
    '',
  ].join('\n'),
);
const stop = async () => {
  await plane.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
