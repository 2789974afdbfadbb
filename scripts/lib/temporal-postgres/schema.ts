/**
 * The two databases of a Temporal server on PostgreSQL, set up with temporal-sql-tool from the module's own schema
 * files, as an operator does it (and as docker-compose.yml's schema job does): `temporal` (executions, histories,
 * task queues, namespaces, cluster membership) and `temporal_visibility` (SQL advanced visibility: the
 * executions_visibility table with its pre-allocated Keyword columns for custom search attributes). Idempotent: an
 * existing database is only brought up to the module's schema version.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Postgres } from './postgres.ts';

const run = promisify(execFile);

export const PERSISTENCE_DATABASE = 'temporal';
export const VISIBILITY_DATABASE = 'temporal_visibility';
/** The SQL plugin of the server and the tool for PostgreSQL ≥ 12. */
export const SQL_PLUGIN = 'postgres12';

export interface SchemaSetup {
  database: string;
  /** schema_version's current version after the update, e.g. 1.17. */
  version: string;
  created: boolean;
}

/** Creates (when missing) and updates both databases; returns what each ended at. */
export async function setupTemporalSchema(sqlTool: string, schemaDir: string, postgres: Postgres): Promise<SchemaSetup[]> {
  const results: SchemaSetup[] = [];
  for (const [database, folder] of [
    [PERSISTENCE_DATABASE, 'temporal'],
    [VISIBILITY_DATABASE, 'visibility'],
  ] as const) {
    const tool = (...args: string[]) =>
      run(
        sqlTool,
        [
          '--plugin',
          SQL_PLUGIN,
          '--endpoint',
          postgres.host,
          '--port',
          String(postgres.port),
          '--user',
          postgres.user,
          '--database',
          database,
          ...args,
        ],
        {
          // The password reaches the tool through its environment, not its command line.
          env: { ...process.env, SQL_PASSWORD: postgres.password },
        },
      ).catch((error: Error & { stderr?: string }) => {
        throw new Error(`temporal-sql-tool ${args.join(' ')} on ${database} failed: ${error.stderr?.trim() || error.message}`);
      });
    const exists = (await postgres.query(`SELECT 1 FROM pg_database WHERE datname = '${database}'`)).trim() === '1';
    if (!exists) {
      await tool('create-database');
      // The schema_version bookkeeping at 0.0, then every versioned step up to the module's version.
      await tool('setup-schema', '--version', '0.0');
    }
    await tool('update-schema', '--schema-dir', join(schemaDir, folder, 'versioned'));
    const version = (await postgres.query(`SELECT curr_version FROM schema_version WHERE db_name = '${database}'`, database)).trim();
    results.push({ database, version, created: !exists });
  }
  return results;
}
