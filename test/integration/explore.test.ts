import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ENGINE_ORDER } from '../../scripts/lib/explore/boundaries.ts';
import { fullCatalog, labelOf, sliceCatalog } from '../../scripts/lib/explore/catalog.ts';
import { ALL_DISTURBANCES } from '../../scripts/lib/explore/disturbances.ts';
import { runExplorer } from '../../scripts/lib/explore/explorer.ts';
import { parseRunHistory } from '../../scripts/lib/explore/history.ts';
import { failures, formatReport } from '../../scripts/lib/explore/table.ts';
import { testNamespace, testServerAddress } from '../support/temporal.ts';

describe('fault-point explorer: catalog and checks', () => {
  test('the full catalog has every boundary of each engine × every disturbance × its timings, 300 or more scenarios', () => {
    const catalog = fullCatalog();
    assert.ok(catalog.length >= 300, `${catalog.length} scenarios`);
    assert.equal(new Set(catalog.map(labelOf)).size, catalog.length, 'no scenario twice');
  });

  test('the slice runs every disturbance at least once per engine and every boundary at least once', () => {
    const slice = sliceCatalog(ENGINE_ORDER, 3);
    for (const engine of ENGINE_ORDER) {
      const own = slice.filter((spec) => spec.boundary.engine === engine);
      assert.deepEqual(new Set(own.map((spec) => spec.disturbance)), new Set(ALL_DISTURBANCES), engine);
      assert.deepEqual(
        new Set(own.map((spec) => spec.boundary.point)),
        new Set(fullCatalog([engine]).map((spec) => spec.boundary.point)),
        engine,
      );
    }
  });

  test("a history's payloads are decoded for leak scans, and its close and failure type are read", () => {
    const secret = 'xv0123456789abcdefghijklmn';
    const payload = {
      metadata: { encoding: Buffer.from('json/plain').toString('base64') },
      data: Buffer.from(`{"p":"${secret}"}`).toString('base64'),
    };
    const history = parseRunHistory(
      JSON.stringify({
        events: [
          {
            eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED',
            workflowExecutionStartedEventAttributes: { input: { payloads: [payload] } },
          },
          {
            eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_FAILED',
            workflowExecutionFailedEventAttributes: {
              failure: { message: 'refused', applicationFailureInfo: { type: 'BackendRejected' } },
            },
          },
        ],
      }),
    );
    assert.ok(!JSON.stringify(payload).includes(secret), 'hidden in base64');
    assert.ok(history.searchableText.includes(secret));
    assert.deepEqual([history.close, history.failureType], ['FAILED', 'BackendRejected']);
  });
});

describe('fault-point explorer: the bounded slice leaves nothing behind and leaks nothing', () => {
  const seed = Number(process.env.EXPLORE_SEED ?? Date.now() % 100_000);

  test(`every disturbance at every engine, on the real dev server and worker processes (seed ${seed})`, async () => {
    const summary = await runExplorer({
      temporalAddress: testServerAddress(),
      namespace: testNamespace(),
      workflowBundlePath: process.env.TEST_WORKFLOW_BUNDLE ?? assert.fail('run through npm test'),
      cliPath: process.env.TEMPORAL_CLI_PATH ?? assert.fail('run through npm test'),
      slice: true,
      concurrency: 8,
      killLanes: 3,
      seed,
      log: () => {},
    });
    process.stdout.write(`# ${formatReport(summary).join('\n# ')}\n`);
    assert.ok(summary.kills > 0, 'worker processes were killed');
    const { violations, notReached, errors } = failures(summary);
    const problems = summary.results.filter((result) => result.verdict !== 'ok');
    assert.deepEqual(
      { violations, notReached, errors },
      { violations: 0, notReached: 0, errors: 0 },
      problems.map((result) => `${result.identity.label}: ${[...result.violations, ...result.notes].join('; ')}`).join('\n'),
    );
  });
});
