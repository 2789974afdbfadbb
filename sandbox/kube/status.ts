/** metav1.Status bodies, as apimachinery's errors package builds them (reference B2). */
import type { ErrorBodies } from '../http-server.ts';

export interface ResourceNames {
  /** Plural, e.g. "jobs". */
  plural: string;
  /** API group; "" for the core group. */
  group: string;
  kind: string;
}

export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: Record<string, unknown>;
  code: number;
}

/** "jobs.batch" / "secrets" / "pipelineruns.tekton.dev", as errors name a resource. */
export function qualifiedResource(resource: ResourceNames): string {
  return resource.group ? `${resource.plural}.${resource.group}` : resource.plural;
}

function failure(code: number, reason: string, message: string, details?: Record<string, unknown>): StatusBody {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

function detailsFor(resource: ResourceNames, name: string): Record<string, unknown> {
  return { name, ...(resource.group ? { group: resource.group } : {}), kind: resource.plural };
}

export const statusErrors = {
  notFound: (resource: ResourceNames, name: string) =>
    failure(404, 'NotFound', `${qualifiedResource(resource)} "${name}" not found`, detailsFor(resource, name)),
  alreadyExists: (resource: ResourceNames, name: string) =>
    failure(409, 'AlreadyExists', `${qualifiedResource(resource)} "${name}" already exists`, detailsFor(resource, name)),
  conflict: (resource: ResourceNames, name: string) =>
    failure(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${qualifiedResource(resource)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      detailsFor(resource, name),
    ),
  invalid: (
    resource: ResourceNames & { custom?: boolean },
    name: string,
    causes: { field: string; message: string; reason?: string }[],
  ) => {
    const texts = causes.map((cause) => `${cause.field}: ${cause.message}`);
    const joined = texts.length === 1 ? texts[0] : `[${texts.join(', ')}]`;
    // Built-ins are named by Kind ("Job.batch"), custom resources by resource ("pipelineruns.tekton.dev").
    const kindGroup = resource.custom ? qualifiedResource(resource) : resource.group ? `${resource.kind}.${resource.group}` : resource.kind;
    return failure(422, 'Invalid', `${kindGroup} "${name}" is invalid: ${joined}`, {
      name,
      ...(resource.group ? { group: resource.group } : {}),
      kind: resource.kind,
      causes: causes.map((cause) => ({ reason: cause.reason ?? 'FieldValueInvalid', message: cause.message, field: cause.field })),
    });
  },
  preconditionFailed: (resource: ResourceNames, name: string, expected: string, actual: string) =>
    failure(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${resource.group ? `${resource.kind}.${resource.group}` : resource.kind} "${name}": the UID in the precondition (${expected}) does not match the UID in record (${actual}). The object might have been deleted and then recreated`,
      { name, ...(resource.group ? { group: resource.group } : {}), kind: resource.kind },
    ),
  /** A PUT naming another UID: the object's UID is the update's precondition (409, worded by the storage layer). */
  uidPreconditionFailed: (resource: ResourceNames & { custom?: boolean }, namespace: string, name: string, sent: string, actual: string) =>
    failure(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${qualifiedResource(resource)} "${name}": StorageError: invalid object, Code: 4, Key: /registry/${resource.custom ? `${resource.group}/` : ''}${resource.plural}/${namespace}/${name}, ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: UID in precondition: ${sent}, UID in object meta: ${actual}`,
      detailsFor(resource, name),
    ),
  /** A patch that changes metadata.uid: refused by the object-meta update validation (named by Kind, also for custom resources). */
  uidImmutable: (resource: ResourceNames, name: string, sent: string) => {
    const message = `Invalid value: "${sent}": field is immutable`;
    return failure(
      422,
      'Invalid',
      `${resource.group ? `${resource.kind}.${resource.group}` : resource.kind} "${name}" is invalid: metadata.uid: ${message}`,
      {
        name,
        ...(resource.group ? { group: resource.group } : {}),
        kind: resource.kind,
        causes: [{ reason: 'FieldValueInvalid', message, field: 'metadata.uid' }],
      },
    );
  },
  badRequest: (message: string) => failure(400, 'BadRequest', message),
  unauthorized: () => failure(401, 'Unauthorized', 'Unauthorized'),
  forbidden: (message: string) => failure(403, 'Forbidden', message),
  methodNotAllowed: () => failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource'),
  unsupportedMediaType: (contentType: string) =>
    failure(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml; got ${contentType}`,
    ),
  internal: (message: string) => failure(500, 'InternalError', `Internal error occurred: ${message}`),
  namespaceNotFound: (namespace: string) =>
    failure(404, 'NotFound', `namespaces "${namespace}" not found`, { name: namespace, kind: 'namespaces' }),
};

export function successStatus(resource: ResourceNames, name: string, uid: string): StatusBody {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { ...detailsFor(resource, name), uid }, code: 200 };
}

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
};
const reasonFor = (code: number): string => REASONS[code] ?? 'Unknown';

/** The Status a disturbed call is answered with: an intercepted 409 on a create is AlreadyExists, as the API server says it. */
export const disturbedStatus: ErrorBodies = {
  intercepted(code, { method, body }) {
    let name = '';
    try {
      name = String((JSON.parse(body) as { metadata?: { name?: string } }).metadata?.name ?? '');
    } catch {}
    const reason = code === 409 && method === 'POST' ? 'AlreadyExists' : reasonFor(code);
    return failure(code, reason, `intercepted: ${reason}${name ? ` (${name})` : ''}`, name ? { name } : undefined);
  },
  scripted: (code) => failure(code, reasonFor(code), `scripted ${code}`),
  injected: () => statusErrors.internal('injected fault'),
  internal: (message) => statusErrors.internal(message),
};

/** A path that names no resource. */
export const unknownPathStatus = (): StatusBody => failure(404, 'NotFound', 'the server could not find the requested resource', {});
