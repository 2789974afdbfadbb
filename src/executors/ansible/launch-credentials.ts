/** The credentials a launch sends: the template's own and the execution's ephemeral ones (UT-WE-365-001/002/003). */
import type { AwxClient, AwxCredential } from '../../clients/awx-types.ts';
import { BackendError } from '../../domain/errors.ts';
import { withContext } from './credentials.ts';

/**
 * Template credentials first, then the ephemeral ones, without duplicates. A template credential of the same type as
 * an ephemeral one is left out: AWX refuses two credentials of one type ("Cannot assign multiple … credentials"),
 * and lets a launch replace the template's credential of a type when credentials are prompted for.
 */
export async function launchCredentials(awx: AwxClient, templateId: number, ephemeral: number[]): Promise<number[]> {
  if (ephemeral.length === 0) return [];
  let templateCredentials: AwxCredential[] = [];
  try {
    templateCredentials = await awx.getJobTemplateCredentials(templateId);
  } catch (error) {
    // A transient failure is retried rather than launching without the template's own credentials, which AWX refuses
    // ("Removing … credential at launch time without replacement"); a refusal to list them degrades as upstream did.
    if (!(error instanceof BackendError) || error.retryable) throw withContext(`get credentials of AWX job template ${templateId}`, error);
  }
  const replaced = templateCredentials.length > 0 ? await credentialTypesOf(awx, ephemeral) : new Set<number>();
  const kept = templateCredentials
    .filter((credential) => ephemeral.includes(credential.id) || !replaced.has(credential.credential_type))
    .map((credential) => credential.id);
  return [...new Set([...kept, ...ephemeral])];
}

/** The credential types of the ephemeral credentials (one that is gone has none: the launch then names it). */
async function credentialTypesOf(awx: AwxClient, ids: number[]): Promise<Set<number>> {
  const types = new Set<number>();
  for (const id of ids) {
    const credential = await awx.getCredential(id).catch((error) => {
      throw withContext(`read ephemeral AWX credential ${id}`, error);
    });
    if (credential) types.add(credential.credential_type);
  }
  return types;
}
