import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Worker } from '@temporalio/worker';
import { executionResourceName } from '../src/domain/resource-name.ts';
import type { ExecutionRequest } from '../src/domain/types.ts';
import { installQuietRuntime } from './support/temporal.ts';

const ROOT = fileURLToPath(new URL('./histories/', import.meta.url));

/** Every history file under test/histories, sub-folders (older workflow versions) included. */
function historyFiles(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((entry) => {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) return historyFiles(path);
      return entry.endsWith('.json') ? [path] : [];
    })
    .sort();
}

/** The workflow ID an execution ran under: the deterministic name of the target in its start event's request. */
function workflowIdOf(history: {
  events: { workflowExecutionStartedEventAttributes?: { input?: { payloads?: { data?: string }[] } } }[];
}): string {
  const data = history.events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data ?? '';
  try {
    const request = JSON.parse(Buffer.from(data, 'base64').toString('utf8')) as ExecutionRequest;
    return executionResourceName(String(request.workflowExecution.spec.targetResource));
  } catch {
    return 'unparsable-request';
  }
}

const files = historyFiles(ROOT);
const folders = [...new Set(files.map((file) => relative(ROOT, join(file, '..')) || '.'))];

describe('replay: stored histories of representative runs replay against the current workflow code', () => {
  test('each version folder holds every engine × outcome (success, failure, cancel, timeout, continue-as-new)', () => {
    assert.ok(folders.length >= 3, `folders: ${folders.join(', ')}`);
    for (const folder of folders) {
      const names = files
        .filter((file) => (relative(ROOT, join(file, '..')) || '.') === folder)
        .map((file) => relative(join(ROOT, folder), file));
      for (const engine of ['job', 'tekton', 'ansible'])
        for (const outcome of ['success', 'failure', 'cancel', 'timeout', 'continue-as-new'])
          assert.ok(
            names.some((name) => name.startsWith(`${engine}-${outcome}`)),
            `${folder}: a history of ${engine} ${outcome}`,
          );
    }
  });

  test(`all ${files.length} histories in ${folders.length} folders (${folders.join(', ')}) replay without a determinism error`, async () => {
    installQuietRuntime();
    const bundlePath = process.env.TEST_WORKFLOW_BUNDLE;
    assert.ok(bundlePath, 'run through npm test (the global setup bundles the workflows)');
    // Each history replays under its own workflow ID (the workflow checks it is its target's name), which the history
    // does not hold: it is computed from the request in the start event, as the client computed it.
    const histories = files.map((file) => {
      const history = JSON.parse(readFileSync(file, 'utf8'));
      return { workflowId: workflowIdOf(history), history };
    });
    const failures: string[] = [];
    const replayedPerFolder = new Map<string, number>();
    let index = 0;
    for await (const result of Worker.runReplayHistories(
      { workflowBundle: { codePath: bundlePath }, replayName: 'stored-histories' },
      histories,
    )) {
      const file = relative(ROOT, files[index++] ?? '');
      const folder = relative(ROOT, join(ROOT, file, '..')) || '.';
      replayedPerFolder.set(folder, (replayedPerFolder.get(folder) ?? 0) + 1);
      if (result.error) failures.push(`${file}: ${result.error.message}`);
    }
    const replayed = [...replayedPerFolder.values()].reduce((sum, count) => sum + count, 0);
    process.stdout.write(
      `# replayed ${replayed} histories: ${[...replayedPerFolder].map(([folder, count]) => `${folder} ${count}`).join(', ')}\n`,
    );
    assert.equal(replayed, files.length);
    assert.deepEqual(failures, []);
  });
});
