/**
 * Regression tests for the paths that left things behind (each reproduced on the code before the compensation stack):
 * a cancel during create, a refused stop, terminate / a cleanup that gave up, ambiguous credential names, a slow AWX and
 * a reset launching twice, a caller-chosen workflow ID, a Secret in a job's output, and inputs that wedged a workflow.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { InvalidExecutionRequestError } from '../../src/client.ts';
import { executionResourceName } from '../../src/domain/resource-name.ts';
import type { ExecutionRequest } from '../../src/domain/types.ts';
import { WORKFLOW_TYPE } from '../../src/workflows/definitions.ts';
import { EXECUTION_NAMESPACE, type ExecutionEnvironment, startExecutionEnvironment } from '../support/execution-env.ts';
import { eventually } from '../support/kube-sandbox.ts';
import { sampleRequest, uniqueSuffix } from '../support/requests.ts';
import { testNamespace, testServerAddress } from '../support/temporal.ts';

const run = promisify(execFile);
const POLICY = { pollInitialMs: 50, pollMaxMs: 200, stopGraceMs: 3000 };
const WAIT = 60_000;

describe('nothing left behind on ordinary paths (regressions)', () => {
  let env: ExecutionEnvironment;
  before(async () => {
    env = await startExecutionEnvironment({ awx: true });
  });
  after(() => env.stop());

  const awx = () => env.awx?.sandbox ?? assert.fail('AWX sandbox');
  const secretNamed = (value = `s3cr3t-${uniqueSuffix()}`) => {
    const name = `creds-${uniqueSuffix()}`;
    env.kube.sandbox.createSecret(EXECUTION_NAMESPACE, name, { password: value, username: 'robot' });
    return { name, value };
  };
  const credentialsOf = (secretName: string) =>
    awx()
      .liveEphemeralCredentials()
      .filter((credential) => credential.name.includes(secretName));
  const jobsOf = (workflowId: string) =>
    [...awx().jobs.values()].filter((job) =>
      String((JSON.parse(job.extra_vars) as Record<string, unknown>).KUBERNAUT_EXECUTION_MARKER ?? '').startsWith(`${workflowId}/`),
    );
  const activeJobsOf = (workflowId: string) =>
    jobsOf(workflowId).filter((job) => ['new', 'pending', 'waiting', 'running'].includes(job.status));
  const jobExists = async (name: string) =>
    env.kube.kube.batch.readNamespacedJob({ name, namespace: EXECUTION_NAMESPACE }).then(
      () => true,
      () => false,
    );
  const pipelineRunExists = async (name: string) =>
    env.kube.kube.custom
      .getNamespacedCustomObject({ group: 'tekton.dev', version: 'v1', namespace: EXECUTION_NAMESPACE, plural: 'pipelineruns', name })
      .then(
        () => true,
        () => false,
      );
  const running = (workflowId: string) =>
    eventually(async () => (await env.executions.getExecution(workflowId)).status?.handle, WAIT, `${workflowId} running`);
  const cancelRequestSeen = (workflowId: string) =>
    eventually(
      async () =>
        (await env.client.workflow.getHandle(workflowId).fetchHistory()).events?.some(
          (event) => event.workflowExecutionCancelRequestedEventAttributes,
        ),
      WAIT,
      'the cancel request in history',
    );

  test('regression 1: a cancel while create runs waits for it and deletes what it made (Job engine)', async () => {
    const req = sampleRequest({ engine: 'job', parameters: { SANDBOX_OUTCOME: 'hold' }, policy: POLICY });
    const id = executionResourceName(req.workflowExecution.spec.targetResource);
    const paused = env.kube.sandbox.intercept({
      method: 'POST',
      match: (call) => call.path.endsWith('/jobs') && call.body.includes(id),
      action: { kind: 'pause' },
    });
    await env.executions.startExecution(req);
    await paused.arrived();
    await env.executions.cancelExecution(id);
    await cancelRequestSeen(id);
    paused.release();
    const result = await env.executions.waitForResult(id);
    assert.deepEqual([result.phase, result.reason], ['Failed', 'Cancelled']);
    await paused.settled(); // the create the workflow was cancelled during has been carried out
    assert.equal(await jobExists(id), false, 'no Job exists after the workflow closed');
  });

  test('regression 1: a cancel while prepare creates a credential leaves no credential holding the Secret (ansible)', async () => {
    const secret = secretNamed();
    const req = sampleRequest({ engine: 'ansible', parameters: { SANDBOX_OUTCOME: 'hold' }, secrets: [secret.name], policy: POLICY });
    const id = executionResourceName(req.workflowExecution.spec.targetResource);
    const paused = awx().intercept({
      method: 'POST',
      match: (call) => call.path.endsWith('/credentials/') && call.body.includes(secret.name),
      action: { kind: 'pause' },
    });
    await env.executions.startExecution(req);
    await paused.arrived();
    await env.executions.cancelExecution(id);
    await cancelRequestSeen(id);
    paused.release();
    const result = await env.executions.waitForResult(id);
    assert.equal(result.reason, 'Cancelled');
    await paused.settled();
    assert.equal(credentialsOf(secret.name).length, 0, 'no ephemeral credential after the workflow closed');
    assert.equal(jobsOf(id).length, 0, 'nothing launched');
  });

  test('regression 2: a refused AWX cancel (403) never skips deleting the credentials or cancelling the job', async () => {
    const secret = secretNamed();
    const req = sampleRequest({ engine: 'ansible', parameters: { SANDBOX_OUTCOME: 'hold' }, secrets: [secret.name], policy: POLICY });
    const { workflowId } = await env.executions.startExecution(req);
    const handle = await running(workflowId);
    awx().intercept({
      method: 'POST',
      match: (call) => call.path === `/api/v2/jobs/${handle.awxJobId}/cancel/`,
      action: { kind: 'status', status: 403 },
    });
    await env.executions.cancelExecution(workflowId);
    assert.equal((await env.executions.waitForResult(workflowId)).reason, 'Cancelled');
    assert.equal(credentialsOf(secret.name).length, 0);
    assert.equal(activeJobsOf(workflowId).length, 0, 'the job was cancelled by the undo step after the refused stop');
    assert.match((await env.executions.getExecution(workflowId)).status?.stopError ?? '', /403/);
  });

  test('regression 2: a PipelineRun whose cancel patch is refused (400, as for a run that just finished) is still deleted', async () => {
    const req = sampleRequest({ engine: 'tekton', parameters: { SANDBOX_OUTCOME: 'hold' }, policy: POLICY });
    const { workflowId } = await env.executions.startExecution(req);
    await running(workflowId);
    env.kube.sandbox.intercept({
      method: 'PATCH',
      match: (call) => call.path.endsWith(`/pipelineruns/${workflowId}`),
      action: { kind: 'status', status: 400 },
    });
    await env.executions.cancelExecution(workflowId);
    assert.equal((await env.executions.waitForResult(workflowId)).reason, 'Cancelled');
    assert.equal(await pipelineRunExists(workflowId), false);
  });

  test('regression 3: a credential delete refused once (403) is not a silent Completed: the result, the status and the sweeper say so', async () => {
    const secret = secretNamed();
    const req = sampleRequest({ engine: 'ansible', parameters: { SANDBOX_DURATION_MS: '50' }, secrets: [secret.name], policy: POLICY });
    const id = executionResourceName(req.workflowExecution.spec.targetResource);
    awx().intercept({
      method: 'DELETE',
      match: (call) => (call.names.credentialName ?? '').includes(secret.name),
      action: { kind: 'status', status: 403 },
    });
    await env.executions.startExecution(req);
    const result = await env.executions.waitForResult(id);
    assert.equal(result.phase, 'Completed', 'the remediation itself succeeded');
    assert.equal(result.cleanup?.complete, false);
    assert.equal(result.cleanup?.owner, 'sweeper');
    assert.ok((result.cleanup?.left.length ?? 0) > 0, 'what was left is named');
    const status = (await env.executions.getExecution(id)).status;
    assert.equal(status?.cleanup?.state, 'incomplete');
    assert.equal(credentialsOf(secret.name).length, 1, 'the refused credential is still there');
    const report = await env.executions.sweepOrphans({ graceMs: 0 });
    assert.ok(report.removed.some((item) => item.kind === 'AwxCredential' && item.workflowId === id));
    assert.equal(credentialsOf(secret.name).length, 0, 'one sweep removed it');
  });

  test('regression 3 / sweeper: after a terminate one sweep leaves nothing, and an open run is never touched', async () => {
    const secret = secretNamed();
    const terminated = sampleRequest({
      engine: 'ansible',
      parameters: { SANDBOX_OUTCOME: 'hold' },
      secrets: [secret.name],
      policy: POLICY,
    });
    const terminatedJob = sampleRequest({ engine: 'job', parameters: { SANDBOX_OUTCOME: 'hold' }, policy: POLICY });
    const terminatedRun = sampleRequest({ engine: 'tekton', parameters: { SANDBOX_OUTCOME: 'hold' }, policy: POLICY });
    const openSecret = secretNamed();
    const open = sampleRequest({ engine: 'ansible', parameters: { SANDBOX_OUTCOME: 'hold' }, secrets: [openSecret.name], policy: POLICY });
    const openJob = sampleRequest({ engine: 'job', parameters: { SANDBOX_OUTCOME: 'hold' }, policy: POLICY });
    const ids = await Promise.all(
      [terminated, terminatedJob, terminatedRun, open, openJob].map(async (req) => (await env.executions.startExecution(req)).workflowId),
    );
    const [ansibleId, jobId, tektonId, openId, openJobId] = ids as [string, string, string, string, string];
    for (const id of ids) await running(id);
    for (const id of [ansibleId, jobId, tektonId]) await env.client.workflow.getHandle(id).terminate('regression test');
    assert.equal(credentialsOf(secret.name).length, 1, 'terminate left the credential');
    assert.equal(await jobExists(jobId), true, 'terminate left the Job');
    const report = await env.executions.sweepOrphans({ graceMs: 0 });
    assert.deepEqual(report.failed, []);
    assert.equal(credentialsOf(secret.name).length, 0);
    assert.equal(activeJobsOf(ansibleId).length, 0);
    assert.equal(await jobExists(jobId), false);
    assert.equal(await pipelineRunExists(tektonId), false);
    assert.equal(credentialsOf(openSecret.name).length, 1, "the open run's credential is untouched");
    assert.equal(activeJobsOf(openId).length, 1, "the open run's AWX job is untouched");
    assert.equal(await jobExists(openJobId), true, "the open run's Job is untouched");
    assert.ok(report.ownedByOpenRuns >= 3);
    for (const id of [openId, openJobId]) await env.executions.cancelExecution(id);
    for (const id of [openId, openJobId]) assert.equal((await env.executions.waitForResult(id)).reason, 'Cancelled');
    assert.equal(credentialsOf(openSecret.name).length, 0);
  });

  test('regression 4: two WorkflowExecutions of one name in two namespaces get their own credentials and their own Secret values', async () => {
    const secretName = `db-${uniqueSuffix()}`;
    const values: Record<string, string> = {};
    for (const team of ['team-a', 'team-b']) {
      env.kube.sandbox.createNamespace(team);
      values[team] = `value-of-${team}-${uniqueSuffix()}`;
      env.kube.sandbox.createSecret(team, secretName, { password: values[team] as string });
    }
    const name = `run1-${uniqueSuffix()}`;
    const requests = ['team-a', 'team-b'].map((team) => {
      const req = sampleRequest({
        engine: 'ansible',
        name,
        parameters: { SANDBOX_OUTCOME: 'hold' },
        secrets: [secretName],
        policy: POLICY,
      });
      req.workflowExecution.metadata.namespace = team;
      req.executionNamespace = team;
      return req;
    });
    const ids = await Promise.all(requests.map(async (req) => (await env.executions.startExecution(req)).workflowId));
    for (const [index, id] of ids.entries()) {
      const handle = await running(id);
      const job = awx().jobs.get(handle.awxJobId ?? -1);
      const mine = (job?.credentials ?? [])
        .map((credentialId) => awx().credentials.get(credentialId))
        .filter((c) => c?.name.includes(secretName));
      assert.equal(mine.length, 1);
      const team = index === 0 ? 'team-a' : 'team-b';
      assert.equal(mine[0]?.inputs.password, values[team], `${team}'s job carries ${team}'s Secret value`);
    }
    assert.equal(credentialsOf(secretName).length, 2, 'two credentials, one per execution');
    await env.executions.cancelExecution(ids[0] as string);
    await env.executions.waitForResult(ids[0] as string);
    assert.equal(credentialsOf(secretName).length, 1, "one execution's cleanup never deletes the other's credential");
    await env.executions.cancelExecution(ids[1] as string);
    await env.executions.waitForResult(ids[1] as string);
    assert.equal(credentialsOf(secretName).length, 0);
  });

  test('regression 5: a launch that AWX carries out after the attempt timed out is cancelled; one job runs', async () => {
    const req = sampleRequest({ engine: 'ansible', parameters: { SANDBOX_OUTCOME: 'hold' }, policy: POLICY });
    const id = executionResourceName(req.workflowExecution.spec.targetResource);
    const isLaunch = (path: string, body: string) => path.endsWith('/launch/') && body.includes(id);
    // The first launch is held past the client's request timeout; the second (the retry) goes through.
    const slow = awx().intercept({ method: 'POST', match: (call) => isLaunch(call.path, call.body), action: { kind: 'pause' } });
    let retried!: () => void;
    const retryAnswered = new Promise<void>((resolve) => {
      retried = resolve;
    });
    awx().intercept({
      method: 'POST',
      match: (call) => isLaunch(call.path, call.body) && slow.fired > 0,
      onAnswered: () => retried(),
    });
    await env.executions.startExecution(req);
    await retryAnswered;
    slow.release();
    await slow.settled(); // the slow launch has landed: two jobs now carry this execution's marker
    assert.equal(jobsOf(id).length, 2);
    const handle = await running(id);
    awx().release('success', (jobId) => jobId === handle.awxJobId);
    assert.equal((await env.executions.waitForResult(id)).phase, 'Completed');
    await eventually(() => activeJobsOf(id).length === 0, WAIT, 'no job of the execution still running');
    assert.equal(jobsOf(id).filter((job) => job.status !== 'canceled').length, 1, 'exactly one job was not cancelled');
  });

  test('regression 5: a reset of a running AWX execution adopts its job instead of launching a second', async () => {
    const req = sampleRequest({ engine: 'ansible', parameters: { SANDBOX_OUTCOME: 'hold' }, policy: POLICY });
    const { workflowId, runId } = await env.executions.startExecution(req);
    await running(workflowId);
    await run(process.env.TEMPORAL_CLI_PATH ?? 'temporal', [
      ...['workflow', 'reset', '--workflow-id', workflowId, '--run-id', runId, '--type', 'FirstWorkflowTask', '--reason', 'regression'],
      ...['--address', testServerAddress(), '--namespace', testNamespace()],
    ]);
    const newRun = await eventually(async () => {
      const view = await env.executions.getExecution(workflowId);
      return view.runId !== runId && view.status?.handle ? view.runId : undefined;
    }, WAIT);
    assert.equal(jobsOf(workflowId).length, 1, 'the new run adopted the running job');
    awx().release('success', () => true);
    assert.equal((await env.executions.waitForResult(workflowId, newRun)).phase, 'Completed');
    assert.equal(activeJobsOf(workflowId).length, 0);
  });

  test('regression 6: a caller-chosen workflow ID cannot start a second AWX job on a target — the client and the workflow refuse', async () => {
    const req = sampleRequest({ engine: 'ansible', policy: POLICY });
    const launches = awx().launches.length;
    await assert.rejects(env.executions.startExecution(req, { workflowId: `mine-${uniqueSuffix()}` }), InvalidExecutionRequestError);
    const bare = await env.client.workflow.start(WORKFLOW_TYPE, {
      taskQueue: env.taskQueue,
      workflowId: `mine-${uniqueSuffix()}`,
      args: [req],
    });
    const result = await env.executions.waitForResult(bare.workflowId);
    assert.deepEqual([result.phase, result.reason], ['Failed', 'WorkflowIdMismatch']);
    assert.equal(awx().launches.length, launches, 'nothing launched');
  });

  test('regression 7: a Secret value (or the AWX token) printed by a failing playbook reaches no history, status query or CLI output', async () => {
    const secret = secretNamed(`pem-${uniqueSuffix()}-VALUE`);
    const req = sampleRequest({ engine: 'ansible', parameters: { SANDBOX_OUTCOME: 'hold' }, secrets: [secret.name], policy: POLICY });
    const { workflowId } = await env.executions.startExecution(req);
    const handle = await running(workflowId);
    const job = awx().jobs.get(handle.awxJobId ?? -1) ?? assert.fail('job');
    // The playbook prints its environment, as a debug task would.
    job.events.push({
      counter: job.events.length + 1,
      event: 'runner_on_ok',
      stdout: `password=${secret.value} token=${awx().token}`,
      created: new Date().toISOString(),
    });
    awx().release('failure', (jobId) => jobId === handle.awxJobId);
    const result = await env.executions.waitForResult(workflowId);
    assert.equal(result.reason, 'AWXJobFailed');
    assert.match(result.message, /password=\[REDACTED\]/);
    const history = JSON.stringify(await env.client.workflow.getHandle(workflowId).fetchHistory());
    const status = JSON.stringify((await env.executions.getExecution(workflowId)).status);
    const cli = await run(process.execPath, [
      'src/cli.ts',
      'status',
      workflowId,
      '--address',
      testServerAddress(),
      '--namespace',
      testNamespace(),
      '--task-queue',
      env.taskQueue,
    ]);
    for (const [where, text] of Object.entries({ history, status, cli: cli.stdout + cli.stderr, result: JSON.stringify(result) })) {
      assert.ok(!text.includes(secret.value), `${where} holds the Secret value`);
      assert.ok(!text.includes(awx().token), `${where} holds the AWX token`);
    }
  });

  test('regression 8: inputs that wedged an execution fail in its first workflow task with InvalidExecutionRequest, naming the field', async () => {
    const base = () => sampleRequest({ engine: 'ansible', policy: POLICY });
    // 5,000 levels of JSON, as another SDK or the CLI can send it (this SDK's own encoder would refuse it).
    const nested = base();
    const nestedJson = JSON.stringify(nested).replace('"NAMESPACE":"default"', `"DEEP":${'['.repeat(5000)}"x"${']'.repeat(5000)}`);
    const wide = base();
    wide.workflowExecution.spec.targetResource = `ns/Deployment/${'漢'.repeat(900)}`;
    const proto = JSON.stringify(base()).replace('"NAMESPACE":"default"', '"__proto__":"x"');
    const dir = mkdtempSync(join(tmpdir(), 'wedge-'));
    for (const [what, target, json, field] of [
      ['nested parameter', nested.workflowExecution.spec.targetResource, nestedJson, 'request'],
      ['multi-byte target', wide.workflowExecution.spec.targetResource, JSON.stringify(wide), 'spec.targetResource'],
      [
        '__proto__ parameter',
        (JSON.parse(proto) as ExecutionRequest).workflowExecution.spec.targetResource,
        proto,
        'spec.parameters.__proto__',
      ],
    ] as const) {
      const workflowId = executionResourceName(target);
      const input = join(dir, `${workflowId}.json`);
      writeFileSync(input, json);
      await run(process.env.TEMPORAL_CLI_PATH ?? 'temporal', [
        ...[
          'workflow',
          'start',
          '--type',
          WORKFLOW_TYPE,
          '--task-queue',
          env.taskQueue,
          '--workflow-id',
          workflowId,
          '--input-file',
          input,
        ],
        ...['--address', testServerAddress(), '--namespace', testNamespace()],
      ]);
      const result = await env.executions.waitForResult(workflowId);
      assert.deepEqual([result.phase, result.reason], ['Failed', 'InvalidExecutionRequest'], what);
      assert.ok(result.message.includes(`${field}:`), `${what}: ${result.message.slice(0, 200)}`);
      const description = await env.client.workflow.getHandle(workflowId).describe();
      assert.equal(description.status.name, 'FAILED', `${what}: closed, not retrying or terminated`);
    }
    rmSync(dir, { recursive: true, force: true });
  });
});
