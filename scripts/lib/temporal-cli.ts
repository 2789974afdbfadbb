import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { findTool, goInstall, isExecutable, onPath } from './go-tool.ts';
import { TOOLS_BIN } from './paths.ts';

/**
 * The Temporal CLI version built when no binary is available: the newest tag whose go.mod has no `replace`
 * directive, so `go install` accepts it (v1.6.0 and later replace ./cliext, which the module proxy does not serve).
 */
export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';
export const TEMPORAL_CLI_VERSION = 'v1.5.1';

/** Where the CLI is, without building it: $TEMPORAL_CLI_PATH, `temporal` on PATH, then .tools/bin/temporal. */
export function findTemporalCli(): string | undefined {
  return findTool('TEMPORAL_CLI_PATH', 'temporal');
}

/**
 * The path of a Temporal CLI, building it from the Go module proxy into .tools/bin when none is there. The Go build
 * cache is reused, so a rebuild after deleting .tools takes seconds, not minutes.
 */
export async function ensureTemporalCli(log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Promise<string> {
  const found = findTemporalCli();
  if (found) return found;
  const downloaded = await downloadWithSdk(log);
  if (downloaded) return downloaded;
  const go = onPath('go');
  if (!go) {
    throw new Error(
      "No Temporal CLI found, and none could be downloaded. Install it with one of Temporal's installers (Homebrew: " +
        "`brew install temporal`; or the install script in Temporal's documentation) so that `temporal` is on PATH, set " +
        `TEMPORAL_CLI_PATH to a binary, or install Go ≥ 1.25 so that it is built with: go install ${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}`,
    );
  }
  log(`Building the Temporal CLI ${TEMPORAL_CLI_VERSION} from the Go module proxy into ${TOOLS_BIN} (a few minutes the first time)…`);
  return goInstall(go, { module: TEMPORAL_CLI_MODULE, version: TEMPORAL_CLI_VERSION, command: 'temporal' }, log);
}

/**
 * The SDK's own cached download of the official CLI (what `TestWorkflowEnvironment.createLocal()` runs), where the
 * internet is reachable; undefined (and said why) where it is not, within a minute at most.
 */
async function downloadWithSdk(log: (line: string) => void): Promise<string | undefined> {
  const downloadDir = join(TOOLS_BIN, '..', 'temporal-download');
  try {
    const { TestWorkflowEnvironment } = await import('@temporalio/testing');
    const started = TestWorkflowEnvironment.createLocal({ server: { executable: { type: 'cached-download', downloadDir } } });
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer within 60 s')), 60_000).unref());
    const environment = await Promise.race([started, timeout]);
    await environment.teardown();
    const binary = readdirSync(downloadDir, { recursive: true, withFileTypes: true }).find(
      (entry) => entry.isFile() && /^temporal(-cli)?[^.]*$/.test(entry.name) && isExecutable(join(entry.parentPath, entry.name)),
    );
    if (binary) {
      log(`Using the Temporal CLI the SDK downloaded: ${join(binary.parentPath, binary.name)}`);
      return join(binary.parentPath, binary.name);
    }
  } catch (error) {
    log(`The SDK could not download the Temporal CLI (${(error as Error).message.split('\n')[0]}); trying a Go build instead`);
  }
  return undefined;
}

/** `temporal --version` of a binary, for logs. */
export function temporalCliVersion(path: string): string {
  return spawnSync(path, ['--version'], { encoding: 'utf8' }).stdout.trim();
}
