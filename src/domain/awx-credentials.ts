import { CREDENTIAL_TYPE_PREFIX, EPHEMERAL_CREDENTIAL_PREFIX } from './constants.ts';
import { sha256Hex } from './sha256.ts';

/**
 * How a Kubernetes Secret's keys become an AWX credential type's input fields and injected environment variables.
 * Upstream used the key verbatim as the field id and only replaced "-" in env names, so a key like "tls.crt" made an
 * invalid env name and a Jinja expression that reads an attribute (§9.2 item 6). Here every key maps explicitly to a
 * field id matching AWX's ^[a-zA-Z_][a-zA-Z0-9_]*$ and an env name of [A-Z0-9_]; plain keys map as upstream did.
 */
export interface SecretFieldMapping {
  /** The Secret's data key. */
  key: string;
  /** The credential type's input field id. */
  fieldId: string;
  /** The environment variable the playbook reads. */
  envName: string;
}

/** Upper case with every character outside [A-Z0-9_] replaced by "_" (upstream replaced only "-"). */
export function envSegment(text: string): string {
  return text.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
}

function fieldIdFor(key: string): string {
  const id = key.replace(/[^A-Za-z0-9_]/g, '_');
  const safe = /^[0-9]/.test(id) ? `_${id}` : id;
  return safe === 'tower' ? 'tower_' : safe; // "tower" is reserved by AWX
}

/** Mapping for every key, sorted by key; collisions after sanitising get a numeric suffix, deterministically. */
export function mapSecretKeys(secretName: string, keys: Iterable<string>): SecretFieldMapping[] {
  const usedIds = new Set<string>();
  const usedEnv = new Set<string>();
  const unique = (base: string, used: Set<string>, normalise: (candidate: string) => string): string => {
    let candidate = base;
    for (let suffix = 2; used.has(normalise(candidate)); suffix++) candidate = `${base}_${suffix}`;
    used.add(normalise(candidate));
    return candidate;
  };
  return [...keys].sort().map((key) => {
    const fieldId = unique(fieldIdFor(key), usedIds, (id) => id);
    const envName = unique(`KUBERNAUT_SECRET_${envSegment(secretName)}_${envSegment(fieldId)}`, usedEnv, (name) => name);
    return { key, fieldId, envName };
  });
}

/** The credential type body for a Secret's fields (kind "cloud", env injectors only: secrets never go to extra_vars). */
export function credentialTypeBody(name: string, mappings: readonly SecretFieldMapping[]) {
  return {
    name,
    kind: 'cloud',
    description: 'Managed by kubernaut: injects a Kubernetes Secret into AWX jobs as environment variables.',
    inputs: {
      fields: mappings.map(({ key, fieldId }) => ({ id: fieldId, label: key, type: 'string', secret: true })),
    },
    injectors: {
      env: Object.fromEntries(mappings.map(({ fieldId, envName }) => [envName, `{{ ${fieldId} }}`])),
    },
  };
}

export type CredentialTypeBody = ReturnType<typeof credentialTypeBody>;

/** The upstream credential type name for a Secret. */
export function credentialTypeName(secretName: string): string {
  return `${CREDENTIAL_TYPE_PREFIX}${secretName}`;
}

/** Who an ephemeral credential belongs to: one run (chain) of one execution, for one WorkflowExecution and Secret. */
export interface CredentialOwner {
  /** "<workflowId>/<runId>" of the run that created it (the first run of a continue-as-new chain). */
  createdByRun: string;
  workflowExecution: { namespace: string; name: string; uid?: string };
  /** Where the Secret was read. */
  executionNamespace: string;
}

/** The workflow ID of a "<workflowId>/<runId>" run reference. */
export function workflowIdOfRun(createdByRun: string): string {
  const slash = createdByRun.lastIndexOf('/');
  return slash < 0 ? createdByRun : createdByRun.slice(0, slash);
}

/** Every ephemeral credential of one execution (all its runs) starts with this: one prefix query finds them all. */
export function executionCredentialPrefix(workflowId: string): string {
  return `${EPHEMERAL_CREDENTIAL_PREFIX}${workflowId}-`;
}

/**
 * Deterministic per run and Secret, so a retried prepare and every cleanup find it by its exact name. The hash covers
 * the whole identity (run, WorkflowExecution namespace / name / uid, execution namespace, Secret), so names never
 * collide across namespaces or name splits; the readable parts only help a person looking at AWX.
 */
export function ephemeralCredentialName(secretName: string, owner: CredentialOwner): string {
  const identity = JSON.stringify([
    owner.createdByRun,
    owner.workflowExecution.namespace,
    owner.workflowExecution.name,
    owner.workflowExecution.uid ?? '',
    owner.executionNamespace,
    secretName,
  ]);
  const hash = sha256Hex(identity).slice(0, 16);
  return `${executionCredentialPrefix(workflowIdOfRun(owner.createdByRun))}${secretName}-${hash}`;
}

const OWNER_MARKER = 'kubernaut.ai/execution=';

/** The credential's description: what it is, and the owning run in a form the sweeper reads back. */
export function ephemeralCredentialDescription(owner: CredentialOwner): string {
  const { namespace, name } = owner.workflowExecution;
  return `Ephemeral: deleted when WorkflowExecution ${namespace}/${name} ends. ${OWNER_MARKER}${owner.createdByRun}`;
}

/** The owning run ("<workflowId>/<runId>") written by ephemeralCredentialDescription, if any. */
export function ownerRunOfDescription(description: string | undefined): string | undefined {
  const at = description?.lastIndexOf(OWNER_MARKER) ?? -1;
  if (!description || at < 0) return undefined;
  const run = description.slice(at + OWNER_MARKER.length).trim();
  return /^\S+\/\S+$/.test(run) ? run : undefined;
}

/** Whether an existing type's fields are exactly the fields wanted (ids and order-insensitive). */
export function credentialTypeMatches(existingFieldIds: readonly string[], mappings: readonly SecretFieldMapping[]): boolean {
  const wanted = mappings.map((mapping) => mapping.fieldId).sort();
  const existing = [...existingFieldIds].sort();
  return wanted.length === existing.length && wanted.every((id, index) => id === existing[index]);
}
