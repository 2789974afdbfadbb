/** Creating credential types and credentials, with the validation and the error bodies AWX answers with. */
import { now } from '../clock.ts';
import { badRequest } from './errors.ts';
import type { Credential, CredentialType } from './model.ts';
import type { AwxStore } from './store.ts';

const FIELD_ID = /^[a-zA-Z_]+[a-zA-Z0-9_]*$/;
const ENV_NAME = /^[a-zA-Z_]+[a-zA-Z0-9_]*$/;

export function createCredentialType(store: AwxStore, body: Record<string, unknown>): CredentialType {
  const errors: Record<string, string[]> = {};
  const complain = (field: string, message: string): void => {
    errors[field] = [...(errors[field] ?? []), message];
  };
  const name = typeof body.name === 'string' ? body.name : '';
  if (!name) errors.name = ['This field is required.'];
  const kind = String(body.kind ?? '');
  if (kind !== 'cloud' && kind !== 'net') errors.kind = [`Must be 'cloud' or 'net', not ${kind}`];
  const inputs = (body.inputs ?? {}) as CredentialType['inputs'];
  const ids = (inputs.fields ?? []).map((field) => field.id);
  for (const id of ids) {
    if (!FIELD_ID.test(id) || id === 'tower') complain('inputs', `${id} is an invalid variable name`);
  }
  if (new Set(ids).size !== ids.length) complain('inputs', 'field IDs must be unique');
  const injectors = (body.injectors ?? {}) as CredentialType['injectors'];
  for (const key of Object.keys(injectors))
    if (!['env', 'extra_vars', 'file'].includes(key)) complain('injectors', `'${key}' is not a valid injector`);
  for (const [envName, template] of Object.entries(injectors.env ?? {})) {
    if (!ENV_NAME.test(envName) || envName.startsWith('ANSIBLE_'))
      complain('injectors', `${envName} is not a valid environment variable name`);
    for (const [, variable] of String(template).matchAll(/\{\{\s*([^}\s]+)\s*\}\}/g)) {
      if (!ids.includes(variable ?? '')) complain('injectors', `${variable} uses an undefined field (${variable} is undefined)`);
    }
  }
  if ([...store.credentialTypes.values()].some((type) => type.name === name && type.kind === kind)) {
    errors.__all__ = ['Credential type with this Name and Kind already exists.'];
  }
  if (Object.keys(errors).length > 0) throw badRequest(errors);
  const type: CredentialType = {
    id: store.nextId.credentialType++,
    name,
    kind,
    managed: false,
    namespace: null,
    description: String(body.description ?? ''),
    inputs,
    injectors,
    created: now(),
  };
  store.credentialTypes.set(type.id, type);
  return type;
}

export function createCredential(store: AwxStore, body: Record<string, unknown>): Credential {
  const owners = ['organization', 'user', 'team'].filter((field) => body[field] !== undefined && body[field] !== null);
  if (owners.length === 0) throw badRequest({ detail: "Missing 'user', 'team', or 'organization'." });
  if (owners.length > 1)
    throw badRequest({ detail: `Only one of 'user', 'team', or 'organization' should be provided, received ${owners.length} fields.` });
  const name = typeof body.name === 'string' ? body.name : '';
  if (!name) throw badRequest({ name: ['This field is required.'] });
  const type = store.credentialTypes.get(Number(body.credential_type));
  if (!type) throw badRequest({ credential_type: [`Invalid pk "${body.credential_type}" - object does not exist.`] });
  const inputs = (body.inputs ?? {}) as Record<string, unknown>;
  const allowed = new Set((type.inputs.fields ?? []).map((field) => field.id));
  const unknown = Object.keys(inputs).filter((key) => !allowed.has(key));
  if (unknown.length > 0) {
    // AWX validates inputs with a JSON schema and answers with jsonschema's message.
    const names = unknown.map((key) => `'${key}'`).join(', ');
    throw badRequest({
      inputs: [`Additional properties are not allowed (${names} ${unknown.length === 1 ? 'was' : 'were'} unexpected)`],
    });
  }
  if (Object.values(inputs).some((value) => value === '$encrypted$'))
    throw badRequest({ inputs: ['$encrypted$ is a reserved keyword and may not be used'] });
  const credential: Credential = {
    id: store.nextId.credential++,
    name,
    description: String(body.description ?? ''),
    credential_type: type.id,
    organization: body.organization === undefined ? null : Number(body.organization),
    managed: false,
    inputs: Object.fromEntries(Object.entries(inputs).map(([key, value]) => [key, String(value)])),
    created: now(),
  };
  store.credentials.set(credential.id, credential);
  store.credentialCreates.set(name, (store.credentialCreates.get(name) ?? 0) + 1);
  return credential;
}
