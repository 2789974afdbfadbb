import { AWX_CONFIGMAP_VARIABLE_PREFIX, AWX_EXECUTION_MARKER_VAR, AWX_SYSTEM_VARIABLES } from './constants.ts';
import { parseDuration } from './duration.ts';
import { isDnsLabel, isDnsSubdomain } from './labels.ts';
import { ENGINES, type Engine, type ExecutionRequest, PIPELINE_RUN_CANCEL_MODES } from './types.ts';

/** One thing wrong with a request: the field's path and what to do about it. */
export interface ValidationProblem {
  field: string;
  message: string;
}

export const LIMITS = {
  requestBytes: 256 * 1024,
  /** Nesting of the request's JSON (engineConfig is free-form): deeper input could exhaust the stack while checked. */
  requestDepth: 32,
  /** Nesting of a bracketed JSON parameter value (sent to AWX as typed extra_vars). */
  parameterJsonDepth: 64,
  targetResourceLength: 1024,
  /** Search-attribute values (TargetResource) are limited in bytes by Temporal (2 KB by default). */
  searchAttributeBytes: 1024,
  parameterCount: 200,
  parameterNameLength: 128,
  parameterValueBytes: 32 * 1024,
  executionTimeoutMaxMs: 7 * 24 * 3_600_000,
  pollMinMs: 10,
  pollMaxMs: 3_600_000,
  stopGraceMaxMs: 3_600_000,
  continueAsNewMinEvents: 20,
} as const;

/** Names that JavaScript objects treat specially: as extra_vars keys they could vanish or change an object's prototype. */
const OBJECT_KEYWORDS = new Set(['__proto__', 'constructor', 'prototype']);

/** How deeply a JSON value nests, counted without recursion (so no input can exhaust the stack); stops past `limit`. */
export function jsonDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const pending: [unknown, number][] = [[value, 0]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop() as [unknown, number];
    if (typeof current !== 'object' || current === null) continue;
    if (depth + 1 > deepest) deepest = depth + 1;
    if (deepest > limit) return deepest;
    for (const child of Object.values(current)) pending.push([child, depth + 1]);
  }
  return deepest;
}

/** Bracket nesting of JSON text, strings skipped: a parameter value like "[[[[…]]]]" is checked before anything parses it. */
export function bracketDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (inString) {
      if (char === '\\') index++;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === '[' || char === '{') deepest = Math.max(deepest, ++depth);
    else if (char === ']' || char === '}') depth--;
  }
  return deepest;
}
const NO_WHITESPACE_PATTERN = /^\S+$/;

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const describe = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`);
const utf8Length = (text: string): number => new TextEncoder().encode(text).length;

/** The engine a request runs on: spec.executionEngine, or the CRD's default "tekton". */
export function engineOf(request: ExecutionRequest): Engine {
  return request.workflowExecution.spec.executionEngine ?? 'tekton';
}

/** Collects problems field by field; each check names the field and the fix. */
class Problems {
  readonly list: ValidationProblem[] = [];
  add(field: string, message: string): void {
    this.list.push({ field, message });
  }
  /** The object at `field`, or undefined after recording why not. */
  object(value: unknown, field: string, required: boolean): Json | undefined {
    if (value === undefined && !required) return undefined;
    if (!isObject(value)) {
      this.add(field, value === undefined ? 'required object is missing' : `must be an object, got ${describe(value)}`);
      return undefined;
    }
    return value;
  }
  /** The non-empty string at `field`, or undefined after recording why not. */
  string(value: unknown, field: string, required: boolean): string | undefined {
    if (value === undefined && !required) return undefined;
    if (typeof value !== 'string') {
      this.add(field, value === undefined ? 'required string is missing' : `must be a string, got ${describe(value)}`);
      return undefined;
    }
    if (value.length === 0 && required) {
      this.add(field, 'must not be empty');
      return undefined;
    }
    return value;
  }
  integer(value: unknown, field: string, min: number, max: number): number | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.add(field, `must be an integer between ${min} and ${max}, got ${JSON.stringify(value) ?? describe(value)}`);
      return undefined;
    }
    return value;
  }
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

/** What each backend accepts as a parameter name (Kubernetes IsEnvVarName, Tekton's param names, AWX extra_vars keys). */
const PARAMETER_NAME_RULES: Record<Engine, { pattern: RegExp; describe: string }> = {
  job: { pattern: /^[-._a-zA-Z][-._a-zA-Z0-9]*$/, describe: 'a Kubernetes environment variable name ([-._a-zA-Z][-._a-zA-Z0-9]*)' },
  tekton: { pattern: /^[a-zA-Z_][-._a-zA-Z0-9]*$/, describe: 'a Tekton parameter name ([a-zA-Z_][-._a-zA-Z0-9]*)' },
  ansible: {
    pattern: /^[-._a-zA-Z][-._a-zA-Z0-9]*$/,
    describe: 'an extra_vars key of letters, digits, "-", "." and "_", not starting with a digit',
  },
};

/** Only the names that really collide with what the engine injects. */
function reservedParameterNames(engine: Engine | undefined, hasConfigMaps: boolean): { names: string[]; prefixes: string[] } {
  if (engine === 'ansible')
    return { names: [...AWX_SYSTEM_VARIABLES, AWX_EXECUTION_MARKER_VAR], prefixes: hasConfigMaps ? [AWX_CONFIGMAP_VARIABLE_PREFIX] : [] };
  // The Job's restricted pod security context sets HOME and TMPDIR to its writable /tmp.
  return { names: engine === 'job' ? ['TARGET_RESOURCE', 'HOME', 'TMPDIR'] : ['TARGET_RESOURCE'], prefixes: [] };
}

/**
 * The parameter-name rules of executions started before names were checked per engine: environment variable names only,
 * with whole prefixes reserved. Kept so their histories replay (a request refused then must be refused again).
 */
const LEGACY_PARAMETER_NAME = { pattern: /^[A-Za-z_][A-Za-z0-9_]*$/, describe: 'an environment variable name ([A-Za-z_][A-Za-z0-9_]*)' };
const LEGACY_RESERVED = { names: ['TARGET_RESOURCE', 'HOME', 'TMPDIR'], prefixes: ['WFE_', 'RR_', 'KUBERNAUT_'] };

export interface ValidationOptions {
  /** The rules of the workflow version being replayed (see PATCH_PER_ENGINE_PARAMETER_NAMES); default the current ones. */
  legacyParameterNames?: boolean;
}

function checkParameters(
  problems: Problems,
  spec: Json,
  engine: Engine | undefined,
  hasConfigMaps: boolean,
  options: ValidationOptions = {},
): void {
  const parameters = problems.object(spec.parameters, 'spec.parameters', false);
  if (!parameters) return;
  const names = Object.keys(parameters);
  if (names.length > LIMITS.parameterCount) {
    problems.add('spec.parameters', `at most ${LIMITS.parameterCount} parameters are supported, got ${names.length}`);
    return;
  }
  for (const name of names) {
    const field = `spec.parameters.${name.slice(0, 80)}`;
    const rule = options.legacyParameterNames ? LEGACY_PARAMETER_NAME : PARAMETER_NAME_RULES[engine ?? 'tekton'];
    const reserved = options.legacyParameterNames ? LEGACY_RESERVED : reservedParameterNames(engine, hasConfigMaps);
    if (!rule.pattern.test(name) || name.length > LIMITS.parameterNameLength) {
      problems.add(field, `parameter name must be ${rule.describe}, at most ${LIMITS.parameterNameLength} characters`);
    } else if (OBJECT_KEYWORDS.has(name)) {
      problems.add(field, `"${name}" cannot be a parameter name (JavaScript objects treat it specially, so it could vanish); rename it`);
    } else if (reserved.names.includes(name) || reserved.prefixes.some((prefix) => name.startsWith(prefix))) {
      problems.add(
        field,
        `parameter name collides with a variable the ${engine} engine sets (${[...reserved.names, ...reserved.prefixes.map((prefix) => `${prefix}*`)].join(', ')}); rename it`,
      );
    }
    const value = parameters[name];
    if (typeof value !== 'string') {
      problems.add(field, `parameter value must be a string, got ${describe(value)} (quote numbers and booleans)`);
    } else if (utf8Length(value) > LIMITS.parameterValueBytes) {
      problems.add(field, `parameter value must be at most ${LIMITS.parameterValueBytes} bytes, got ${utf8Length(value)}`);
    } else if (bracketDepth(value) > LIMITS.parameterJsonDepth) {
      problems.add(
        field,
        `a JSON parameter value may nest at most ${LIMITS.parameterJsonDepth} levels deep; flatten it or pass it in a ConfigMap`,
      );
    }
  }
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
