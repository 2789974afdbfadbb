/** AwxHttpClient behaviours the AWX 24.6.1 recordings (test/contracts/awx) showed us getting wrong. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AwxError, summarizeKeys } from '../../../src/clients/awx.ts';
import { type AwxFixture, startAwxFixture } from '../../support/awx-sandbox.ts';
import { eventually } from '../../support/kube-sandbox.ts';

describe('AwxHttpClient: fixes from the AWX 24.6.1 recordings', () => {
  let fixture: AwxFixture;
  before(async () => {
    fixture = await startAwxFixture();
  });
  after(() => fixture.stop());

  test('06-job-failed: the output tail has no carriage returns and no blank lines (event stdout begins with "\\r\\n")', async () => {
    const { jobId } = await fixture.awx.launchJobTemplate(10, { SANDBOX_OUTCOME: 'hold' });
    const job = await eventually(() => {
      const stored = fixture.sandbox.jobs.get(jobId);
      return stored?.status === 'running' ? stored : undefined;
    });
    const add = (stdout: string) => job.events.push({ counter: job.events.length + 1, event: 'verbose', stdout, created: '' });
    add('\r\nTASK [show the injected credential] ***');
    add('\u001b[0;31mfatal: [localhost]: FAILED!\u001b[0m\r\n');
    add('step 1\rstep 2\r\n\r\nPLAY RECAP');
    const tail = await fixture.awx.getJobOutputTail(jobId, 4096);
    fixture.sandbox.release('success', (id) => id === jobId);
    assert.ok(!tail.includes('\r'), JSON.stringify(tail));
    assert.deepEqual(tail.split('\n').slice(-6), [
      'ok: [localhost]',
      'TASK [show the injected credential] ***',
      'fatal: [localhost]: FAILED!',
      'step 1',
      'step 2',
      'PLAY RECAP',
    ]);
  });

  test('03-credentials #5: a field\'s list of errors is summarised as "field: message", without what was sent', async () => {
    const sent = `never-shown-${Date.now()}`;
    const create = fixture.awx.createCredential({ name: 'bad-input', credential_type: 1, organization: 1, inputs: { nope: sent } });
    await assert.rejects(create, (error: unknown) => {
      assert.ok(error instanceof AwxError);
      assert.equal(error.status, 400);
      assert.match(error.message, /invalid fields: inputs: Additional properties are not allowed \('nope' was unexpected\)/);
      assert.ok(!error.message.includes(sent));
      return true;
    });
  });

  test('summarizeKeys withholds a message that holds a sent value, and stays bounded', () => {
    const echoed = summarizeKeys(JSON.stringify({ inputs: ["'hunter2-secret' is not of type 'object'"] }), {
      inputs: { password: 'hunter2-secret' },
    });
    assert.equal(echoed, 'invalid fields: inputs: (message withheld)');
    const long = summarizeKeys(JSON.stringify({ name: Array.from({ length: 50 }, (_, i) => `message number ${i}`) }));
    assert.ok(long.length <= 301, String(long.length));
    assert.match(long, /^invalid fields: name: message number 0; /);
  });
});
