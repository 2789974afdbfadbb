/**
 * npm run temporal:postgres [-- --port 7233] [--dir .data/temporal-postgres | --temp]
 * Starts the production-shaped Temporal (PostgreSQL on 127.0.0.1, the schema, the Temporal server v1.29.1 with SQL
 * visibility, the namespace and the search attributes), prints its address and how to point a worker at it, and keeps
 * running until Ctrl-C. State is kept in .data/temporal-postgres unless --temp is given.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { preferredPort } from '../free-port.ts';
import { PROJECT_ROOT } from '../paths.ts';
import { startTemporalPostgres } from './stack.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    dir: { type: 'string' },
    temp: { type: 'boolean', default: false },
    namespace: { type: 'string', default: 'default' },
  },
});
const say = (line: string) => process.stdout.write(`${line}\n`);
const began = Date.now();
const stack = await startTemporalPostgres({
  ...(values.temp ? {} : { dir: values.dir ?? join(PROJECT_ROOT, '.data', 'temporal-postgres') }),
  // 7233 when it is free, else one the stack chooses (below 32768, as the cluster membership table needs).
  ...(values.port ? { port: Number(values.port) } : (await preferredPort(7233)) === 7233 ? { port: 7233 } : {}),
  namespace: values.namespace,
});
say(
  `Temporal server ${stack.versions.server} on PostgreSQL ${stack.versions.postgres} (schema ${stack.versions.schema.map((schema) => `${schema.database} ${schema.version}`).join(', ')}) ready in ${((Date.now() - began) / 1000).toFixed(1)} s`,
);
say(
  `  frontend ${stack.address}, namespace ${stack.namespace}; PostgreSQL 127.0.0.1:${stack.postgres.port}; state and logs in ${stack.dir}`,
);
say(`  steps (s): ${JSON.stringify(stack.timings)}`);
say(`  worker:  TEMPORAL_ADDRESS=${stack.address} node src/worker.ts`);
say(`  CLI:     npm run cli -- list --address ${stack.address}`);
say('Running. Press Ctrl-C to stop.');
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await stack.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
