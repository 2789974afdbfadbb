import { BackendError, CleanupIncompleteError } from '../../domain/errors.ts';

/** What an AWX cleanup could not do, collected so every step is tried before the failure is reported. */
export class CleanupProblems {
  private readonly messages: string[] = [];
  private readonly left: string[] = [];
  private retryable = false;

  add(what: string, error: unknown): void {
    this.messages.push(`${what}: ${(error as Error).message}`);
    this.left.push(what.replace(/^(cancel|delete|find) /, ''));
    this.retryable ||= !(error instanceof BackendError) || error.retryable;
  }

  /** Retried while any failure could pass (transport, 5xx); refusals only (401, 403) end it: the sweeper takes over. */
  throwIfAny(summary: string): void {
    if (this.messages.length > 0)
      throw new CleanupIncompleteError(`${summary}: ${this.messages.join('; ')}`, { retryable: this.retryable, left: this.left });
  }
}
