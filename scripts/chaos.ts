/**
 * npm run chaos [-- --per-engine 20] [--seed N] [--faults 0.2] [--no-kills]
 * Starts a dev server, the sandboxes and a worker child process, runs 3 × per-engine executions while killing the
 * worker with SIGKILL, prints the figures and fails on any loss, duplicate, orphan, wrong outcome or secret leak.
 * The seed is printed; pass it back with --seed to replay the same choices.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bundleWorkflowCode } from '@temporalio/worker';
import { formatChaosReport, runChaos } from './lib/chaos.ts';
import { startDevServer } from './lib/dev-server.ts';
import { ensureTemporalCli } from './lib/temporal-cli.ts';

const { values } = parseArgs({
  options: {
    'per-engine': { type: 'string', default: '20' },
    seed: { type: 'string' },
    faults: { type: 'string', default: '0' },
    'no-kills': { type: 'boolean', default: false },
  },
});
const seed = values.seed ? Number(values.seed) : Date.now() % 1_000_000;
const dir = mkdtempSync(join(tmpdir(), 'chaos-run-'));
const cliPath = await ensureTemporalCli();
process.env.TEMPORAL_CLI_PATH = cliPath;
const server = await startDevServer({ cliPath, dbFile: join(dir, 'temporal.db'), logFile: join(dir, 'temporal.log') });
let failed = true;
try {
  const { code } = await bundleWorkflowCode({
    workflowsPath: new URL('../src/workflows/index.ts', import.meta.url).pathname,
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error },
  });
  const bundlePath = join(dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, code);
  process.stdout.write(`chaos seed ${seed} (replay with: npm run chaos -- --seed ${seed})\n`);
  const report = await runChaos({
    temporalAddress: server.address,
    workflowBundlePath: bundlePath,
    perEngine: Number(values['per-engine']),
    seed,
    faultRate: Number(values.faults),
    kills: !values['no-kills'],
    timeoutMs: 20 * 60_000,
  });
  process.stdout.write(`${formatChaosReport(report)}\n`);
  failed = report.lost + report.duplicates + report.orphans + report.wrongOutcome + report.secretLeaks > 0;
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
