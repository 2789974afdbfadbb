/**
 * Typed errors. Each `type` is also the Temporal failure type, so a caller in any language can branch on it.
 * `retryable` says whether trying the same call again could succeed.
 */

export const FailureType = {
  /** The request is malformed; nothing was created. */
  InvalidExecutionRequest: 'InvalidExecutionRequest',
  /** Another execution holds the target's lock (DD-WE-003). */
  ExecutionLocked: 'ExecutionLocked',
  /** The execution's engine is not registered on this worker. */
  UnsupportedEngine: 'UnsupportedEngine',
  /** A dependency or backend object the execution needs is missing or unusable (Secret, ConfigMap, job template). */
  ConfigurationError: 'ConfigurationError',
  /** The backend refused the request in a way retrying cannot fix (400, 401, 403, 404, 422, …). */
  BackendRejected: 'BackendRejected',
  /** The backend could not be reached or failed transiently (transport errors, 5xx, 429). */
  BackendUnavailable: 'BackendUnavailable',
  /** The execution did not finish within its timeout. */
  DeadlineExceeded: 'DeadlineExceeded',
  /** The execution was cancelled by request. */
  Cancelled: 'Cancelled',
  /** BR-WE-007: the execution resource disappeared while it was being watched. */
  ResourceDeletedExternally: 'ResourceDeletedExternally',
  /** Cleanup could not remove everything; what is left belongs to the orphan sweeper. */
  CleanupIncomplete: 'CleanupIncomplete',
  /** The workflow was started under an ID that is not its target's deterministic name (the lock would not hold). */
  WorkflowIdMismatch: 'WorkflowIdMismatch',
} as const;
export type FailureTypeName = (typeof FailureType)[keyof typeof FailureType];

export class ExecutionError extends Error {
  readonly type: string;
  readonly retryable: boolean;
  constructor(type: string, message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = type;
    this.type = type;
    this.retryable = options.retryable ?? false;
  }
}

/** The backend resource (or AWX job) is held by another workflow; the failure type stays `ExecutionLocked`. */
export class ResourceLockedError extends ExecutionError {
  constructor(message: string) {
    super(FailureType.ExecutionLocked, message);
  }
}

/** Cleanup could not remove everything: `left` names what remains (the sweeper removes it once the run has closed). */
export class CleanupIncompleteError extends ExecutionError {
  readonly left: string[];
  constructor(message: string, options: { retryable: boolean; left: string[] }) {
    super(FailureType.CleanupIncomplete, message, { retryable: options.retryable });
    this.left = options.left;
  }
}

export class ConfigurationError extends ExecutionError {
  constructor(message: string, cause?: unknown) {
    super(FailureType.ConfigurationError, message, { cause });
  }
}

/** HTTP statuses worth retrying: timeouts, throttling and server-side failures. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * A backend answer as an error: retryable for transport failures and 408/429/5xx, BackendRejected otherwise. A state
 * that waiting may change (an object still being deleted) says so with `retryable`, not with an invented status.
 */
export class BackendError extends ExecutionError {
  readonly status: number | undefined;
  constructor(message: string, status: number | undefined, cause?: unknown, options: { retryable?: boolean } = {}) {
    const retryable = options.retryable ?? (status === undefined || isRetryableStatus(status));
    super(retryable ? FailureType.BackendUnavailable : FailureType.BackendRejected, message, { retryable, cause });
    this.status = status;
  }

  /** Not now, but likely soon: retried with backoff. */
  static transient(message: string): BackendError {
    return new BackendError(message, undefined, undefined, { retryable: true });
  }
}
