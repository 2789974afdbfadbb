/** Prints the path of a Temporal CLI, building it with `go install` when none is available. Used by .ci/run. */
import { ensureTemporalCli, temporalCliVersion } from './lib/temporal-cli.ts';

try {
  const path = await ensureTemporalCli();
  process.stderr.write(`Temporal CLI: ${path} (${temporalCliVersion(path)})\n`);
  process.stdout.write(`${path}\n`);
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}
