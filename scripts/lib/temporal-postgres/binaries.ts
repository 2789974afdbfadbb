/**
 * The Temporal server and its SQL schema tool, built from the Go module proxy into .tools/bin (git-ignored) like the
 * CLI: go.temporal.io/server v1.29.1 is the server inside Temporal CLI v1.5.1, and its go.mod has no `replace`
 * directive, so `go install module/cmd@version` builds both. The Go build cache is reused (the CLI's build has already
 * compiled most of the packages). The schema files come from the same module in the Go module cache.
 */
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { isExecutable } from '../go-tool.ts';
import { runGo } from '../kube-binaries.ts';
import { PROJECT_ROOT, TOOLS_BIN } from '../paths.ts';

export const TEMPORAL_SERVER_MODULE = 'go.temporal.io/server';
export const TEMPORAL_SERVER_VERSION = 'v1.29.1';

export interface TemporalServerBinaries {
  /** `cmd/server`: the Temporal server (frontend, history, matching and worker services in one process). */
  server: string;
  /** `cmd/tools/sql`: temporal-sql-tool, which creates the databases and applies the versioned schema. */
  sqlTool: string;
  /** schema/postgresql/v12 of the module: `temporal/versioned` and `visibility/versioned`. */
  schemaDir: string;
}

export function temporalServerBinaryPaths(): Omit<TemporalServerBinaries, 'schemaDir'> {
  return {
    server: join(TOOLS_BIN, `temporal-server-${TEMPORAL_SERVER_VERSION}`),
    sqlTool: join(TOOLS_BIN, `temporal-sql-tool-${TEMPORAL_SERVER_VERSION}`),
  };
}

const go = (args: string[], env: Record<string, string> = {}) => runGo(args, PROJECT_ROOT, () => {}, env);

/** schema/postgresql/v12 of go.temporal.io/server@version in the Go module cache (downloaded when missing). */
export async function postgresSchemaDir(): Promise<string> {
  const download = JSON.parse(await go(['mod', 'download', '-json', `${TEMPORAL_SERVER_MODULE}@${TEMPORAL_SERVER_VERSION}`])) as {
    Dir?: string;
    Error?: string;
  };
  if (!download.Dir) throw new Error(`go mod download ${TEMPORAL_SERVER_MODULE}@${TEMPORAL_SERVER_VERSION}: ${download.Error}`);
  const dir = join(download.Dir, 'schema', 'postgresql', 'v12');
  if (!existsSync(join(dir, 'temporal', 'versioned')) || !existsSync(join(dir, 'visibility', 'versioned')))
    throw new Error(`no PostgreSQL v12 schema in ${download.Dir}`);
  return dir;
}

/** The server, the SQL tool and the schema, building the binaries when they are not in .tools/bin yet. */
export async function ensureTemporalServerBinaries(
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<TemporalServerBinaries> {
  const paths = temporalServerBinaryPaths();
  if (!isExecutable(paths.server) || !isExecutable(paths.sqlTool)) {
    mkdirSync(TOOLS_BIN, { recursive: true });
    // Each build installs into its own folder and renames into place, so two builds at once cannot clash.
    const gobin = mkdtempSync(join(TOOLS_BIN, '.temporal-server-build-'));
    const started = Date.now();
    log(`Building the Temporal server ${TEMPORAL_SERVER_VERSION} and temporal-sql-tool from the Go module proxy into ${TOOLS_BIN}…`);
    try {
      await go(
        [
          'install',
          `${TEMPORAL_SERVER_MODULE}/cmd/server@${TEMPORAL_SERVER_VERSION}`,
          `${TEMPORAL_SERVER_MODULE}/cmd/tools/sql@${TEMPORAL_SERVER_VERSION}`,
        ],
        { GOBIN: gobin },
      );
      renameSync(join(gobin, 'server'), paths.server);
      renameSync(join(gobin, 'sql'), paths.sqlTool);
    } finally {
      rmSync(gobin, { recursive: true, force: true });
    }
    log(`Built ${paths.server} and ${paths.sqlTool} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  return { ...paths, schemaDir: await postgresSchemaDir() };
}
