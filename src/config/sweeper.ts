/** The orphan sweeper's schedule and bounds. */
import type { SweeperConfig } from '../config.ts';
import { isDnsLabel } from '../domain/labels.ts';
import type { Reader } from './reader.ts';

export function sweeperConfig(reader: Reader, executionNamespace: string): SweeperConfig {
  const extra = (reader.text('SWEEPER_NAMESPACES') ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  for (const name of extra) if (!isDnsLabel(name)) reader.problems.push(`SWEEPER_NAMESPACES: "${name}" is not a namespace name`);
  return {
    schedule: reader.flag('SWEEPER_SCHEDULE', true),
    intervalMs: reader.integer('SWEEPER_INTERVAL_MS', 5 * 60_000, 10_000, 86_400_000),
    graceMs: reader.integer('SWEEPER_GRACE_MS', 10 * 60_000, 0, 7 * 86_400_000),
    namespaces: [...new Set([executionNamespace, ...extra])],
    maxActions: reader.integer('SWEEPER_MAX_ACTIONS', 200, 1, 10_000),
  };
}
