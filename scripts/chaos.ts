/**
 * npm run chaos [-- --per-engine 20] [--seed N] [--faults 0.2] [--no-kills] [--workers 1]
 * Starts a dev server, the sandboxes and a worker child process, runs 3 × per-engine executions while killing the
 * worker with SIGKILL, prints the figures and fails on any loss, duplicate, orphan, wrong outcome or secret leak.
 * The seed is printed; pass it back with --seed to replay the same choices.
 *
 * npm run chaos -- --control-plane [--per-engine 10] [--seed N]
 * The Job and Tekton engines on the real control plane (scripts/lib/control-plane/: the real Job controller, garbage
 * collector and Tekton controller, kwok running the pods) instead of the Kubernetes sandbox, with the same kills and
 * invariants (no injected faults there). Needs `node scripts/ensure-control-plane.ts` first.
 *
 * npm run chaos -- --postgres [--workers 3] [--scenario all|worker-kill,server-restart,…] [--per-engine 10]
 * The production topology instead: the Temporal server v1.29.1 on PostgreSQL (scripts/lib/temporal-postgres/), 3
 * workers on one task queue, and each restart scenario in turn (worker SIGKILLs, Temporal server stop / crash,
 * PostgreSQL stop / crash, rolling restart of the workers) under running executions, with the same invariants.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bundleWorkflowCode } from '@temporalio/worker';
import { type ChaosReport, formatChaosReport, runChaos } from './lib/chaos.ts';
import { builtControlPlaneBinaries } from './lib/control-plane/binaries.ts';
import { type ControlPlane, startControlPlane } from './lib/control-plane/start.ts';
import { startDevServer } from './lib/dev-server.ts';
import { ensureTemporalCli } from './lib/temporal-cli.ts';
import { SCENARIOS, type Scenario, scenarioOptions } from './lib/temporal-postgres/scenarios.ts';
import { startTemporalPostgres } from './lib/temporal-postgres/stack.ts';

const { values } = parseArgs({
  options: {
    'per-engine': { type: 'string' },
    seed: { type: 'string' },
    faults: { type: 'string', default: '0' },
    'no-kills': { type: 'boolean', default: false },
    workers: { type: 'string' },
    postgres: { type: 'boolean', default: false },
    'control-plane': { type: 'boolean', default: false },
    scenario: { type: 'string', default: 'all' },
    'outage-ms': { type: 'string', default: '5000' },
  },
});
const seed = values.seed ? Number(values.seed) : Date.now() % 1_000_000;
// Ctrl-C ends through process.exit, so the servers, the database and the workers started here are stopped with it.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
const failedReport = (report: ChaosReport) =>
  report.lost + report.duplicates + report.orphans + report.wrongOutcome + report.secretLeaks > 0;
const dir = mkdtempSync(join(tmpdir(), 'chaos-run-'));
const cliPath = await ensureTemporalCli();
process.env.TEMPORAL_CLI_PATH = cliPath;
const { code } = await bundleWorkflowCode({
  workflowsPath: new URL('../src/workflows/index.ts', import.meta.url).pathname,
  logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error },
});
const bundlePath = join(dir, 'workflow-bundle.js');
writeFileSync(bundlePath, code);
let failed = true;
try {
  if (values.postgres) {
    const scenarios = (values.scenario === 'all' ? [...SCENARIOS] : values.scenario.split(',')) as Scenario[];
    for (const scenario of scenarios)
      if (!SCENARIOS.includes(scenario)) throw new Error(`unknown scenario ${scenario}: one of ${SCENARIOS.join(', ')}`);
    const stack = await startTemporalPostgres();
    process.stdout.write(
      `Temporal server ${stack.versions.server} on PostgreSQL ${stack.versions.postgres} at ${stack.address} (started in ${JSON.stringify(stack.timings)} s)\n`,
    );
    process.stdout.write(`chaos seed ${seed} (replay with: npm run chaos -- --postgres --seed ${seed} --scenario ${values.scenario})\n`);
    const failures: string[] = [];
    try {
      for (const [index, scenario] of scenarios.entries()) {
        process.stdout.write(`\n== ${scenario}\n`);
        const report = await runChaos({
          temporalAddress: stack.address,
          namespace: stack.namespace,
          workflowBundlePath: bundlePath,
          perEngine: Number(values['per-engine'] ?? 10),
          seed: seed + index,
          workers: Number(values.workers ?? 3),
          faultRate: Number(values.faults),
          timeoutMs: 20 * 60_000,
          ...scenarioOptions(scenario, stack, { outageMs: Number(values['outage-ms']) }),
        });
        process.stdout.write(`${formatChaosReport(report)}\n`);
        if (failedReport(report)) failures.push(scenario);
      }
    } finally {
      await stack.stop();
    }
    process.stdout.write(
      failures.length ? `\nFAILED: ${failures.join(', ')}\n` : `\nall ${scenarios.length} scenarios held every invariant\n`,
    );
    failed = failures.length > 0;
  } else {
    const server = await startDevServer({ cliPath, dbFile: join(dir, 'temporal.db'), logFile: join(dir, 'temporal.log') });
    let plane: ControlPlane | undefined;
    try {
      if (values['control-plane']) {
        const binaries = builtControlPlaneBinaries();
        if (!binaries) throw new Error('the control plane is not built: run node scripts/ensure-control-plane.ts first');
        plane = await startControlPlane(binaries, join(dir, 'control-plane'));
        process.stdout.write(`control plane ready in ${plane.startSeconds} s (logs in ${plane.dir})\n`);
      }
      const flags = values['control-plane'] ? ' --control-plane' : '';
      process.stdout.write(`chaos seed ${seed} (replay with: npm run chaos --${flags} --seed ${seed})\n`);
      const report = await runChaos({
        ...(plane
          ? {
              controlPlane: {
                adminKubeconfigPath: plane.adminKubeconfigPath,
                workerKubeconfigPath: plane.workerKubeconfigPath,
                tektonBundle: plane.bundles.workflow,
              },
              engines: ['job', 'tekton'] as const,
            }
          : {}),
        temporalAddress: server.address,
        workflowBundlePath: bundlePath,
        perEngine: Number(values['per-engine'] ?? (plane ? 10 : 20)),
        seed,
        workers: Number(values.workers ?? 1),
        faultRate: Number(values.faults),
        kills: !values['no-kills'],
        timeoutMs: 20 * 60_000,
      });
      process.stdout.write(`${formatChaosReport(report)}\n`);
      failed = failedReport(report);
    } finally {
      await plane?.stop();
      await server.stop();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
