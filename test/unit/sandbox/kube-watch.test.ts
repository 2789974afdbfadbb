/** The sandbox's watch follows the API server's semantics the completion watch relies on, and the watcher over it. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadKubeConfig } from '../../../src/clients/kube.ts';
import { CompletionWatcher } from '../../../src/watch/completion-watcher.ts';
import type { BackendChange } from '../../../src/workflows/definitions.ts';
import { eventually, type KubeFixture, startKubeFixture } from '../../support/kube-sandbox.ts';

const NS = 'kubernaut-workflows';

describe('sandbox watch + completion watcher', () => {
  let fixture: KubeFixture;
  before(async () => {
    fixture = await startKubeFixture();
  });
  after(() => fixture.stop());

  const job = (name: string, outcome = 'success') => ({
    metadata: { name, labels: { 'kubernaut.ai/workflow-execution': 'wfe-x' } },
    spec: {
      backoffLimit: 0,
      template: {
        spec: {
          restartPolicy: 'Never',
          containers: [
            {
              name: 'workflow',
              image: 'x',
              env: [
                { name: 'SANDBOX_OUTCOME', value: outcome },
                { name: 'SANDBOX_DURATION_MS', value: '50' },
              ],
            },
          ],
        },
      },
    },
  });

  const watcherOver = (seen: { workflowId: string; change: BackendChange }[]) =>
    new CompletionWatcher({
      config: loadKubeConfig({ kubeconfigPath: fixture.kubeconfigPath, requestTimeoutMs: 0 }),
      namespaces: [NS],
      kinds: ['Job'],
      notify: async (workflowId, change) => {
        seen.push({ workflowId, change });
      },
      restartDelayMs: 50,
    });

  test('a Job that ends and one deleted are each signalled once, by the name that is their workflow ID', async () => {
    const seen: { workflowId: string; change: BackendChange }[] = [];
    const watcher = watcherOver(seen);
    await watcher.start();
    try {
      await fixture.kube.batch.createNamespacedJob({ namespace: NS, body: job('wfe-00000000000000a1') });
      await fixture.kube.batch.createNamespacedJob({ namespace: NS, body: job('wfe-00000000000000a2', 'hold') });
      await eventually(() => seen.some((entry) => entry.workflowId === 'wfe-00000000000000a1'), 10_000, 'the end signalled');
      await fixture.kube.batch.deleteNamespacedJob({ name: 'wfe-00000000000000a2', namespace: NS });
      await eventually(
        () => seen.some((entry) => entry.workflowId === 'wfe-00000000000000a2' && entry.change.change === 'deleted'),
        10_000,
      );
      assert.equal(seen.filter((entry) => entry.workflowId === 'wfe-00000000000000a1').length, 1, 'once, though updates follow');
    } finally {
      await watcher.stop();
    }
  });

  test('an expired watch (410) is relisted and nothing is missed; a refused watch is reported unhealthy and retried', async () => {
    const seen: { workflowId: string; change: BackendChange }[] = [];
    const watcher = watcherOver(seen);
    await watcher.start();
    try {
      // The server ends the watch; the reconnect is answered 410 Gone (its resourceVersion expired): the informer
      // relists and watches again from the list.
      const expired = fixture.sandbox.intercept({
        method: 'GET',
        match: (call) => call.query.includes('watch=true'),
        action: { kind: 'status', status: 410 },
      });
      const opened = fixture.sandbox.watches.opened;
      fixture.sandbox.watches.closeAll();
      await eventually(
        () => expired.fired === 1 && fixture.sandbox.watches.opened > opened,
        10_000,
        'a 410, then a relist and a new watch',
      );
      await fixture.kube.batch.createNamespacedJob({ namespace: NS, body: job('wfe-00000000000000b1') });
      await eventually(
        () => seen.some((entry) => entry.workflowId === 'wfe-00000000000000b1'),
        10_000,
        'the end signalled after the relist',
      );
      // From now on the RBAC forbids the watch; the open one ends and its reconnect is refused.
      fixture.sandbox.watchRefusal = true;
      fixture.sandbox.watches.closeAll();
      await eventually(() => !watcher.isWatching(NS, 'Job'), 10_000, 'unhealthy while refused');
      fixture.sandbox.watchRefusal = false;
      await eventually(() => watcher.isWatching(NS, 'Job'), 10_000, 'healthy again');
    } finally {
      await watcher.stop();
    }
  });
});
