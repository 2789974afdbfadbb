import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatLogEntry } from '../../src/logging.ts';

test('regression: log lines keep error stacks and never carry an activity task token', () => {
  const error = new Error('create Job failed');
  const line = JSON.parse(
    formatLogEntry({
      level: 'WARN',
      message: 'create failed',
      timestampNanos: 1_700_000_000_000_000_000n,
      meta: { taskToken: 'Q2lSaVl6QmtaR1kwTkMweE16QXpMVFJsWm1NdFlqTmg=', workflowId: 'wfe-0123456789abcdef', error, attempt: 2n },
    }),
  ) as Record<string, unknown>;
  assert.equal('taskToken' in line, false);
  assert.equal(line.workflowId, 'wfe-0123456789abcdef');
  assert.equal(line.attempt, '2');
  assert.match((line.error as { stack: string }).stack, /create Job failed\n\s+at /);
});
