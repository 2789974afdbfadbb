/**
 * Ephemeral AWX credentials built from Kubernetes Secrets (reference §6.4), made idempotent and leak-free:
 * a credential type per Secret (found, or created; a create that loses a race finds the winner; "create" only on a
 * real not-found), a credential per run and Secret with a name derived from the whole identity (found by name on a
 * retry), and every credential of an execution found again for its cleanup.
 */
import { createHash } from 'node:crypto';
import { AwxError } from '../../clients/awx.ts';
import type { AwxClient } from '../../clients/awx-types.ts';
import {
  type CredentialOwner,
  credentialTypeBody,
  credentialTypeMatches,
  credentialTypeName,
  ephemeralCredentialDescription,
  ephemeralCredentialName,
  executionCredentialPrefix,
  ownerRunOfDescription,
  type SecretFieldMapping,
  workflowIdOfRun,
} from '../../domain/awx-credentials.ts';
import { BackendError, ExecutionError } from '../../domain/errors.ts';
import type { CleanupProblems } from './cleanup-problems.ts';

/** Rewraps an error with what was being done, keeping its type, status and retryability. */
export function withContext(context: string, error: unknown): Error {
  if (error instanceof BackendError) return new BackendError(`${context}: ${error.message}`, error.status, error);
  if (error instanceof ExecutionError)
    return new ExecutionError(error.type, `${context}: ${error.message}`, { retryable: error.retryable, cause: error });
  return new BackendError(`${context}: ${(error as Error)?.message ?? String(error)}`, undefined, error);
}

/**
 * The credential type for a Secret's fields: upstream's `kubernaut-secret-<secret>` when its fields match; when the
 * Secret's keys changed, a type named after the new field set (`…-<hash>`), so credentials of running executions
 * keep the type they were made with (§9.2 item 3).
 */
export async function ensureCredentialType(awx: AwxClient, secretName: string, mappings: SecretFieldMapping[]): Promise<number> {
  const baseName = credentialTypeName(secretName);
  const existing = await awx.findCredentialTypeByName(baseName);
  const fieldIds = (type: { inputs?: { fields?: { id: string }[] } }) => (type.inputs?.fields ?? []).map((field) => field.id);
  if (existing && credentialTypeMatches(fieldIds(existing), mappings)) return existing.id;
  const fingerprint = createHash('sha256')
    .update(
      mappings
        .map((mapping) => mapping.fieldId)
        .sort()
        .join('\n'),
    )
    .digest('hex')
    .slice(0, 8);
  const name = existing ? `${baseName}-${fingerprint}` : baseName;
  if (existing) {
    const versioned = await awx.findCredentialTypeByName(name);
    if (versioned) return versioned.id;
  }
  try {
    return await awx.createCredentialType(credentialTypeBody(name, mappings));
  } catch (error) {
    // Lost a race with a concurrent execution (AWX: "Credential type with this Name and Kind already exists"): use the winner.
    if (error instanceof AwxError && error.status === 400) {
      const winner = await awx.findCredentialTypeByName(name);
      if (winner && credentialTypeMatches(fieldIds(winner), mappings)) return winner.id;
    }
    throw error;
  }
}

export interface EphemeralCredentialInput {
  secretName: string;
  owner: CredentialOwner;
  credentialTypeId: number;
  organizationId: number;
  mappings: SecretFieldMapping[];
  /** Secret values by Secret key: sent to AWX only. */
  values: Record<string, string>;
}

/** Finds this run's credential for a Secret by its exact name, or creates it. */
export async function ensureEphemeralCredential(
  awx: AwxClient,
  input: EphemeralCredentialInput,
): Promise<{ id: number; created: boolean }> {
  const name = ephemeralCredentialName(input.secretName, input.owner);
  const existing = (await awx.findCredentialsByName(name)).find((credential) => credential.credential_type === input.credentialTypeId);
  if (existing) return { id: existing.id, created: false };
  const id = await awx.createCredential({
    name,
    credential_type: input.credentialTypeId,
    organization: input.organizationId,
    description: ephemeralCredentialDescription(input.owner),
    inputs: Object.fromEntries(input.mappings.map((mapping) => [mapping.fieldId, input.values[mapping.key] ?? ''])),
  });
  return { id, created: true };
}

/**
 * Every ephemeral credential of one execution, made by any of its runs: one prefix query on the execution's workflow
 * ID, then the owner written in each description must name that same workflow ID (the whole identity, not a prefix).
 * Only one run of a workflow ID is open at a time, so whoever cleans up owns them all.
 */
export async function findExecutionCredentials(awx: AwxClient, workflowId: string): Promise<number[]> {
  const candidates = await awx.findCredentialsByPrefix(executionCredentialPrefix(workflowId));
  return candidates
    .filter((credential) => {
      const owner = ownerRunOfDescription(credential.description);
      return owner !== undefined && workflowIdOfRun(owner) === workflowId;
    })
    .map((credential) => credential.id);
}

/** Deletes the recorded credentials and every other credential owned by the execution; failures go to `problems`. */
export async function deleteExecutionCredentials(
  awx: AwxClient,
  problems: CleanupProblems,
  input: { known: number[]; workflowId?: string },
): Promise<{ deleted: number; orphans: number }> {
  const known = new Set(input.known);
  let found: number[] = [];
  if (input.workflowId) {
    try {
      found = await findExecutionCredentials(awx, input.workflowId);
    } catch (error) {
      problems.add('find ephemeral credentials by owner', error);
    }
  }
  let deleted = 0;
  for (const id of new Set([...known, ...found])) {
    try {
      if ((await awx.deleteCredential(id)) === 'deleted') deleted++;
    } catch (error) {
      problems.add(`delete ephemeral credential ${id}`, error);
    }
  }
  return { deleted, orphans: found.filter((id) => !known.has(id)).length };
}
