/**
 * The remediation's output for `kubernaut-exec logs`: run on the worker, which has the cluster and AWX credentials and
 * the Secret values to mask, so the CLI needs neither. The execution's request comes from its history, its backend
 * resource from its status query.
 */
import type { Client } from '@temporalio/client';
import type { ExecutionRequest } from '../domain/types.ts';
import type { ExecutorRegistry } from '../executors/registry.ts';
import { statusQuery } from '../workflows/definitions.ts';

export interface OutputInput {
  workflowId: string;
  runId?: string;
  maxBytes?: number;
}

export interface ExecutionOutput {
  workflowId: string;
  engine?: string;
  resource?: string;
  /** The output with every secret value masked; empty when there is none to show (see note). */
  text: string;
  note?: string;
}

/** The request a run was started with (the first payload of its start event, JSON). */
async function requestOf(temporal: Client, workflowId: string, runId?: string): Promise<ExecutionRequest> {
  const history = await temporal.workflow.getHandle(workflowId, runId).fetchHistory();
  const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  return JSON.parse(Buffer.from(payload?.data ?? new Uint8Array()).toString('utf8')) as ExecutionRequest;
}

export function createOutputActivities(dependencies: { registry: ExecutorRegistry; temporal: Client }) {
  return {
    async readExecutionOutput(input: OutputInput): Promise<ExecutionOutput> {
      const { registry, temporal } = dependencies;
      const status = await temporal.workflow.getHandle(input.workflowId, input.runId).query(statusQuery);
      const handle = status.handle;
      if (!handle) return { workflowId: input.workflowId, text: '', note: 'no backend resource was created for this execution' };
      const request = await requestOf(temporal, input.workflowId, input.runId);
      const text = await registry.get(handle.engine).output(request, handle, input.maxBytes ?? 16 * 1024);
      const resource = `${handle.executionNamespace}/${handle.resourceName}`;
      return {
        workflowId: input.workflowId,
        engine: handle.engine,
        resource,
        text,
        ...(text
          ? {}
          : {
              note:
                handle.engine === 'ansible'
                  ? 'the AWX job has no output (yet)'
                  : `no pod logs for ${resource}: its pods are gone (an execution deletes its Job or PipelineRun when it ends; policy.keepFinishedResource keeps it) or have not started`,
            }),
      };
    },
  };
}

export type OutputActivities = ReturnType<typeof createOutputActivities>;
