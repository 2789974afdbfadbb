/**
 * The pipelines pushed as Tekton bundles for the tests and the demo, each named `workflow` as the tekton engine
 * expects. Their steps say what the pod does through env vars the kwok stages read (kwok-stages.ts): SANDBOX_OUTCOME
 * (success, failure, hold, image-pull-backoff — the sandbox's conventions) and SANDBOX_DURATION_MS. Steps have a
 * script: with no command, Tekton would look up the image's entrypoint in a registry.
 */
import type { BundleObject } from './oci-push.ts';

const STEP_IMAGE = 'registry.invalid/kubernaut/remediate:v1';

const param = (name: string, fallback?: string) => ({ name, type: 'string', ...(fallback === undefined ? {} : { default: fallback }) });
/** The parameters every test pipeline declares (the tekton engine passes the request's parameters and TARGET_RESOURCE). */
const PARAMS = [param('TARGET_RESOURCE'), param('NAMESPACE', ''), param('SANDBOX_OUTCOME', 'success'), param('SANDBOX_DURATION_MS', '0')];
const passed = (names: string[]) => names.map((name) => ({ name, value: `$(params.${name})` }));

/** A task whose one step ends as SANDBOX_OUTCOME says, after SANDBOX_DURATION_MS; `results` are written by the kwok stage. */
function task(name: string, options: { runAfter?: string[]; results?: string[]; extraParams?: { name: string; value: string }[] } = {}) {
  const names = ['TARGET_RESOURCE', 'SANDBOX_OUTCOME', 'SANDBOX_DURATION_MS'];
  return {
    name,
    ...(options.runAfter ? { runAfter: options.runAfter } : {}),
    params: [...passed(names), ...(options.extraParams ?? [])],
    taskSpec: {
      params: [...names.map((entry) => param(entry)), ...(options.extraParams ?? []).map((entry) => param(entry.name))],
      ...(options.results ? { results: options.results.map((result) => ({ name: result, type: 'string' })) } : {}),
      steps: [
        {
          name: 'run',
          image: STEP_IMAGE,
          env: [
            { name: 'SANDBOX_OUTCOME', value: '$(params.SANDBOX_OUTCOME)' },
            { name: 'SANDBOX_DURATION_MS', value: '$(params.SANDBOX_DURATION_MS)' },
          ],
          script: `#!/bin/sh\necho "${name}: $(params.TARGET_RESOURCE)"\n[ "$SANDBOX_OUTCOME" != failure ]\n`,
        },
      ],
    },
  };
}

/** One task that succeeds or fails by SANDBOX_OUTCOME. */
export const ONE_TASK_PIPELINE: BundleObject = {
  apiVersion: 'tekton.dev/v1',
  kind: 'Pipeline',
  metadata: { name: 'workflow' },
  spec: { params: PARAMS, tasks: [task('remediate')] },
};

/**
 * prepare → remediate (given prepare's result `plan`), and a `finally` task `report` that always succeeds: it runs after
 * a failure and after a CancelledRunFinally cancel.
 */
export const FINALLY_PIPELINE: BundleObject = {
  apiVersion: 'tekton.dev/v1',
  kind: 'Pipeline',
  metadata: { name: 'workflow' },
  spec: {
    params: PARAMS,
    tasks: [
      {
        ...task('prepare', { results: ['plan'] }),
        params: [
          ...passed(['TARGET_RESOURCE']),
          { name: 'SANDBOX_OUTCOME', value: 'success' },
          { name: 'SANDBOX_DURATION_MS', value: '0' },
        ],
      },
      task('remediate', { runAfter: ['prepare'], extraParams: [{ name: 'PLAN', value: '$(tasks.prepare.results.plan)' }] }),
    ],
    finally: [
      {
        ...task('report'),
        params: [
          ...passed(['TARGET_RESOURCE']),
          { name: 'SANDBOX_OUTCOME', value: 'success' },
          { name: 'SANDBOX_DURATION_MS', value: '0' },
        ],
      },
    ],
  },
};

/** Repository:tag of each test bundle in the control plane's registry. */
export const TEST_BUNDLES = {
  workflow: { repository: 'kubernaut/workflow', tag: 'v1', objects: [ONE_TASK_PIPELINE] },
  finally: { repository: 'kubernaut/workflow-finally', tag: 'v1', objects: [FINALLY_PIPELINE] },
} as const;
