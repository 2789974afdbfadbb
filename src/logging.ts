/**
 * Structured JSON log lines (one object per line) for the worker and the Temporal runtime. Activity logs carry the
 * workflow and activity identity Temporal attaches; ours add the execution identity. Never pass secret values.
 */
import { DefaultLogger, type LogEntry, type LogLevel } from '@temporalio/worker';

/** Attributes never written: an activity's task token lets whoever holds it complete or fail the activity. */
const WITHHELD = new Set(['taskToken']);

function toJson(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  // The stack is kept: an error without it cannot be traced to its line.
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  return value;
}

export function formatLogEntry(entry: LogEntry): string {
  const time = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString();
  const meta = Object.fromEntries(
    Object.entries(entry.meta ?? {})
      .filter(([key]) => !WITHHELD.has(key))
      .map(([key, value]) => [key, toJson(value)]),
  );
  return `${JSON.stringify({ time, level: entry.level, message: entry.message, ...meta })}\n`;
}

/** A Temporal logger that writes JSON lines to the given sink (stdout by default). */
export function createJsonLogger(level: LogLevel, sink: (line: string) => void = (line) => process.stdout.write(line)): DefaultLogger {
  return new DefaultLogger(level, (entry) => sink(formatLogEntry(entry)));
}
