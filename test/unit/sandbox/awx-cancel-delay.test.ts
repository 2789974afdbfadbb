import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AwxSandbox } from '../../../sandbox/awx/server.ts';
import { eventually } from '../../support/kube-sandbox.ts';

describe('AWX sandbox: SANDBOX_CANCEL_DELAY_MS, a job slow to stop once cancelled', () => {
  let awx: AwxSandbox;
  before(async () => {
    awx = await AwxSandbox.start({ tls: false });
  });
  after(() => awx.stop());

  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${awx.url}/api/v2/${path}`, {
      method,
      headers: { authorization: `Bearer ${awx.token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  };
  const launch = async (extraVars: Record<string, unknown>) =>
    Number((await call('POST', 'job_templates/10/launch/', { extra_vars: { SANDBOX_OUTCOME: 'hold', ...extraVars } })).body.job);
  const status = (id: number) => awx.jobs.get(id)?.status;

  test('a cancelled job keeps running for the delay, a second cancel meanwhile is accepted, then it ends canceled', async () => {
    const slow = await launch({ SANDBOX_CANCEL_DELAY_MS: 2000 });
    const quick = await launch({});
    await eventually(() => status(slow) === 'running' && status(quick) === 'running');
    assert.equal((await call('POST', `jobs/${slow}/cancel/`)).status, 202);
    assert.equal((await call('POST', `jobs/${quick}/cancel/`)).status, 202);
    await eventually(() => status(quick) === 'canceled');
    assert.equal(status(slow), 'running', 'still winding down');
    assert.equal((await call('POST', `jobs/${slow}/cancel/`)).status, 202, 'a repeated cancel is accepted');
    await eventually(() => status(slow) === 'canceled', 10_000);
    assert.equal((await call('POST', `jobs/${slow}/cancel/`)).status, 405, 'nothing left to cancel');
  });

  test('"hold": a cancelled job runs until released, and then ends canceled whatever outcome the release names', async () => {
    const held = await launch({ SANDBOX_CANCEL_DELAY_MS: 'hold' });
    await eventually(() => status(held) === 'running');
    assert.equal((await call('POST', `jobs/${held}/cancel/`)).status, 202);
    assert.equal((await call('POST', `jobs/${held}/cancel/`)).status, 202, 'a repeated cancel is accepted');
    assert.equal(status(held), 'running');
    assert.equal(
      awx.release('success', (id) => id === held),
      1,
    );
    assert.equal(status(held), 'canceled');
  });
});
