/**
 * The two things an execution may have to undo: its ephemeral AWX credentials, and its backend resource (stopped if
 * it still runs, given a grace period to wind down, then deleted — or, for AWX, every job of it cancelled).
 */
import { sleep } from '@temporalio/workflow';
import { executionIdOf } from '../domain/execution-id.ts';
import { nextPollDelay, type ResolvedPolicy } from '../domain/policy.ts';
import { deleteEphemeralCredentials, deleteExecutionResource, getExecutionStatus, stopExecution } from './activity-proxies.ts';
import type { Compensations } from './compensations.ts';
import type { ExecutionState } from './execution-state.ts';
import { failureOf } from './failure.ts';

const isTerminalPhase = (phase: string | undefined): boolean => phase === 'Completed' || phase === 'Failed';

export function addCredentialsUndo(undo: Compensations, execution: ExecutionState): void {
  undo.add(
    'delete ephemeral credentials',
    () => [`ephemeral AWX credentials of execution ${execution.createdByRun}`],
    () =>
      deleteEphemeralCredentials({
        request: execution.request,
        createdByRun: execution.createdByRun,
        deleteResource: true,
        prepared: execution.prepared,
      }),
  );
}

export function addResourceUndo(undo: Compensations, execution: ExecutionState, policy: ResolvedPolicy): void {
  const { request } = execution;
  const name = () => execution.handle?.resourceName ?? executionIdOf(request.workflowExecution.spec.targetResource);
  undo.add(
    'stop and delete the backend resource',
    () => [`${request.workflowExecution.spec.executionEngine ?? 'tekton'} execution resource ${name()}`],
    async () => {
      const handle = execution.handle;
      if (handle && !isTerminalPhase(execution.lastResult?.phase)) {
        try {
          await stopExecution({ request, handle, pipelineRunCancelMode: policy.pipelineRunCancelMode });
          await windDown(execution, policy);
        } catch (error) {
          // A refused stop (a run that has just finished, a 403) never skips the delete that follows.
          execution.status.stopError = failureOf(error).message;
        }
      }
      return deleteExecutionResource({
        request,
        createdByRun: execution.createdByRun,
        deleteResource: !policy.keepFinishedResource,
        handle,
      });
    },
  );
}

/** After a stop: polls (quickly) until the backend reports an end, is gone, or the grace period has passed. */
async function windDown(execution: ExecutionState, policy: ResolvedPolicy): Promise<void> {
  const handle = execution.handle;
  if (!handle) return;
  const graceEndMs = Date.now() + policy.stopGraceMs;
  let delay: number | undefined;
  for (;;) {
    const observation = await getExecutionStatus({ request: execution.request, handle }).catch(() => undefined);
    if (observation?.kind === 'notFound' || (observation && isTerminalPhase(observation.result.phase)) || Date.now() >= graceEndMs) return;
    delay = nextPollDelay(delay, { pollInitialMs: Math.min(policy.pollInitialMs, 1000), pollMaxMs: 5000 });
    await sleep(Math.min(delay, Math.max(1, graceEndMs - Date.now())));
  }
}
