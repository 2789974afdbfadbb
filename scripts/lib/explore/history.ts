/**
 * One run's history as `temporal workflow show --output json` prints it: how the run closed (and with which failure
 * type), the run it continued as, and its text with every payload decoded — payloads are base64 there, so a secret
 * inside one would not show in the raw text.
 */

export type CloseKind = 'COMPLETED' | 'FAILED' | 'CANCELED' | 'TERMINATED' | 'CONTINUED_AS_NEW' | 'TIMED_OUT' | 'RUNNING';

export interface RunHistory {
  close: CloseKind;
  /** FAILED: the failure's type ('' when it has none) and message. */
  failureType?: string;
  failureMessage?: string;
  /** CONTINUED_AS_NEW: the next run. */
  continuedAs?: string;
  /** The raw JSON followed by every decoded payload, for leak scans. */
  searchableText: string;
}

interface HistoryEvent {
  eventType?: string;
  workflowExecutionFailedEventAttributes?: { failure?: Failure };
  workflowExecutionContinuedAsNewEventAttributes?: { newExecutionRunId?: string };
}
interface Failure {
  message?: string;
  applicationFailureInfo?: { type?: string };
  cause?: Failure;
}

const CLOSE_EVENTS: Record<string, CloseKind> = {
  EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED: 'COMPLETED',
  EVENT_TYPE_WORKFLOW_EXECUTION_FAILED: 'FAILED',
  EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED: 'CANCELED',
  EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED: 'TERMINATED',
  EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW: 'CONTINUED_AS_NEW',
  EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT: 'TIMED_OUT',
};

/** Every payload's data, decoded (a payload is any object with `metadata.encoding` and base64 `data`). */
export function decodedPayloads(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) {
    for (const item of value) decodedPayloads(item, found);
  } else if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const metadata = record.metadata as Record<string, unknown> | undefined;
    if (typeof record.data === 'string' && metadata && typeof metadata === 'object' && 'encoding' in metadata) {
      found.push(Buffer.from(record.data, 'base64').toString('utf8'));
    }
    for (const child of Object.values(record)) decodedPayloads(child, found);
  }
  return found;
}

export function parseRunHistory(json: string): RunHistory {
  const document = JSON.parse(json) as { events?: HistoryEvent[] };
  const events = document.events ?? [];
  const last = events.at(-1);
  const close = CLOSE_EVENTS[last?.eventType ?? ''] ?? 'RUNNING';
  const failure = last?.workflowExecutionFailedEventAttributes?.failure;
  const continuedAs = last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
  return {
    close,
    ...(failure ? { failureType: failure.applicationFailureInfo?.type ?? '', failureMessage: failure.message ?? '' } : {}),
    ...(continuedAs ? { continuedAs } : {}),
    searchableText: [json, ...decodedPayloads(document)].join('\n'),
  };
}
