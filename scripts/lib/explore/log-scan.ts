/**
 * The worker log pass, once every scenario is done (a late line still counts): a scenario's Secret values in any
 * line are its violation; the AWX token is pinned on the scenarios a line names, or reported on its own.
 */
import type { ScenarioResult } from './scenario.ts';
import type { LogLine } from './workers.ts';

/** Adds log findings to the scenarios' violations; returns the findings no scenario could be named for. */
export function scanWorkerLogs(results: ScenarioResult[], lines: readonly LogLine[], awxToken: string): string[] {
  const unattributed: string[] = [];
  const found = new Map<ScenarioResult, Set<string>>();
  const note = (result: ScenarioResult, what: string) => {
    const whats = found.get(result) ?? new Set<string>();
    whats.add(what);
    found.set(result, whats);
  };
  // Planted values start with "xv", so their base64 starts with "eH": other lines cannot hold one.
  const candidates = lines.filter((line) => line.text.includes('xv') || line.text.includes('eH') || line.text.includes(awxToken));
  for (const line of candidates) {
    for (const result of results) {
      for (const needle of result.needles) {
        if (needle.text !== awxToken && line.text.includes(needle.text)) note(result, needle.what);
      }
    }
    if (!line.text.includes(awxToken)) continue;
    const named = results.filter(
      (result) =>
        line.text.includes(result.identity.wfeName) || (result.identity.workflowId && line.text.includes(result.identity.workflowId)),
    );
    for (const result of named) note(result, 'the AWX token');
    if (named.length === 0) unattributed.push(`the AWX token in a log line of ${line.worker}`);
  }
  for (const [result, whats] of found) {
    result.violations.push(`secret in the worker log: ${[...whats].join(', ')}`);
    if (result.verdict === 'ok') result.verdict = 'violation';
  }
  return unattributed;
}
