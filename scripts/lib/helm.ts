import { spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { TOOLS_BIN } from './paths.ts';

/** Helm, for the chart tests and `npm run render-deploy`: from PATH, else .tools/bin, else built from the Go module proxy. */
export const HELM_MODULE = 'helm.sh/helm/v3/cmd/helm';
export const HELM_VERSION = 'v3.22.0';

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(command: string): string | undefined {
  for (const folder of (process.env.PATH ?? '').split(delimiter))
    if (folder && isExecutable(join(folder, command))) return join(folder, command);
  return undefined;
}

export function findHelm(): string | undefined {
  const explicit = process.env.HELM_PATH;
  if (explicit && isExecutable(explicit)) return explicit;
  return onPath('helm') ?? (isExecutable(join(TOOLS_BIN, 'helm')) ? join(TOOLS_BIN, 'helm') : undefined);
}

export async function ensureHelm(log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Promise<string | undefined> {
  const found = findHelm();
  if (found) return found;
  const go = onPath('go');
  if (!go) {
    log(`helm not found and no Go toolchain to build it (go install ${HELM_MODULE}@${HELM_VERSION}): the chart tests are skipped`);
    return undefined;
  }
  mkdirSync(TOOLS_BIN, { recursive: true });
  log(`Building helm ${HELM_VERSION} from the Go module proxy into ${TOOLS_BIN}…`);
  const started = Date.now();
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(go, ['install', `${HELM_MODULE}@${HELM_VERSION}`], {
      env: { ...process.env, GOBIN: TOOLS_BIN, CGO_ENABLED: '0', GOFLAGS: '-mod=mod' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', resolve);
  });
  const built = join(TOOLS_BIN, 'helm');
  if (code !== 0 || !isExecutable(built)) throw new Error(`go install ${HELM_MODULE}@${HELM_VERSION} failed (exit code ${code})`);
  log(`Built ${built} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return built;
}
