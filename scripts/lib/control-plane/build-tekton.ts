/**
 * Tekton Pipelines' controller and resolvers built from the Go module proxy. Its go.mod has non-local `replace`
 * directives, which `go install …@version` refuses: a wrapper module requires it and copies them (read from upstream's
 * go.mod, so a new version brings its own). Its CRDs and ConfigMaps (the module's config/ folder) are copied next to
 * the binaries, so starting needs no Go.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILD_ROOT, buildWrapperModule, runGo } from '../kube-binaries.ts';
import { TOOLS_BIN } from '../paths.ts';

export const TEKTON_MODULE = 'github.com/tektoncd/pipeline';
export const TEKTON_VERSION = 'v1.10.1';
export const TEKTON_COMMANDS = ['controller', 'resolvers'] as const;

export function tektonPaths() {
  return {
    controller: join(TOOLS_BIN, `tekton-controller-${TEKTON_VERSION}`),
    resolvers: join(TOOLS_BIN, `tekton-resolvers-${TEKTON_VERSION}`),
    /** config/ (namespaces, ConfigMaps) and config/300-crds, config/resolvers as in the module. */
    config: join(TOOLS_BIN, '..', 'share', `tekton-pipeline-${TEKTON_VERSION}`, 'config'),
  };
}

/** The non-local `replace` directives of a go.mod (single-line and block forms), as `old => new version` lines. */
export function nonLocalReplaces(goMod: string): string[] {
  const lines: string[] = [];
  let inBlock = false;
  for (const raw of goMod.split('\n')) {
    const line = raw.replace(/\/\/.*$/, '').trim();
    if (inBlock) {
      if (line === ')') inBlock = false;
      else if (line) lines.push(line);
    } else if (/^replace\s*\($/.test(line)) inBlock = true;
    else if (line.startsWith('replace ')) lines.push(line.slice('replace '.length).trim());
  }
  return lines.filter((line) => !/=>\s*(\.\.?\/|\/)/.test(line));
}

export async function buildTekton(log: (line: string) => void): Promise<void> {
  const dir = join(BUILD_ROOT, `tekton-pipeline-${TEKTON_VERSION}`);
  mkdirSync(dir, { recursive: true });
  const download = JSON.parse(await runGo(['mod', 'download', '-json', `${TEKTON_MODULE}@${TEKTON_VERSION}`], BUILD_ROOT, log)) as {
    GoMod: string;
    Dir: string;
  };
  const upstream = readFileSync(download.GoMod, 'utf8');
  const goVersion = /^go\s+(\S+)/m.exec(upstream)?.[1] ?? '1.25.0';
  writeFileSync(
    join(dir, 'go.mod'),
    [
      'module tektonbuild',
      '',
      `go ${goVersion}`,
      '',
      `require ${TEKTON_MODULE} ${TEKTON_VERSION}`,
      '',
      'replace (',
      ...nonLocalReplaces(upstream).map((line) => `\t${line}`),
      ')',
      '',
    ].join('\n'),
  );
  const paths = tektonPaths();
  const packages = { [`${TEKTON_MODULE}/cmd/controller`]: paths.controller, [`${TEKTON_MODULE}/cmd/resolvers`]: paths.resolvers };
  await buildWrapperModule(dir, packages, [], log);
  copyYaml(join(download.Dir, 'config'), paths.config);
}

/** Copies the YAML files of a folder and its sub-folders. */
function copyYaml(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    if (entry.isDirectory()) copyYaml(join(from, entry.name), join(to, entry.name));
    else if (entry.name.endsWith('.yaml')) {
      copyFileSync(join(from, entry.name), join(to, entry.name));
    }
  }
}
