/**
 * The production topology, bounded for `npm test`: the Temporal server v1.29.1 (built from the Go module proxy) on
 * PostgreSQL with SQL advanced visibility, started for this file only, and 3 worker processes on one task queue. Every
 * part is taken away under running executions of all three engines — workers SIGKILLed, the Temporal server process
 * stopped and crashed, PostgreSQL stopped and started, the workers restarted one by one — and after each the chaos run's
 * invariants must hold: every outcome as asked, exactly one backend resource per execution, nothing left behind, no
 * secret in any history or log. `npm run chaos -- --postgres` runs the same scenarios (and a PostgreSQL crash) at scale.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { Connection } from '@temporalio/client';
import { type ChaosReport, runChaos } from '../../scripts/lib/chaos.ts';
import { temporalServerBinaryPaths } from '../../scripts/lib/temporal-postgres/binaries.ts';
import { findPostgresBinDir } from '../../scripts/lib/temporal-postgres/postgres.ts';
import { type Scenario, scenarioOptions } from '../../scripts/lib/temporal-postgres/scenarios.ts';
import { startTemporalPostgres, type TemporalPostgres } from '../../scripts/lib/temporal-postgres/stack.ts';
import { SEARCH_ATTRIBUTE_NAMES } from '../../src/domain/constants.ts';
import { assertNoViolations, printChaosReport } from '../support/chaos-report.ts';

/** Why the file cannot run here (no PostgreSQL, or neither the built server nor Go), else false. */
function missingPrerequisite(): string | false {
  try {
    findPostgresBinDir();
  } catch (error) {
    return (error as Error).message;
  }
  const built = Object.values(temporalServerBinaryPaths()).every((path) => {
    try {
      execFileSync(path, ['--help'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  });
  if (built) return false;
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' });
    return false;
  } catch {
    return 'the Temporal server is not built and there is no Go toolchain to build it';
  }
}

const skip = missingPrerequisite();
const seed = Number(process.env.CHAOS_SEED ?? Date.now() % 100_000);
const WORKERS = 3;

describe('production topology: Temporal server 1.29.1 on PostgreSQL, 3 workers, every part restarted under running executions', {
  skip,
}, () => {
  let stack: TemporalPostgres;
  before(
    async () => {
      // Builds the server and the SQL tool on the first run (minutes; cached in .tools/bin), then starts in seconds.
      stack = await startTemporalPostgres({
        dynamicConfig: { 'history.timerProcessorMaxTimeShift': '100ms' },
        log: (line) => process.stdout.write(`# ${line}\n`),
      });
    },
    { timeout: 45 * 60_000 },
  );
  after(async () => {
    await stack?.stop();
  });

  test('the stack: server 1.29.1 on PostgreSQL, SQL visibility, the schema at the module version, the namespace and the search attributes', async () => {
    const connection = await Connection.connect({ address: stack.address });
    try {
      const system = await connection.workflowService.getSystemInfo({});
      assert.equal(system.serverVersion, '1.29.1');
      const cluster = await connection.workflowService.getClusterInfo({});
      assert.equal(cluster.persistenceStore, 'postgres12');
      assert.equal(cluster.visibilityStore, 'postgres12');
      assert.equal(cluster.historyShardCount, stack.versions.numHistoryShards);
      await connection.workflowService.describeNamespace({ namespace: stack.namespace });
      const attributes = await connection.operatorService.listSearchAttributes({ namespace: stack.namespace });
      for (const name of SEARCH_ATTRIBUTE_NAMES) assert.equal(attributes.customAttributes?.[name], 2, `${name} is a Keyword`); // INDEXED_VALUE_TYPE_KEYWORD
    } finally {
      await connection.close();
    }
    assert.deepEqual(
      stack.versions.schema.map(({ database, version }) => [database, version]),
      [
        ['temporal', '1.18'],
        ['temporal_visibility', '1.9'],
      ],
    );
    assert.match(stack.versions.postgres, /^\d+$/);
  });

  const scenarios: [Scenario, string][] = [
    ['worker-kill', 'SIGKILL of workers at random moments and right after a credential / launch / resource create'],
    ['server-restart', 'the Temporal server process stopped (SIGTERM), down 3 s, started again'],
    ['server-crash', 'the Temporal server process SIGKILLed, down 3 s, started again'],
    ['postgres-restart', 'PostgreSQL stopped (fast shutdown), down 3 s, started again'],
    ['rolling-restart', 'a rolling restart of the 3 workers, one by one'],
  ];
  for (const [index, [scenario, what]] of scenarios.entries()) {
    test(`${scenario}: ${what} — every outcome as asked, one backend resource each, nothing left, no secret leaked (seed ${seed + index})`, async () => {
      const report: ChaosReport = await runChaos({
        temporalAddress: stack.address,
        namespace: stack.namespace,
        workflowBundlePath:
          process.env.TEST_WORKFLOW_BUNDLE ?? assert.fail('run through npm test (its global setup bundles the workflows)'),
        // A sample of all three engines: job, tekton, ansible.
        perEngine: 2,
        seed: seed + index,
        workers: WORKERS,
        timeoutMs: 240_000,
        log: () => {},
        ...scenarioOptions(scenario, stack, { outageMs: 3000 }),
      });
      printChaosReport(report);
      assert.equal(report.workers, WORKERS);
      assert.equal(report.executions, 6);
      if (scenario === 'worker-kill') assert.ok(report.kills >= 1, 'a worker was killed');
      else {
        assert.ok(report.disruption && !report.disruption.startsWith('failed'), report.disruption);
        assert.ok((report.runningAtDisruption ?? 0) >= 1, 'the disruption came while backend resources were live');
      }
      assertNoViolations(report);
    });
  }
});
