import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  describeTaskRunFailure,
  failedTaskRun,
  mapPipelineRunStatus,
  PIPELINE_REF_UNRESOLVED,
  type PipelineRunLike,
  TASK_RUN_FAILURE_MAX_CHARS,
  type TaskRunLike,
  unresolvedPipelineRef,
  withTaskRunFailure,
} from '../../../src/domain/pipelinerun-status.ts';

const run = (status: string, reason: string, message = '', children: string[] = []): PipelineRunLike => ({
  status: {
    conditions: [{ type: 'Succeeded', status, reason, message }],
    childReferences: children.map((name) => ({ kind: 'TaskRun', name })),
  },
});
const taskRun = (name: string, status: string, reason: string, message?: string): TaskRunLike => ({
  metadata: { name },
  status: { conditions: [{ type: 'Succeeded', status, reason, ...(message === undefined ? {} : { message }) }] },
});

describe('the failed TaskRun of a failed PipelineRun', () => {
  const taskRuns = [
    taskRun('r-c', 'False', 'PodAdmissionFailed', 'pods "r-c-pod" is forbidden: violates PodSecurity "restricted:latest"'),
    taskRun('r-a', 'True', 'Succeeded', 'All Steps have completed executing'),
    taskRun('r-b', 'False', 'TaskRunCancelled', 'TaskRun "r-b" was cancelled'),
    taskRun('r-d', 'False', 'TaskRunImagePullFailed', 'Back-off pulling image'),
  ];
  const failed = run('False', 'Failed', 'Tasks Completed: 3 (Failed: 2, Cancelled 1), Skipped: 0', ['r-a', 'r-b', 'r-c', 'r-d']);

  test('the first failed in child order, a cancelled one passed over', () => {
    assert.equal(failedTaskRun(failed, taskRuns)?.metadata?.name, 'r-c');
  });

  test('none when the run succeeded, is running, was cancelled or timed out', () => {
    for (const [status, reason] of [
      ['True', 'Succeeded'],
      ['Unknown', 'Running'],
      ['False', 'Cancelled'],
      ['False', 'PipelineRunTimeout'],
    ] as const)
      assert.equal(failedTaskRun(run(status, reason, '', ['r-c']), taskRuns), undefined, reason);
  });

  test('described as "TaskRun <name>: <reason>: <message>", and appended to the message only; reason and summary stay', () => {
    const detail = describeTaskRunFailure(taskRun('r-x', 'False', 'Failed', '"step-run" exited with code 1: Error'));
    assert.equal(detail, 'TaskRun r-x: Failed: "step-run" exited with code 1: Error');
    assert.equal(describeTaskRunFailure(taskRun('r-y', 'False', 'TaskRunImagePullFailed')), 'TaskRun r-y: TaskRunImagePullFailed');
    const result = mapPipelineRunStatus(failed);
    const enriched = withTaskRunFailure(result, detail);
    assert.deepEqual(
      [enriched.phase, enriched.reason, enriched.message],
      ['Failed', 'Failed', `Tasks Completed: 3 (Failed: 2, Cancelled 1), Skipped: 0; ${detail}`],
    );
    assert.deepEqual(enriched.summary, result.summary);
    assert.equal(withTaskRunFailure(result, ''), result);
  });

  test(`bounded to ${TASK_RUN_FAILURE_MAX_CHARS} characters`, () => {
    const enriched = withTaskRunFailure({ phase: 'Failed', reason: 'Failed', message: 'm' }, 'y'.repeat(5000));
    assert.equal(enriched.message.length, 'm; '.length + TASK_RUN_FAILURE_MAX_CHARS);
    assert.ok(enriched.message.endsWith('…'));
  });
});

describe('a PipelineRun whose pipeline reference does not resolve', () => {
  test('Unknown / ResolvingPipelineRef → stuck PipelineRefUnresolved with the condition message', () => {
    const message = 'PipelineRun ns/wfe-1 awaiting remote resource';
    assert.deepEqual(unresolvedPipelineRef(run('Unknown', 'ResolvingPipelineRef', message)), { reason: PIPELINE_REF_UNRESOLVED, message });
    assert.equal(unresolvedPipelineRef(run('Unknown', 'ResolvingPipelineRef'))?.message, 'the pipeline reference has not resolved');
  });

  test('any other state is not stuck', () => {
    for (const pipelineRun of [run('Unknown', 'Running'), run('False', 'CouldntGetPipeline'), run('True', 'Succeeded'), {}])
      assert.equal(unresolvedPipelineRef(pipelineRun), undefined);
  });
});
