/** AWX's error answers as typed errors, and their bodies summarised without echoing what was sent (secret inputs). */
import { BackendError } from '../domain/errors.ts';

/** An AWX answer that was not the expected one. `status` undefined = transport failure. */
export class AwxError extends BackendError {
  readonly operation: string;
  constructor(operation: string, message: string, status: number | undefined, cause?: unknown) {
    super(`AWX ${operation}: ${message}`, status, cause);
    this.operation = operation;
  }
}

/** A short, single-line summary of an error body: its detail, or its field errors, at most 300 characters. */
export function summarize(text: string): string {
  let summary = text;
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    summary = typeof body.detail === 'string' ? body.detail : JSON.stringify(body);
  } catch {
    summary = text.replace(/<[^>]+>/g, ' ');
  }
  summary = summary.replace(/\s+/g, ' ').trim();
  return summary.length > 300 ? `${summary.slice(0, 300)}…` : summary || '(empty body)';
}

/** For bodies that may echo secret inputs: only the names of the fields AWX complained about. */
export function summarizeKeys(text: string): string {
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    if (typeof body.detail === 'string') return summarize(text);
    const fields = Object.entries(body).map(([key, value]) =>
      key === 'inputs' && value && typeof value === 'object' ? `inputs(${Object.keys(value).join(', ')})` : key,
    );
    return `invalid fields: ${fields.join(', ') || '(none named)'}`;
  } catch {
    return '(body withheld: it may echo secret inputs)';
  }
}
