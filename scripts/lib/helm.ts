import { findTool, goInstall, onPath } from './go-tool.ts';
import { TOOLS_BIN } from './paths.ts';

/** Helm, for the chart tests and `npm run render-deploy`: from PATH, else .tools/bin, else built from the Go module proxy. */
export const HELM_MODULE = 'helm.sh/helm/v3/cmd/helm';
export const HELM_VERSION = 'v3.22.0';

export function findHelm(): string | undefined {
  return findTool('HELM_PATH', 'helm');
}

export async function ensureHelm(log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Promise<string | undefined> {
  const found = findHelm();
  if (found) return found;
  const go = onPath('go');
  if (!go) {
    log(`helm not found and no Go toolchain to build it (go install ${HELM_MODULE}@${HELM_VERSION}): the chart tests are skipped`);
    return undefined;
  }
  log(`Building helm ${HELM_VERSION} from the Go module proxy into ${TOOLS_BIN}…`);
  return goInstall(go, { module: HELM_MODULE, version: HELM_VERSION, command: 'helm', env: { GOFLAGS: '-mod=mod' } }, log);
}
