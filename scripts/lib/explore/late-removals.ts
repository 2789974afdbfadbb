/**
 * Charges to a scenario what someone else removed after its execution had closed: the scenario needed no sweep, so
 * its own cleanup should have left nothing, and whatever a sweep for another scenario cleared after the close was
 * left behind. A call the owner itself sent before closing and that landed late is not counted (it arrived before).
 */
import { ownsCredential } from './identity.ts';
import type { Removal } from './removal-journal.ts';
import type { ScenarioResult } from './scenario.ts';

function belongsTo(result: ScenarioResult, removal: Removal): boolean {
  const { identity } = result;
  if (removal.kubeName !== undefined) return removal.kubeName === result.resourceName;
  if (removal.credentialName !== undefined) return ownsCredential(identity, removal.credentialName, removal.credentialDescription);
  return removal.jobTemplateId !== undefined && removal.jobTemplateId === identity.templateId;
}

export function chargeLateRemovals(results: ScenarioResult[], removals: readonly Removal[]): void {
  for (const result of results) {
    const closedAt = result.closedAt;
    if (closedAt === undefined || result.sweep !== 'none' || result.verdict === 'not-reached' || result.verdict === 'error') continue;
    // What the scenario's own check already found left is not charged twice.
    const late = removals.filter(
      (removal) =>
        removal.arrivedAt > closedAt &&
        belongsTo(result, removal) &&
        !result.violations.some((violation) => violation.includes(removal.key)),
    );
    if (late.length === 0) continue;
    const seconds = (removal: Removal) => ((removal.arrivedAt - closedAt) / 1000).toFixed(1);
    result.violations.push(
      `left at close, removed later by another caller (a sweep): ${late.map((removal) => `${removal.what} +${seconds(removal)} s`).join(', ')}`,
    );
    result.verdict = 'violation';
  }
}
