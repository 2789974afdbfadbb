import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AWX_ACTIVE_STATES, mapAwxStatus } from '../../../src/domain/awx-status.ts';
import { isJobFinished, mapJobStatus } from '../../../src/domain/job-status.ts';
import { mapPipelineRunStatus } from '../../../src/domain/pipelinerun-status.ts';

describe('mapJobStatus (reference §4.5)', () => {
  test('UT-WE-014-030: active=1 and no conditions → Running with the pods-active message', () => {
    const result = mapJobStatus({ status: { active: 1 } });
    assert.equal(result.phase, 'Running');
    assert.equal(result.reason, 'Running');
    assert.equal(result.message, 'Job running (1/1 pods active)');
    assert.deepEqual(result.summary, {
      status: 'Unknown',
      reason: 'Running',
      message: '1 pod(s) active',
      completedTasks: 0,
      totalTasks: 1,
    });
  });

  test('UT-WE-014-031: Complete=True → Completed with reason "Complete" and the condition message', () => {
    const result = mapJobStatus({
      status: {
        succeeded: 1,
        conditions: [
          { type: 'Complete', status: 'True', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' },
        ],
      },
    });
    assert.equal(result.phase, 'Completed');
    assert.equal(result.reason, 'Complete');
    assert.equal(result.message, 'Reached expected number of succeeded pods');
    assert.deepEqual(result.summary, { status: 'True', reason: 'Succeeded', completedTasks: 1, totalTasks: 1 });
  });

  test('UT-WE-014-032: Failed=True BackoffLimitExceeded → Failed with that reason', () => {
    const result = mapJobStatus({
      status: {
        failed: 1,
        conditions: [
          { type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' },
        ],
      },
    });
    assert.equal(result.phase, 'Failed');
    assert.equal(result.reason, 'BackoffLimitExceeded');
    assert.equal(result.message, 'Job has reached the specified backoff limit');
    assert.deepEqual(result.summary, { status: 'False', reason: 'Failed', message: '1 pod(s) failed', completedTasks: 0, totalTasks: 1 });
  });

  test('the first terminal True condition decides; False/Unknown and Suspended are ignored', () => {
    const result = mapJobStatus({
      status: {
        conditions: [
          { type: 'Suspended', status: 'True' },
          { type: 'Complete', status: 'False' },
          { type: 'Failed', status: 'True', reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' },
        ],
      },
    });
    assert.equal(result.phase, 'Failed');
    assert.equal(result.reason, 'DeadlineExceeded');
  });

  test('Kubernetes ≥ 1.31 interim conditions decide before the final one arrives', () => {
    assert.equal(mapJobStatus({ status: { conditions: [{ type: 'SuccessCriteriaMet', status: 'True' }] } }).phase, 'Completed');
    const failing = mapJobStatus({
      status: { active: 1, conditions: [{ type: 'FailureTarget', status: 'True', reason: 'BackoffLimitExceeded' }] },
    });
    assert.equal(failing.phase, 'Failed');
    assert.equal(failing.reason, 'BackoffLimitExceeded');
  });

  test('an interim condition counts the pods the Job controller has seen end but not yet counted (real controller, 1.37)', () => {
    // Seen on the real Job controller: SuccessCriteriaMet is written while the pod is still in
    // uncountedTerminatedPods, before status.succeeded moves; a watch reads exactly that moment.
    const succeeded = mapJobStatus({
      status: {
        succeeded: 0,
        uncountedTerminatedPods: { succeeded: ['pod-uid'] },
        conditions: [
          {
            type: 'SuccessCriteriaMet',
            status: 'True',
            reason: 'CompletionsReached',
            message: 'Reached expected number of succeeded pods',
          },
        ],
      },
    });
    assert.equal(succeeded.phase, 'Completed');
    assert.deepEqual(succeeded.summary, { status: 'True', reason: 'Succeeded', completedTasks: 1, totalTasks: 1 });
    const failed = mapJobStatus({
      status: {
        uncountedTerminatedPods: { failed: ['a', 'b'] },
        conditions: [{ type: 'FailureTarget', status: 'True', reason: 'BackoffLimitExceeded' }],
      },
    });
    assert.deepEqual(failed.summary, { status: 'False', reason: 'Failed', message: '2 pod(s) failed', completedTasks: 0, totalTasks: 1 });
    // While no condition has decided, the counters stay the original's (uncounted pods are not counted yet).
    assert.equal(mapJobStatus({ status: { active: 1, uncountedTerminatedPods: { succeeded: ['x'] } } }).summary?.status, 'Unknown');
  });

  test('completions is shown in the running message; no counters → empty summary reason', () => {
    const result = mapJobStatus({ spec: { completions: 3 }, status: { active: 2 } });
    assert.equal(result.message, 'Job running (2/3 pods active)');
    assert.deepEqual(mapJobStatus({}).summary, { status: 'Unknown', completedTasks: 0, totalTasks: 1 });
  });
});

describe('isJobFinished (#374 IsCompleted)', () => {
  test('UT-WE-374-001: Complete=True → true', () =>
    assert.equal(isJobFinished({ status: { conditions: [{ type: 'Complete', status: 'True' }] } }), true));
  test('UT-WE-374-002: only active=1 → false', () => assert.equal(isJobFinished({ status: { active: 1 } }), false));
  test('UT-WE-374-003: Failed=True → true', () =>
    assert.equal(isJobFinished({ status: { conditions: [{ type: 'Failed', status: 'True' }] } }), true));
});

describe('mapPipelineRunStatus (reference §5.2)', () => {
  test('UT-WE-014-070: Succeeded=True → Completed with the condition reason and message, with a summary', () => {
    const result = mapPipelineRunStatus({
      status: { conditions: [{ type: 'Succeeded', status: 'True', reason: 'Succeeded', message: 'Pipeline completed successfully' }] },
    });
    assert.equal(result.phase, 'Completed');
    assert.equal(result.reason, 'Succeeded');
    assert.equal(result.message, 'Pipeline completed successfully');
    assert.ok(result.summary);
  });

  test('UT-WE-014-071: Succeeded=False → Failed with reason and message', () => {
    const result = mapPipelineRunStatus({
      status: { conditions: [{ type: 'Succeeded', status: 'False', reason: 'PipelineRunFailed', message: "Task 'validate' failed" }] },
    });
    assert.equal(result.phase, 'Failed');
    assert.equal(result.reason, 'PipelineRunFailed');
    assert.equal(result.message, "Task 'validate' failed");
  });

  test('UT-WE-014-072: Succeeded=Unknown (Running) → Running, "Pipeline executing (Running)"', () => {
    const result = mapPipelineRunStatus({ status: { conditions: [{ type: 'Succeeded', status: 'Unknown', reason: 'Running' }] } });
    assert.equal(result.phase, 'Running');
    assert.equal(result.reason, 'Running');
    assert.equal(result.message, 'Pipeline executing (Running)');
  });

  test('UT-WE-014-073: no conditions → Running, reason Pending, "waiting for Tekton"', () => {
    const result = mapPipelineRunStatus({});
    assert.equal(result.phase, 'Running');
    assert.equal(result.reason, 'Pending');
    assert.match(result.message, /waiting for Tekton/);
    assert.deepEqual(result.summary, { status: 'Unknown', completedTasks: 0, totalTasks: 0 });
  });

  test('UT-WE-014-075: 3 child references → totalTasks 3, status True, reason Succeeded; completed counts succeeded TaskRuns only', () => {
    const result = mapPipelineRunStatus(
      {
        status: {
          conditions: [{ type: 'Succeeded', status: 'True', reason: 'Succeeded' }],
          childReferences: [
            { kind: 'TaskRun', name: 'a' },
            { kind: 'TaskRun', name: 'b' },
            { kind: 'CustomRun', name: 'c' },
          ],
        },
      },
      new Set(['a', 'c']),
    );
    assert.deepEqual(result.summary, { status: 'True', reason: 'Succeeded', completedTasks: 1, totalTasks: 3 });
  });
});

describe('mapAwxStatus (reference §6.5)', () => {
  const table: [string, string, string, string][] = [
    ['pending', 'Pending', 'AWXJobPending', 'AWX job is queued'],
    ['waiting', 'Pending', 'AWXJobPending', 'AWX job is queued'],
    ['running', 'Running', 'AWXJobRunning', 'AWX job is executing'],
    ['successful', 'Completed', 'AWXJobSuccessful', 'AWX job completed successfully'],
    ['failed', 'Failed', 'AWXJobFailed', 'AWX job execution failed'],
    ['error', 'Failed', 'AWXJobError', 'AWX job encountered an internal error'],
    ['canceled', 'Failed', 'AWXJobCanceled', 'AWX job was canceled'],
  ];
  test('UT-WE-015-002: all 7 AWX states map as the table says and summary.status equals the phase', () => {
    for (const [status, phase, reason, message] of table) {
      const result = mapAwxStatus({ status });
      assert.deepEqual([result.phase, result.reason, result.message], [phase, reason, message], status);
      assert.equal(result.summary?.status, phase);
    }
  });

  test('"new", empty and unknown states → Pending AWXJobUnknown naming the state', () => {
    assert.deepEqual([mapAwxStatus({ status: 'new' }).phase, mapAwxStatus({ status: 'new' }).reason], ['Pending', 'AWXJobUnknown']);
    assert.match(mapAwxStatus({ status: 'unknown-state' }).message, /unknown-state/);
    assert.equal(mapAwxStatus({}).message, 'Unknown AWX job status: ');
    assert.ok(AWX_ACTIVE_STATES.has('new'));
  });

  test('UT-WE-015-002b: failed with output → message carries it (connection refused), summary.status Failed', () => {
    const result = mapAwxStatus({ status: 'failed' }, 'TASK [restart] fatal: connection refused');
    assert.equal(result.phase, 'Failed');
    assert.match(result.message, /connection refused/);
    assert.equal(result.summary?.status, 'Failed');
    assert.equal(mapAwxStatus({ status: 'successful' }, 'ignored output').message, 'AWX job completed successfully');
  });
});
