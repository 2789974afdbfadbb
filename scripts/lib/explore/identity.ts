/**
 * The names one scenario owns: its WorkflowExecution, target, dependency Secrets (with planted values) and, for AWX,
 * its own job template. Nothing is shared between scenarios, so intercept rules and leftover checks can pick a
 * scenario's calls and objects even on shared paths.
 */
import { randomBytes } from 'node:crypto';
import type { Engine } from '../../../src/domain/types.ts';

export const EXECUTION_NAMESPACE = 'kubernaut-workflows';

export interface PlantedSecret {
  name: string;
  /** Key → value; every value is secret and must never show up in a history, query, log or CLI output. */
  values: Record<string, string>;
}

export interface ScenarioIdentity {
  /** "<engine>/<point>/<timing>/<disturbance>": how the table names the scenario. */
  label: string;
  wfeName: string;
  target: string;
  secrets: PlantedSecret[];
  /** AWX: the scenario's own job template. */
  templateName?: string;
  templateId?: number;
  /** Learned when the execution starts. */
  workflowId?: string;
}

/** A random value that cannot occur by chance in any output (prefix + 24 base36 characters). */
function plantedValue(random: () => number): string {
  let text = 'xv';
  for (let index = 0; index < 24; index++) text += Math.floor(random() * 36).toString(36);
  return text;
}

/** A short tag that keeps this run's names apart from other runs on the same Temporal server. */
export function runTag(): string {
  return randomBytes(3).toString('hex');
}

export function scenarioIdentity(options: {
  tag: string;
  index: number;
  engine: Engine;
  label: string;
  random: () => number;
}): ScenarioIdentity {
  const { tag, index, engine, random } = options;
  // Fixed width, so that no scenario's name is a prefix of another's.
  const base = `${tag}-${String(index).padStart(3, '0')}`;
  // AWX gets two Secrets (each credential create is a boundary); Jobs and PipelineRuns mount one.
  const secretSuffixes = engine === 'ansible' ? ['a', 'b'] : ['a'];
  return {
    label: options.label,
    wfeName: `xp-${base}`,
    target: `explore/Deployment/xp-${base}`,
    secrets: secretSuffixes.map((suffix) => ({
      name: `xs-${base}-${suffix}`,
      values: { password: plantedValue(random), 'tls.crt': plantedValue(random) },
    })),
    ...(engine === 'ansible' ? { templateName: `xt-${base}` } : {}),
  };
}

/** Whether a credential (by name and description) belongs to the scenario: it names one of its Secrets or its WFE. */
export function ownsCredential(identity: ScenarioIdentity, name: string, description = ''): boolean {
  return identity.secrets.some((secret) => name.includes(secret.name)) || description.includes(identity.wfeName);
}
