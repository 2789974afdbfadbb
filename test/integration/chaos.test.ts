import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runChaos } from '../../scripts/lib/chaos.ts';
import { assertNoViolations, printChaosReport } from '../support/chaos-report.ts';
import { testNamespace, testServerAddress } from '../support/temporal.ts';

/** The bounded form of `npm run chaos` (which runs 60 executions): what CI can afford on every change. */
describe('chaos: SIGKILLed workers and injected faults lose nothing, duplicate nothing, leave nothing behind', () => {
  const bundle = () => process.env.TEST_WORKFLOW_BUNDLE ?? assert.fail('run through npm test');
  const seed = Number(process.env.CHAOS_SEED ?? Date.now() % 100_000);

  test(`kill -9 at random moments and right after credential creation / launch (seed ${seed})`, async () => {
    const report = await runChaos({
      temporalAddress: testServerAddress(),
      namespace: testNamespace(),
      workflowBundlePath: bundle(),
      perEngine: 4,
      seed,
      minKillMs: 1500,
      maxKillMs: 4000,
      targetedKillChance: 0.3,
      timeoutMs: 240_000,
      log: () => {},
    });
    printChaosReport(report);
    assert.ok(report.kills >= 2, 'the worker was killed');
    assertNoViolations(report);
  });

  test(`20 % of Kubernetes and AWX requests fail (500 / reset / 2 s delay): every execution still finishes correctly, no duplicate (seed ${seed + 1})`, async () => {
    const report = await runChaos({
      temporalAddress: testServerAddress(),
      namespace: testNamespace(),
      workflowBundlePath: bundle(),
      perEngine: 3,
      seed: seed + 1,
      faultRate: 0.2,
      kills: false,
      timeoutMs: 240_000,
      log: () => {},
    });
    printChaosReport(report);
    assert.ok(report.faultsInjected > 0);
    assertNoViolations(report);
  });
});
