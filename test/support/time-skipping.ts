/**
 * The fast layer: runExecution on Temporal's time-skipping test server with scripted activities. Each test scripts what
 * the backend answers for its own workflow ID; a worker serves them all. Hours of polling pass in milliseconds.
 */
import { ApplicationFailure } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { findTestServer } from '../../scripts/lib/test-server.ts';
import { SEARCH_ATTRIBUTE_NAMES } from '../../src/domain/constants.ts';
import type { ExecutionHandle, ExecutionResult, PreparedCredentials, StatusObservation } from '../../src/domain/types.ts';
import type { CleanupReport } from '../../src/executors/executor.ts';
import { WORKFLOWS_PATH } from './paths.ts';
import { installQuietRuntime } from './temporal.ts';

/** What the scripted backend does for one execution; every call is recorded. */
export interface Script {
  prepare?: () => Promise<PreparedCredentials>;
  create?: () => Promise<ExecutionHandle>;
  /** Status answers in order; the last one repeats. */
  statuses?: (StatusObservation | Error)[];
  stop?: () => Promise<void>;
  deleteResource?: () => Promise<CleanupReport>;
  deleteCredentials?: () => Promise<CleanupReport>;
  calls: string[];
}

export const found = (
  phase: ExecutionResult['phase'],
  reason: string = phase,
  extra: Partial<StatusObservation & { kind: 'found' }> = {},
): StatusObservation => ({
  kind: 'found',
  result: { phase, reason, message: `${phase} (${reason})` },
  ...extra,
});

export const finalFailure = (type: string, message = type) => ApplicationFailure.create({ type, message, nonRetryable: true });

export const jobHandle = (name: string): ExecutionHandle => ({
  engine: 'job',
  executionNamespace: 'kubernaut-workflows',
  resourceName: name,
  resourceUid: 'uid-1',
});

export interface FastEnvironment {
  env: TestWorkflowEnvironment;
  /** Scripts by target resource (each test uses its own target). */
  scripts: Map<string, Script>;
  taskQueue: string;
  stop(): Promise<void>;
}

export function fastLayerAvailable(): boolean {
  return findTestServer() !== undefined;
}

export async function startFastEnvironment(): Promise<FastEnvironment> {
  installQuietRuntime();
  const path = findTestServer();
  if (!path) throw new Error('the time-skipping test server is not fetched (node scripts/ensure-test-server.ts)');
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path } } });
  // The workflow keeps its search attributes current: the test server must know them, as `kubernaut-exec setup` does.
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(SEARCH_ATTRIBUTE_NAMES.map((name) => [name, 2 /* INDEXED_VALUE_TYPE_KEYWORD */])),
  });
  const scripts = new Map<string, Script>();
  const taskQueue = 'fast-layer';
  const script = (input: { request: { workflowExecution: { spec: { targetResource: string } } } }, call: string): Script => {
    const target = input.request.workflowExecution.spec.targetResource;
    const entry = scripts.get(target);
    if (!entry) throw new Error(`no script for ${target}`);
    entry.calls.push(call);
    return entry;
  };
  const activities = {
    prepareExecution: async (input: never) => (await script(input, 'prepare').prepare?.()) ?? { ephemeralCredentialIds: [7], created: 1 },
    createExecution: async (input: never) => (await script(input, 'create').create?.()) ?? jobHandle('wfe-scripted'),
    getExecutionStatus: async (input: never) => {
      const entry = script(input, 'status');
      const polls = entry.calls.filter((call) => call === 'status').length;
      const answers = entry.statuses ?? [found('Completed', 'Complete')];
      const answer = answers[Math.min(polls, answers.length) - 1] ?? found('Running');
      if (answer instanceof Error) throw answer;
      return answer;
    },
    stopExecution: async (input: never) => script(input, 'stop').stop?.(),
    deleteExecutionResource: async (input: never) =>
      (await script(input, 'deleteResource').deleteResource?.()) ?? { resourceDeleted: true },
    deleteEphemeralCredentials: async (input: never) =>
      (await script(input, 'deleteCredentials').deleteCredentials?.()) ?? { resourceDeleted: false, credentialsDeleted: 1 },
  };
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowsPath: WORKFLOWS_PATH, activities });
  const running = worker.run();
  return {
    env,
    scripts,
    taskQueue,
    async stop() {
      worker.shutdown();
      await running;
      await env.teardown();
    },
  };
}
