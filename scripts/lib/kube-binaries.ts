/**
 * Kubernetes (kube-apiserver, kube-controller-manager, kube-scheduler) and etcd built from the Go module proxy into
 * .tools/bin (git-ignored), for the tests that run against a real API server or a real control plane.
 * k8s.io/kubernetes's go.mod replaces its staging modules (k8s.io/api, …) with paths inside its own tree, which
 * `go install` refuses; a small wrapper module maps each to its published v0.x version instead, and builds every
 * Kubernetes command in one `go build` so they share compilation. etcd's server module likewise replaces its siblings,
 * so it is built through a wrapper module too. Outputs are renamed into place, so a reader never sees a half-written
 * binary.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isExecutable } from './go-tool.ts';
import { PROJECT_ROOT, TOOLS_BIN } from './paths.ts';

export const KUBERNETES_VERSION = 'v1.37.2';
export const ETCD_VERSION = 'v3.6.16';
/** The Kubernetes commands built together (one wrapper module, one `go build`). */
export const KUBERNETES_COMMANDS = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'] as const;
/** Staging modules of k8s.io/kubernetes that are not published (and not needed by the commands). */
const UNPUBLISHED = new Set(['k8s.io/sample-cli-plugin', 'k8s.io/sample-controller']);
export const BUILD_ROOT = join(PROJECT_ROOT, '.tools', 'build');

/**
 * The version a release build stamps. A plain `go build` leaves gitVersion "v0.0.0-master+$Format:%H$", which clients
 * that check the server's version cannot parse: Tekton's controller (knative's CheckMinimumVersion) exits at start.
 */
const KUBERNETES_VERSION_LDFLAGS = [
  `-X k8s.io/component-base/version.gitVersion=${KUBERNETES_VERSION}`,
  `-X k8s.io/component-base/version.gitMajor=${KUBERNETES_VERSION.slice(1).split('.')[0]}`,
  `-X k8s.io/component-base/version.gitMinor=${KUBERNETES_VERSION.slice(1).split('.')[1]}`,
  '-X k8s.io/component-base/version.gitTreeState=clean',
].join(' ');

export interface KubeBinaries {
  kubeApiserver: string;
  etcd: string;
}

export interface KubernetesBinaries extends KubeBinaries {
  kubeControllerManager: string;
  kubeScheduler: string;
}

const commandPath = (command: (typeof KUBERNETES_COMMANDS)[number]) => join(TOOLS_BIN, `${command}-${KUBERNETES_VERSION}`);

export function kubeBinaryPaths(): KubernetesBinaries {
  return {
    kubeApiserver: commandPath('kube-apiserver'),
    kubeControllerManager: commandPath('kube-controller-manager'),
    kubeScheduler: commandPath('kube-scheduler'),
    etcd: join(TOOLS_BIN, `etcd-${ETCD_VERSION}`),
  };
}

/**
 * Runs `go` (module mode, no cgo, the local toolchain, at nice 10: tests share the machine); resolves with its stdout,
 * rejects with the tail of its stderr.
 */
export function runGo(args: string[], cwd: string, log: (line: string) => void, env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('nice', ['-n', '10', 'go', ...args], {
      cwd,
      env: { ...process.env, GOFLAGS: '-mod=mod', CGO_ENABLED: '0', GOTOOLCHAIN: 'local', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve(stdout);
      else {
        const tail = stderr.split('\n').slice(-20).join('\n');
        log(tail);
        reject(new Error(`go ${args.join(' ')} failed (exit ${code}):\n${tail}`));
      }
    });
  });
}

export const hasGo = (): Promise<boolean> =>
  runGo(['version'], PROJECT_ROOT, () => {}).then(
    () => true,
    () => false,
  );

/** The file name `go build -o dir/` gives a main package: its last path element, or the one before a major version suffix. */
const executableName = (pkg: string): string => {
  const parts = pkg.split('/');
  const last = parts.at(-1) ?? '';
  return /^v\d+$/.test(last) && parts.length > 1 ? (parts.at(-2) ?? last) : last;
};

/**
 * `go build` of several main packages into a fresh folder, then each binary renamed into .tools/bin under its target
 * name (atomic on one file system: a concurrent reader sees the old binary or the new one).
 */
async function buildInto(dir: string, packages: Record<string, string>, extraArgs: string[], log: (line: string) => void): Promise<void> {
  mkdirSync(TOOLS_BIN, { recursive: true });
  const out = mkdtempSync(join(TOOLS_BIN, '.build-'));
  try {
    await runGo(['build', '-trimpath', ...extraArgs, '-o', `${out}/`, ...Object.keys(packages)], dir, log);
    for (const [pkg, target] of Object.entries(packages)) renameSync(join(out, executableName(pkg)), target);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/**
 * Builds main packages from a wrapper module (its go.mod already written in `dir`): a tools.go imports them, so that
 * `go mod tidy` records their dependencies, then buildInto.
 */
export async function buildWrapperModule(
  dir: string,
  packages: Record<string, string>,
  extraArgs: string[],
  log: (line: string) => void,
): Promise<void> {
  const imports = Object.keys(packages)
    .map((pkg) => `\t_ "${pkg}"\n`)
    .join('');
  writeFileSync(join(dir, 'tools.go'), `//go:build tools\n\npackage tools\n\nimport (\n${imports})\n`);
  await runGo(['mod', 'tidy'], dir, log);
  await buildInto(dir, packages, extraArgs, log);
}

export async function buildKubernetes(log: (line: string) => void): Promise<void> {
  const dir = join(BUILD_ROOT, `kubernetes-${KUBERNETES_VERSION}`);
  mkdirSync(dir, { recursive: true });
  // Read upstream's go.mod to learn its staging modules.
  const download = JSON.parse(await runGo(['mod', 'download', '-json', `k8s.io/kubernetes@${KUBERNETES_VERSION}`], BUILD_ROOT, log)) as {
    GoMod: string;
  };
  const staging = [...readFileSync(download.GoMod, 'utf8').matchAll(/^\s*(k8s\.io\/[\w.-]+) => \.\/staging\//gm)]
    .map((match) => match[1] as string)
    .filter((module) => !UNPUBLISHED.has(module));
  const stagingVersion = `v0.${KUBERNETES_VERSION.slice(3)}`;
  writeFileSync(
    join(dir, 'go.mod'),
    [
      `module kubernetesbuild`,
      '',
      'go 1.26.0',
      '',
      `require k8s.io/kubernetes ${KUBERNETES_VERSION}`,
      '',
      'replace (',
      ...staging.map((module) => `\t${module} => ${module} ${stagingVersion}`),
      ')',
      '',
    ].join('\n'),
  );
  const packages = Object.fromEntries(KUBERNETES_COMMANDS.map((command) => [`k8s.io/kubernetes/cmd/${command}`, commandPath(command)]));
  await buildWrapperModule(dir, packages, ['-ldflags', KUBERNETES_VERSION_LDFLAGS], log);
}

export async function buildEtcd(output: string, log: (line: string) => void): Promise<void> {
  const dir = join(BUILD_ROOT, `etcd-${ETCD_VERSION}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'go.mod'), `module etcdbuild\n\ngo 1.26.0\n\nrequire go.etcd.io/etcd/server/v3 ${ETCD_VERSION}\n`);
  await buildWrapperModule(dir, { 'go.etcd.io/etcd/server/v3': output }, [], log);
}

/**
 * The binaries, built when missing. Undefined (with the reason logged) when they are missing and Go is not there.
 * By default only kube-apiserver and etcd must be there; `controlPlane` also asks for kube-controller-manager and
 * kube-scheduler. Whenever Kubernetes is built, all its commands are built together.
 */
export async function ensureKubeBinaries(
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  options: { controlPlane?: boolean } = {},
): Promise<KubernetesBinaries | undefined> {
  const paths = kubeBinaryPaths();
  const kubernetes = options.controlPlane ? [paths.kubeApiserver, paths.kubeControllerManager, paths.kubeScheduler] : [paths.kubeApiserver];
  if (kubernetes.every(isExecutable) && isExecutable(paths.etcd)) return paths;
  if (!(await hasGo())) {
    log(`Kubernetes ${KUBERNETES_VERSION} / etcd ${ETCD_VERSION} not built and no Go toolchain: the real API server tests are skipped`);
    return undefined;
  }
  mkdirSync(BUILD_ROOT, { recursive: true });
  if (!existsSync(paths.etcd)) {
    const started = Date.now();
    log(`Building etcd ${ETCD_VERSION} from the Go module proxy…`);
    await buildEtcd(paths.etcd, log);
    log(`Built ${paths.etcd} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  if (!kubernetes.every(isExecutable)) {
    const started = Date.now();
    log(`Building ${KUBERNETES_COMMANDS.join(', ')} ${KUBERNETES_VERSION} from the Go module proxy (about 20 minutes cold on 2 cores)…`);
    await buildKubernetes(log);
    log(`Built ${KUBERNETES_COMMANDS.join(', ')} into ${TOOLS_BIN} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  return paths;
}
