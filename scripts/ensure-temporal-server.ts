/** Finds or builds the Temporal server and temporal-sql-tool for the production-topology tests; used by .ci/run. */
import { ensureTemporalServerBinaries } from './lib/temporal-postgres/binaries.ts';

const started = Date.now();
const binaries = await ensureTemporalServerBinaries();
process.stdout.write(`temporal server: ${binaries.server} (${Math.round((Date.now() - started) / 1000)} s)\n`);
