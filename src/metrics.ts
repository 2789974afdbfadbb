/**
 * The worker's own metrics, exported by the Temporal runtime's Prometheus endpoint beside the SDK's
 * (names are documented in the README's operations section).
 */
import type { MetricMeter } from '@temporalio/common';

export const METRIC = {
  executionsStarted: 'kubernaut_executions_started',
  executionsFinished: 'kubernaut_executions_finished',
  /** Histogram: seconds from start to end, by engine and outcome. */
  executionDuration: 'kubernaut_execution_duration',
  cleanupFailures: 'kubernaut_cleanup_failures',
  /** Executions that ended with something left for the orphan sweeper. */
  cleanupIncomplete: 'kubernaut_cleanup_incomplete',
  sweeperDeleted: 'kubernaut_sweeper_removed',
  sweeperFailures: 'kubernaut_sweeper_failures',
  credentialsCreated: 'kubernaut_ephemeral_credentials_created',
  credentialsDeleted: 'kubernaut_ephemeral_credentials_deleted',
  orphanedCredentialsFound: 'kubernaut_orphaned_credentials_found',
  backendErrors: 'kubernaut_backend_api_errors',
} as const;

export function count(meter: MetricMeter, name: string, value: number, tags: Record<string, string | number | boolean> = {}): void {
  if (value <= 0) return;
  meter.createCounter(name, '1').add(value, tags);
}
