import { parseDuration } from './duration.ts';
import { checkParameters, jsonDepth, type ValidationOptions } from './validate-parameters.ts';
import { describe, isObject, type Json, LIMITS, Problems, utf8Length, type ValidationProblem } from './validation-problems.ts';

export { bracketDepth } from './extra-vars.ts';
export { jsonDepth, type ValidationOptions } from './validate-parameters.ts';
export { LIMITS, type ValidationProblem } from './validation-problems.ts';

import { isDnsLabel, isDnsSubdomain } from './labels.ts';
import { ENGINES, type Engine, type ExecutionRequest, PIPELINE_RUN_CANCEL_MODES } from './types.ts';

const NO_WHITESPACE_PATTERN = /^\S+$/;

/** The engine a request runs on: spec.executionEngine, or the CRD's default "tekton". */
export function engineOf(request: ExecutionRequest): Engine {
  return request.workflowExecution.spec.executionEngine ?? 'tekton';
}

function checkMetadata(problems: Problems, wfe: Json): void {
  const metadata = problems.object(wfe.metadata, 'metadata', true);
  if (!metadata) return;
  const name = problems.string(metadata.name, 'metadata.name', true);
  if (name !== undefined && !(isDnsSubdomain(name) && name.length <= 63)) {
    problems.add(
      'metadata.name',
      `"${name.slice(0, 80)}" must be a lower-case DNS-1123 name of at most 63 characters (it becomes the kubernaut.ai/workflow-execution label)`,
    );
  }
  const namespace = problems.string(metadata.namespace, 'metadata.namespace', true);
  if (namespace !== undefined && !isDnsLabel(namespace)) {
    problems.add('metadata.namespace', `"${namespace.slice(0, 80)}" must be a DNS-1123 label (a Kubernetes namespace name)`);
  }
  problems.string(metadata.uid, 'metadata.uid', false);
}

function checkTarget(problems: Problems, spec: Json): void {
  const target = problems.string(spec.targetResource, 'spec.targetResource', true);
  if (target === undefined) return;
  const segments = target.split('/');
  if (target.length > LIMITS.targetResourceLength) {
    problems.add('spec.targetResource', `must be at most ${LIMITS.targetResourceLength} characters, got ${target.length}`);
  } else if (utf8Length(target) > LIMITS.searchAttributeBytes) {
    problems.add(
      'spec.targetResource',
      `must be at most ${LIMITS.searchAttributeBytes} bytes in UTF-8 (it is the TargetResource search attribute), got ${utf8Length(target)}`,
    );
  } else if (segments.length < 2 || segments.length > 3 || segments.some((segment) => !NO_WHITESPACE_PATTERN.test(segment))) {
    problems.add(
      'spec.targetResource',
      `"${target.slice(0, 80)}" must be "namespace/Kind/name", or "Kind/name" for a cluster-scoped resource`,
    );
  }
}

function checkEngineConfig(problems: Problems, workflowRef: Json): void {
  const field = 'spec.workflowRef.engineConfig';
  if (workflowRef.engineConfig === undefined || workflowRef.engineConfig === null) {
    problems.add(field, 'required for engine "ansible": give {"playbookPath": …, "jobTemplateName": …}');
    return;
  }
  const config = problems.object(workflowRef.engineConfig, field, true);
  if (!config) return;
  problems.string(config.playbookPath, `${field}.playbookPath`, true);
  problems.string(config.inventoryName, `${field}.inventoryName`, false);
  const name = problems.string(config.jobTemplateName, `${field}.jobTemplateName`, false);
  const id = problems.integer(config.jobTemplateId, `${field}.jobTemplateId`, 1, Number.MAX_SAFE_INTEGER);
  if (config.jobTemplateName === undefined && config.jobTemplateId === undefined) {
    problems.add(`${field}.jobTemplateName`, 'required: the name of the AWX job template to launch (or give jobTemplateId)');
  } else if (name === '' && id === undefined) {
    problems.add(`${field}.jobTemplateName`, 'must not be empty');
  }
}

function checkWorkflowRef(problems: Problems, spec: Json, engine: Engine | undefined): void {
  const workflowRef = problems.object(spec.workflowRef, 'spec.workflowRef', true);
  if (!workflowRef) return;
  const workflowId = problems.string(workflowRef.workflowId, 'spec.workflowRef.workflowId', true);
  if (workflowId !== undefined && workflowId.length > 253) problems.add('spec.workflowRef.workflowId', 'must be at most 253 characters');
  problems.string(workflowRef.version, 'spec.workflowRef.version', false);
  problems.string(workflowRef.executionBundleDigest, 'spec.workflowRef.executionBundleDigest', false);
  if (engine === 'job' || engine === 'tekton') {
    const what = engine === 'job' ? 'the container image' : 'the OCI bundle holding the pipeline "workflow"';
    if (workflowRef.executionBundle === undefined) {
      problems.add('spec.workflowRef.executionBundle', `required for engine "${engine}": ${what}`);
    } else {
      const bundle = problems.string(workflowRef.executionBundle, 'spec.workflowRef.executionBundle', true);
      if (bundle !== undefined && (!NO_WHITESPACE_PATTERN.test(bundle) || bundle.length > 1024)) {
        problems.add('spec.workflowRef.executionBundle', `must be ${what} reference without spaces, at most 1024 characters`);
      }
    }
  } else {
    problems.string(workflowRef.executionBundle, 'spec.workflowRef.executionBundle', false);
  }
  if (engine === 'ansible') checkEngineConfig(problems, workflowRef);
}

function checkExecutionConfig(problems: Problems, spec: Json): void {
  const config = problems.object(spec.executionConfig, 'spec.executionConfig', false);
  if (!config) return;
  const timeout = problems.string(config.timeout, 'spec.executionConfig.timeout', false);
  if (timeout !== undefined) {
    const ms = parseDuration(timeout);
    if (ms === undefined || ms <= 0 || ms > LIMITS.executionTimeoutMaxMs) {
      problems.add(
        'spec.executionConfig.timeout',
        `"${timeout.slice(0, 40)}" must be a positive duration such as "30m" or "1h30m", at most 168h`,
      );
    }
  }
  const account = problems.string(config.serviceAccountName, 'spec.executionConfig.serviceAccountName', false);
  if (account !== undefined && !isDnsSubdomain(account)) {
    problems.add('spec.executionConfig.serviceAccountName', `"${account.slice(0, 80)}" must be a DNS-1123 name (a ServiceAccount name)`);
  }
}

function checkDependencies(problems: Problems, request: Json, engine: Engine | undefined): void {
  const dependencies = problems.object(request.dependencies, 'dependencies', false);
  if (!dependencies) return;
  for (const [kind, prefix] of [
    ['secrets', 'secret-'],
    ['configMaps', 'configmap-'],
  ] as const) {
    const list = dependencies[kind];
    if (list === undefined) continue;
    if (!Array.isArray(list)) {
      problems.add(`dependencies.${kind}`, `must be an array of {"name": …}, got ${describe(list)}`);
      continue;
    }
    const seen = new Set<string>();
    list.forEach((entry: unknown, index) => {
      const field = `dependencies.${kind}[${index}].name`;
      const name = problems.string(isObject(entry) ? entry.name : undefined, field, true);
      if (name === undefined) return;
      // Job volumes and Tekton workspaces are named "<prefix><name>": a DNS label of at most 63 characters.
      const mounted = engine === 'job' || engine === 'tekton';
      if (mounted ? !isDnsLabel(`${prefix}${name}`) : !isDnsSubdomain(name)) {
        problems.add(
          field,
          mounted
            ? `"${name.slice(0, 80)}" must be a DNS-1123 label of at most ${63 - prefix.length} characters (it names the volume "${prefix}${name.slice(0, 20)}…")`
            : `"${name.slice(0, 80)}" must be a DNS-1123 name (a Kubernetes object name)`,
        );
      }
      if (seen.has(name)) problems.add(field, `duplicate ${kind === 'secrets' ? 'secret' : 'configMap'} name "${name}"`);
      seen.add(name);
    });
  }
}

function checkPolicy(problems: Problems, request: Json): void {
  const policy = problems.object(request.policy, 'policy', false);
  if (!policy) return;
  const initial = problems.integer(policy.pollInitialMs, 'policy.pollInitialMs', LIMITS.pollMinMs, LIMITS.pollMaxMs);
  const max = problems.integer(policy.pollMaxMs, 'policy.pollMaxMs', LIMITS.pollMinMs, LIMITS.pollMaxMs);
  if (initial !== undefined && max !== undefined && max < initial)
    problems.add('policy.pollMaxMs', 'must not be smaller than policy.pollInitialMs');
  if (policy.keepFinishedResource !== undefined && typeof policy.keepFinishedResource !== 'boolean') {
    problems.add('policy.keepFinishedResource', `must be a boolean, got ${describe(policy.keepFinishedResource)}`);
  }
  const canAfter = policy.continueAsNewAfterEvents;
  if (canAfter !== 0) problems.integer(canAfter, 'policy.continueAsNewAfterEvents', LIMITS.continueAsNewMinEvents, 50_000);
  problems.integer(policy.stopGraceMs, 'policy.stopGraceMs', 0, LIMITS.stopGraceMaxMs);
  problems.integer(policy.stuckPodGraceMs, 'policy.stuckPodGraceMs', 0, LIMITS.executionTimeoutMaxMs);
  problems.integer(policy.watchedPollMs, 'policy.watchedPollMs', LIMITS.pollMinMs, LIMITS.pollMaxMs);
  const mode = policy.pipelineRunCancelMode;
  if (mode !== undefined && !(PIPELINE_RUN_CANCEL_MODES as readonly unknown[]).includes(mode)) {
    problems.add('policy.pipelineRunCancelMode', `must be one of ${PIPELINE_RUN_CANCEL_MODES.join(', ')}, got ${JSON.stringify(mode)}`);
  }
}

/**
 * Every problem of a request, each naming its field. Empty = valid. Pure: runs in workflow code before anything is
 * created, so bad input fails fast with a non-retryable InvalidExecutionRequest.
 */
export function validateExecutionRequest(input: unknown, options: ValidationOptions = {}): ValidationProblem[] {
  const problems = new Problems();
  const request = problems.object(input, 'request', true);
  if (!request) return problems.list;
  if (jsonDepth(request, LIMITS.requestDepth) > LIMITS.requestDepth) {
    problems.add(
      'request',
      `must nest at most ${LIMITS.requestDepth} levels deep; flatten engineConfig and pass data as string parameters`,
    );
    return problems.list;
  }
  const size = utf8Length(JSON.stringify(request));
  if (size > LIMITS.requestBytes) {
    problems.add(
      'request',
      `must be at most ${LIMITS.requestBytes} bytes of JSON, got ${size}; move large inputs into a ConfigMap dependency`,
    );
    return problems.list;
  }
  const namespace = problems.string(request.executionNamespace, 'executionNamespace', false);
  if (namespace !== undefined && !isDnsLabel(namespace)) {
    problems.add('executionNamespace', `"${namespace.slice(0, 80)}" must be a DNS-1123 label (a Kubernetes namespace name)`);
  }
  const wfe = problems.object(request.workflowExecution, 'workflowExecution', true);
  let engine: Engine | undefined;
  if (wfe) {
    checkMetadata(problems, wfe);
    const spec = problems.object(wfe.spec, 'spec', true);
    if (spec) {
      const declared = spec.executionEngine ?? 'tekton';
      if ((ENGINES as readonly unknown[]).includes(declared)) engine = declared as Engine;
      else problems.add('spec.executionEngine', `unknown engine ${JSON.stringify(declared)}: use one of ${ENGINES.join(', ')}`);
      checkTarget(problems, spec);
      checkWorkflowRef(problems, spec, engine);
      const dependencies = isObject(request.dependencies) ? request.dependencies : {};
      checkParameters(problems, spec, engine, Array.isArray(dependencies.configMaps) && dependencies.configMaps.length > 0, options);
      checkExecutionConfig(problems, spec);
      const rrRef = problems.object(spec.remediationRequestRef, 'spec.remediationRequestRef', false);
      if (rrRef) {
        problems.string(rrRef.name, 'spec.remediationRequestRef.name', false);
        problems.string(rrRef.namespace, 'spec.remediationRequestRef.namespace', false);
      }
    }
  }
  checkDependencies(problems, request, engine);
  checkPolicy(problems, request);
  return problems.list;
}

/** One line per problem: "field: message". */
export function formatValidationProblems(problems: readonly ValidationProblem[]): string {
  return problems.map((problem) => `${problem.field}: ${problem.message}`).join('; ');
}
