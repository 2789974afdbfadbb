/**
 * kube-apiserver and etcd built from the Go module proxy into .tools/bin (git-ignored), for the tests that run against
 * a real API server. k8s.io/kubernetes's go.mod replaces its staging modules (k8s.io/api, …) with paths inside its own
 * tree, which `go install` refuses; a small wrapper module maps each to its published v0.x version instead. etcd's
 * server module likewise replaces its siblings, so it is built through a wrapper module too.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT, TOOLS_BIN } from './paths.ts';

export const KUBERNETES_VERSION = 'v1.37.2';
export const ETCD_VERSION = 'v3.6.16';
/** Staging modules of k8s.io/kubernetes that are not published (and not needed by kube-apiserver). */
const UNPUBLISHED = new Set(['k8s.io/sample-cli-plugin', 'k8s.io/sample-controller']);
const BUILD_ROOT = join(PROJECT_ROOT, '.tools', 'build');

export interface KubeBinaries {
  kubeApiserver: string;
  etcd: string;
}

const executable = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

export function kubeBinaryPaths(): KubeBinaries {
  return { kubeApiserver: join(TOOLS_BIN, `kube-apiserver-${KUBERNETES_VERSION}`), etcd: join(TOOLS_BIN, `etcd-${ETCD_VERSION}`) };
}

function go(args: string[], cwd: string, log: (line: string) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('go', args, {
      cwd,
      env: { ...process.env, GOFLAGS: '-mod=mod', CGO_ENABLED: '0', GOTOOLCHAIN: 'local' },
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
        log(stderr.split('\n').slice(-20).join('\n'));
        reject(new Error(`go ${args.join(' ')} failed (exit ${code})`));
      }
    });
  });
}

async function buildKubeApiserver(output: string, log: (line: string) => void): Promise<void> {
  const dir = join(BUILD_ROOT, `kube-apiserver-${KUBERNETES_VERSION}`);
  mkdirSync(dir, { recursive: true });
  // Read upstream's go.mod to learn its staging modules.
  const download = JSON.parse(await go(['mod', 'download', '-json', `k8s.io/kubernetes@${KUBERNETES_VERSION}`], BUILD_ROOT, log)) as {
    GoMod: string;
  };
  const staging = [...readFileSync(download.GoMod, 'utf8').matchAll(/^\s*(k8s\.io\/[\w.-]+) => \.\/staging\//gm)]
    .map((match) => match[1] as string)
    .filter((module) => !UNPUBLISHED.has(module));
  const stagingVersion = `v0.${KUBERNETES_VERSION.slice(3)}`;
  writeFileSync(
    join(dir, 'go.mod'),
    [
      `module kubeapiserverbuild`,
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
  writeFileSync(join(dir, 'tools.go'), '//go:build tools\n\npackage tools\n\nimport _ "k8s.io/kubernetes/cmd/kube-apiserver"\n');
  await go(['mod', 'tidy'], dir, log);
  await go(['build', '-trimpath', '-o', output, 'k8s.io/kubernetes/cmd/kube-apiserver'], dir, log);
}

async function buildEtcd(output: string, log: (line: string) => void): Promise<void> {
  const dir = join(BUILD_ROOT, `etcd-${ETCD_VERSION}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'go.mod'), `module etcdbuild\n\ngo 1.26.0\n\nrequire go.etcd.io/etcd/server/v3 ${ETCD_VERSION}\n`);
  writeFileSync(join(dir, 'tools.go'), '//go:build tools\n\npackage tools\n\nimport _ "go.etcd.io/etcd/server/v3"\n');
  await go(['mod', 'tidy'], dir, log);
  await go(['build', '-trimpath', '-o', output, 'go.etcd.io/etcd/server/v3'], dir, log);
}

/** The binaries, built when missing. Undefined (with the reason logged) when they are missing and Go is not there. */
export async function ensureKubeBinaries(
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<KubeBinaries | undefined> {
  const paths = kubeBinaryPaths();
  if (executable(paths.kubeApiserver) && executable(paths.etcd)) return paths;
  const hasGo = await go(['version'], PROJECT_ROOT, () => {}).then(
    () => true,
    () => false,
  );
  if (!hasGo) {
    log(`kube-apiserver ${KUBERNETES_VERSION} / etcd ${ETCD_VERSION} not built and no Go toolchain: the real API server tests are skipped`);
    return undefined;
  }
  mkdirSync(TOOLS_BIN, { recursive: true });
  mkdirSync(BUILD_ROOT, { recursive: true });
  if (!existsSync(paths.etcd)) {
    const started = Date.now();
    log(`Building etcd ${ETCD_VERSION} from the Go module proxy…`);
    await buildEtcd(paths.etcd, log);
    log(`Built ${paths.etcd} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  if (!existsSync(paths.kubeApiserver)) {
    const started = Date.now();
    log(`Building kube-apiserver ${KUBERNETES_VERSION} from the Go module proxy (a few minutes the first time)…`);
    await buildKubeApiserver(paths.kubeApiserver, log);
    log(`Built ${paths.kubeApiserver} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  return paths;
}
