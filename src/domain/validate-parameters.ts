/**
 * Parameter checks: names each engine's backend accepts (and that do not collide with what the engine sets), values as
 * strings of bounded size and nesting. Executions started before names were checked per engine keep their old rules.
 */
import { AWX_CONFIGMAP_VARIABLE_PREFIX, AWX_EXECUTION_MARKER_VAR, AWX_SYSTEM_VARIABLES } from './constants.ts';
import { bracketDepth } from './extra-vars.ts';
import type { Engine } from './types.ts';
import { describe, type Json, LIMITS, type Problems, utf8Length } from './validation-problems.ts';

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

export function checkParameters(
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
