/**
 * AnsibleExecutor behaviours the AWX 24.6.1 recordings (test/contracts/awx) showed us getting wrong, driven against
 * the AWX and Kubernetes sandboxes.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import type { ExecutionHandle, ExecutionRequest } from '../../../src/domain/types.ts';
import type { AnsibleExecutor } from '../../../src/executors/ansible/index.ts';
import { type AnsibleFixture, createContext, startAnsibleFixture } from '../../support/ansible-executor.ts';
import type { AwxFixture } from '../../support/awx-sandbox.ts';
import { eventually } from '../../support/kube-sandbox.ts';
import { sampleRequest, uniqueSuffix } from '../../support/requests.ts';

describe('AnsibleExecutor: fixes from the AWX 24.6.1 recordings', () => {
  let awx: AwxFixture;
  let executor: AnsibleExecutor;
  let fixture: AnsibleFixture;
  before(async () => {
    fixture = await startAnsibleFixture();
    ({ awx, executor } = fixture);
  });
  after(() => fixture.stop());
  afterEach(() => {
    awx.sandbox.runner.eventProcessingMs = 0;
  });

  const request = (options: Parameters<typeof sampleRequest>[0] = {}) => sampleRequest({ engine: 'ansible', ...options });
  const context = createContext;
  const run = (req: ExecutionRequest) => fixture.launch(context(req));
  const secret = (data: Record<string, string>) => fixture.secret(data);
  const finishedIn = (handle: ExecutionHandle, status: string) =>
    eventually(() => awx.sandbox.jobs.get(handle.awxJobId ?? -1)?.status === status || undefined);
  const result = async (req: ExecutionRequest, handle: ExecutionHandle) => {
    const observed = await executor.getStatus(req, handle);
    assert.equal(observed.kind, 'found');
    return observed.result;
  };
  const failing = () => request({ parameters: { SANDBOX_OUTCOME: 'failure', SANDBOX_DURATION_MS: '20' } });

  test('06-job-failed: a failed job whose events are still being saved stays Running; then it fails with its fatal line', async () => {
    awx.sandbox.runner.eventProcessingMs = 1500;
    const req = failing();
    const { handle } = await run(req);
    await finishedIn(handle, 'failed');
    const early = await result(req, handle);
    assert.equal(early.phase, 'Running');
    assert.match(early.message, /still processing the job's events/);
    const failed = await eventually(async () => {
      const observed = await result(req, handle);
      return observed.phase === 'Failed' ? observed : undefined;
    });
    assert.equal(failed.reason, 'AWXJobFailed');
    assert.match(failed.message, /fatal: \[localhost\]: FAILED!.*connection refused/);
  });

  test('06-job-failed: past 60 s after it finished, the failure is reported with the events there are', async () => {
    awx.sandbox.runner.eventProcessingMs = 600_000;
    const req = failing();
    const { handle, job } = await run(req);
    await finishedIn(handle, 'failed');
    assert.equal((await result(req, handle)).phase, 'Running');
    if (job) job.finished = new Date(Date.now() - 61_000).toISOString();
    const failed = await result(req, handle);
    assert.deepEqual([failed.phase, failed.reason], ['Failed', 'AWXJobFailed']);
    assert.match(failed.message, /ok: \[localhost\]/);
    assert.doesNotMatch(failed.message, /fatal/, 'the unsaved events are not there');
  });

  test("09-job-error: the error detail is the traceback's last non-empty line (AWX's ends with a newline)", async () => {
    const req = request({ parameters: { SANDBOX_OUTCOME: 'error', SANDBOX_DURATION_MS: '20' } });
    const { handle } = await run(req);
    await finishedIn(handle, 'error');
    const errored = await result(req, handle);
    assert.equal(errored.reason, 'AWXJobError');
    assert.match(errored.message, /RuntimeError: receptor work unit failed/);
  });

  test('09-job-error: a traceback holding the environment stays redacted', async () => {
    const value = `tb-secret-${uniqueSuffix()}`;
    const req = request({ secrets: [secret({ password: value })], parameters: { SANDBOX_OUTCOME: 'error', SANDBOX_DURATION_MS: '20' } });
    const { handle, job } = await run(req);
    await finishedIn(handle, 'error');
    if (job) job.result_traceback = `Worker output:\n{"KUBERNAUT_PASSWORD": "${value}"}\nRuntimeError: env ${value}\n\n`;
    const errored = await result(req, handle);
    assert.match(errored.message, /RuntimeError: env \[REDACTED\]/);
    assert.ok(!errored.message.includes(value));
  });

  test("04-launch #6: a template credential of an ephemeral credential's type is replaced by it, not sent alongside", async () => {
    const name = secret({ token: 'replace-me-1234' });
    const first = await executor.prepare(context(request({ secrets: [name] })));
    const typeId = awx.sandbox.credentials.get(first.ephemeralCredentialIds[0] ?? -1)?.credential_type ?? -1;
    // The template's own credential of that type (as a template carrying kubernaut-secret-<secret> would).
    const own = { id: 9100, name: `own-${name}`, description: '', credential_type: typeId, organization: 1, managed: false };
    awx.sandbox.credentials.set(own.id, { ...own, inputs: {}, created: new Date().toISOString() });
    const template = awx.sandbox.addTemplate({ name: `carries-${name}`, credentials: [100, own.id] });
    const { prepared, job } = await run(request({ jobTemplateName: template.name, secrets: [name] }));
    assert.deepEqual(job?.credentials, [100, ...prepared.ephemeralCredentialIds]);
  });
});
