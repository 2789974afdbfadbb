import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { Worker } from '@temporalio/worker';
import { installQuietRuntime } from './support/temporal.ts';

const FOLDER = new URL('./histories/', import.meta.url);

describe('replay: stored histories of representative runs replay against the current workflow code', () => {
  test('every history in test/histories replays without a determinism error (engine × success, failure, cancel, timeout, continue-as-new)', async () => {
    installQuietRuntime();
    const files = readdirSync(FOLDER)
      .filter((file) => file.endsWith('.json'))
      .sort();
    assert.ok(files.length >= 16, `${files.length} histories`);
    for (const engine of ['job', 'tekton', 'ansible']) {
      for (const outcome of ['success', 'failure', 'cancel', 'timeout', 'continue-as-new']) {
        assert.ok(
          files.some((file) => file.startsWith(`${engine}-${outcome}`)),
          `a history of ${engine} ${outcome}`,
        );
      }
    }
    const bundlePath = process.env.TEST_WORKFLOW_BUNDLE;
    assert.ok(bundlePath, 'run through npm test (the global setup bundles the workflows)');
    const histories = files.map((file) => ({ workflowId: file, history: JSON.parse(readFileSync(new URL(file, FOLDER), 'utf8')) }));
    const failures: string[] = [];
    let replayed = 0;
    for await (const result of Worker.runReplayHistories(
      { workflowBundle: { codePath: bundlePath }, replayName: 'stored-histories' },
      histories,
    )) {
      replayed += 1;
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    assert.equal(replayed, files.length);
    assert.deepEqual(failures, []);
  });
});
