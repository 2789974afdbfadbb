/** AWX's error bodies: Django REST framework's {"detail": …} or field errors, and how disturbed calls are answered. */
import type { ErrorBodies } from '../http-server.ts';

export class HttpError extends Error {
  readonly status: number;
  readonly body: unknown;
  constructor(status: number, body: unknown) {
    super(`AWX sandbox ${status}`);
    this.status = status;
    this.body = body;
  }
}

export const notFound = () => new HttpError(404, { detail: 'Not found.' });
export const badRequest = (body: unknown) => new HttpError(400, body);

const SERVER_ERROR = 'A server error has occurred.';
const PERMISSION_DENIED = 'You do not have permission to perform this action.';

/** The detail AWX gives with each status an intercepted call may be answered with. */
const INTERCEPTED_DETAIL: Record<number, string> = {
  400: 'Bad request.',
  403: PERMISSION_DENIED,
  404: 'Not found.',
  409: 'Conflict: the resource was modified by another request.',
  500: SERVER_ERROR,
};

export const awxErrorBodies: ErrorBodies = {
  intercepted: (status) => ({ detail: INTERCEPTED_DETAIL[status] ?? 'Intercepted.' }),
  scripted: (status) => ({ detail: status === 403 ? PERMISSION_DENIED : SERVER_ERROR }),
  injected: () => ({ detail: SERVER_ERROR }),
  internal: (message) => ({ detail: `sandbox error: ${message}` }),
};
