/**
 * npm run explore [-- --engine ansible,job,tekton] [--slice] [--concurrency N] [--kill-lanes N] [--seed N] [--only LABEL-PART]
 * The fault-point explorer: for each engine, every boundary of the lifecycle × every disturbance (cancel, terminate,
 * reset to the first / last workflow task, worker SIGKILL, the backend answering 400/403/404/409/500, a call hanging
 * past its timeout) on a dev server of its own, the sandboxes and worker child processes; prints one row per
 * scenario and `N scenarios, V violations`, and exits non-zero on any violation, unreached boundary or explorer error.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bundleWorkflowCode } from '@temporalio/worker';
import { ENGINES, type Engine } from '../src/domain/types.ts';
import { startDevServer } from './lib/dev-server.ts';
import { runExplorer } from './lib/explore/explorer.ts';
import { failures, formatReport } from './lib/explore/table.ts';
import { ensureTemporalCli } from './lib/temporal-cli.ts';

const { values } = parseArgs({
  options: {
    engine: { type: 'string', multiple: true },
    slice: { type: 'boolean', default: false },
    concurrency: { type: 'string', default: '10' },
    'kill-lanes': { type: 'string', default: '5' },
    seed: { type: 'string' },
    only: { type: 'string', multiple: true },
  },
});
const engines = (values.engine ?? []).flatMap((value) => value.split(',')).filter(Boolean);
const unknown = engines.filter((engine) => !(ENGINES as readonly string[]).includes(engine));
if (unknown.length > 0) {
  process.stderr.write(`unknown engine(s): ${unknown.join(', ')} (one of ${ENGINES.join(', ')})\n`);
  process.exit(2);
}
const seed = values.seed ? Number(values.seed) : Date.now() % 1_000_000;
const dir = mkdtempSync(join(tmpdir(), 'explore-run-'));
const cliPath = await ensureTemporalCli();
process.env.TEMPORAL_CLI_PATH = cliPath;
const server = await startDevServer({
  cliPath,
  dbFile: join(dir, 'temporal.db'),
  logFile: join(dir, 'temporal.log'),
  // Timers fire up to 1 s late by default; scenarios poll every few hundred ms.
  extraArgs: ['--dynamic-config-value', 'history.timerProcessorMaxTimeShift="100ms"'],
});
let exitCode = 1;
try {
  const { code } = await bundleWorkflowCode({
    workflowsPath: new URL('../src/workflows/index.ts', import.meta.url).pathname,
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error },
  });
  const bundlePath = join(dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, code);
  process.stdout.write(`explore seed ${seed} (replay with: npm run explore -- --seed ${seed})\n`);
  const summary = await runExplorer({
    temporalAddress: server.address,
    namespace: server.namespace,
    workflowBundlePath: bundlePath,
    cliPath,
    ...(engines.length > 0 ? { engines: engines as Engine[] } : {}),
    slice: values.slice,
    concurrency: Number(values.concurrency),
    killLanes: Number(values['kill-lanes']),
    seed,
    ...(values.only ? { only: values.only } : {}),
  });
  process.stdout.write(`${formatReport(summary).join('\n')}\n`);
  const { violations, notReached, errors } = failures(summary);
  exitCode = violations + notReached + errors > 0 ? 1 : 0;
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(exitCode);
