/**
 * Every binary of the control plane, built from the Go module proxy into .tools/bin when missing (Go's build cache is
 * reused, so a rebuild after deleting .tools takes a few minutes, not an hour): etcd and Kubernetes (kube-binaries.ts,
 * the three commands in one `go build`), Tekton's controller and resolvers, kwok. Nothing is downloaded prebuilt.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { isExecutable } from '../go-tool.ts';
import {
  BUILD_ROOT,
  buildEtcd,
  buildKubernetes,
  ETCD_VERSION,
  hasGo,
  KUBERNETES_VERSION,
  type KubernetesBinaries,
  kubeBinaryPaths,
} from '../kube-binaries.ts';
import { buildKwok, KWOK_VERSION, kwokPaths } from './build-kwok.ts';
import { buildTekton, TEKTON_VERSION, tektonPaths } from './build-tekton.ts';

export interface ControlPlaneBinaries extends KubernetesBinaries {
  kwok: string;
  kwokNodeStages: string[];
  tektonController: string;
  tektonResolvers: string;
  tektonConfig: string;
}

export function controlPlaneBinaryPaths(): ControlPlaneBinaries {
  const kwok = kwokPaths();
  const tekton = tektonPaths();
  return {
    ...kubeBinaryPaths(),
    kwok: kwok.kwok,
    kwokNodeStages: kwok.nodeStages,
    tektonController: tekton.controller,
    tektonResolvers: tekton.resolvers,
    tektonConfig: tekton.config,
  };
}

/** The binaries when all are built, else undefined (nothing is built here: see ensureControlPlaneBinaries). */
export function builtControlPlaneBinaries(): ControlPlaneBinaries | undefined {
  const paths = controlPlaneBinaryPaths();
  const binaries = [
    paths.etcd,
    paths.kubeApiserver,
    paths.kubeControllerManager,
    paths.kubeScheduler,
    paths.kwok,
    paths.tektonController,
    paths.tektonResolvers,
  ];
  return binaries.every(isExecutable) && [...paths.kwokNodeStages, paths.tektonConfig].every((path) => existsSync(path))
    ? paths
    : undefined;
}

export interface BuildTiming {
  part: string;
  seconds: number;
  built: boolean;
}

/** Builds what is missing, part by part, and says how long each took. Undefined without Go. */
export async function ensureControlPlaneBinaries(
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<{ binaries: ControlPlaneBinaries; timings: BuildTiming[] } | undefined> {
  if (!builtControlPlaneBinaries() && !(await hasGo())) {
    log('The control plane is not built and there is no Go toolchain to build it');
    return undefined;
  }
  const paths = controlPlaneBinaryPaths();
  const timings: BuildTiming[] = [];
  mkdirSync(BUILD_ROOT, { recursive: true });
  const part = async (name: string, outputs: string[], build: () => Promise<unknown>) => {
    const missing = !outputs.every((output) =>
      output.endsWith('.yaml') || output.endsWith('config') ? existsSync(output) : isExecutable(output),
    );
    const started = Date.now();
    if (missing) {
      log(`Building ${name} from the Go module proxy…`);
      await build();
    }
    const seconds = Math.round((Date.now() - started) / 1000);
    timings.push({ part: name, seconds, built: missing });
    log(missing ? `Built ${name} in ${seconds} s` : `${name}: already built`);
  };
  await part(`etcd ${ETCD_VERSION}`, [paths.etcd], () => buildEtcd(paths.etcd, log));
  await part(
    `kube-apiserver, kube-controller-manager, kube-scheduler ${KUBERNETES_VERSION}`,
    [paths.kubeApiserver, paths.kubeControllerManager, paths.kubeScheduler],
    () => buildKubernetes(log),
  );
  await part(`kwok ${KWOK_VERSION}`, [paths.kwok, ...paths.kwokNodeStages], () => buildKwok(log));
  await part(
    `Tekton Pipelines ${TEKTON_VERSION} (controller, resolvers)`,
    [paths.tektonController, paths.tektonResolvers, paths.tektonConfig],
    () => buildTekton(log),
  );
  return { binaries: paths, timings };
}
