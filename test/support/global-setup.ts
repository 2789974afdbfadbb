/**
 * node:test global setup: one real Temporal dev server (SQLite file in a temp dir, the project's search attributes
 * registered) for the whole run, and one workflow bundle that every test's Worker reuses; a real kube-apiserver + etcd
 * for the contract tests; and, when it is built, the real control plane (Kubernetes controllers, kwok, Tekton, a bundle
 * registry) for the engine tests on real controllers, started alongside. Their coordinates reach the test files through
 * environment variables. Teardown always stops the servers and removes the temp dir.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { builtControlPlaneBinaries } from '../../scripts/lib/control-plane/binaries.ts';
import { networkNamespaceUnavailable } from '../../scripts/lib/control-plane/netns.ts';
import { type ControlPlane, startControlPlane } from '../../scripts/lib/control-plane/start.ts';
import { type DevServer, startDevServer } from '../../scripts/lib/dev-server.ts';
import { freePort } from '../../scripts/lib/free-port.ts';
import { type RealKube, startRealKube } from '../../scripts/lib/kube-apiserver.ts';
import { ensureKubeBinaries } from '../../scripts/lib/kube-binaries.ts';
import { ensureTemporalCli } from '../../scripts/lib/temporal-cli.ts';
import { TEST_SERVER_ARGS, WORKFLOWS_PATH } from './paths.ts';

let server: DevServer | undefined;
let realKube: RealKube | undefined;
let controlPlane: Promise<ControlPlane | undefined> | undefined;
let workDir: string | undefined;

/**
 * The control plane, started in the background when its binaries are built (never built here: that takes an hour
 * cold; `node scripts/ensure-control-plane.ts`). A failed start reaches its tests as TEST_CONTROL_PLANE_ERROR, so
 * they fail saying why, and nothing else does.
 */
function startControlPlaneInBackground(dir: string): Promise<ControlPlane | undefined> {
  const binaries = builtControlPlaneBinaries();
  const unavailable = binaries ? networkNamespaceUnavailable() : 'not built (node scripts/ensure-control-plane.ts)';
  if (!binaries || unavailable) {
    process.env.TEST_CONTROL_PLANE_SKIPPED = `control plane ${unavailable}`;
    return Promise.resolve(undefined);
  }
  return startControlPlane(binaries, dir).then(
    (plane) => {
      process.env.TEST_CONTROL_PLANE_ADMIN_KUBECONFIG = plane.adminKubeconfigPath;
      process.env.TEST_CONTROL_PLANE_WORKER_KUBECONFIG = plane.workerKubeconfigPath;
      process.env.TEST_CONTROL_PLANE_BUNDLES = JSON.stringify(plane.bundles);
      process.env.TEST_CONTROL_PLANE_REGISTRY_URL = plane.registry.hostUrl;
      return plane;
    },
    (error: Error) => {
      process.env.TEST_CONTROL_PLANE_ERROR = `${error.message} (logs in ${dir})`;
      return undefined;
    },
  );
}

export async function globalSetup(): Promise<void> {
  workDir = mkdtempSync(join(tmpdir(), 'kubernaut-temporal-test-'));
  controlPlane = startControlPlaneInBackground(join(workDir, 'control-plane'));
  const cliPath = await ensureTemporalCli();
  server = await startDevServer({
    cliPath,
    // The Web UI serves the browser test.
    uiPort: await freePort(),
    dbFile: join(workDir, 'temporal.db'),
    logFile: join(workDir, 'temporal.log'),
    // Timers fire up to 1 s late by default (history.timerProcessorMaxTimeShift); tests poll every few hundred ms.
    extraArgs: TEST_SERVER_ARGS,
  });
  const bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger });
  const bundlePath = join(workDir, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);
  process.env.TEMPORAL_CLI_PATH = cliPath;
  process.env.TEST_TEMPORAL_ADDRESS = server.address;
  process.env.TEST_TEMPORAL_NAMESPACE = server.namespace;
  process.env.TEST_TEMPORAL_UI_URL = server.uiUrl;
  process.env.TEST_WORKFLOW_BUNDLE = bundlePath;
  process.env.TEST_WORK_DIR = workDir;
  // A real kube-apiserver + etcd (built from the Go module proxy) for the contract tests; skipped without Go.
  const binaries = await ensureKubeBinaries();
  if (binaries) {
    realKube = await startRealKube(binaries, join(workDir, 'kube'));
    process.env.TEST_REAL_KUBE_ADMIN_KUBECONFIG = realKube.adminKubeconfigPath;
    process.env.TEST_REAL_KUBE_WORKER_KUBECONFIG = realKube.workerKubeconfigPath;
    process.env.TEST_REAL_KUBE_WORKER_USER = realKube.workerUser;
  }
  await controlPlane;
}

export async function globalTeardown(): Promise<void> {
  await (await controlPlane)?.stop();
  await realKube?.stop();
  await server?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
}

const quietLogger = {
  log: () => {},
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (message: string) => process.stderr.write(`bundler: ${message}\n`),
  error: (message: string) => process.stderr.write(`bundler: ${message}\n`),
};
