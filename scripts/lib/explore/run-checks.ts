/**
 * Checks over a closed execution's runs: each closed with a typed reason (a failure type, Cancelled, Terminated), and
 * no secret in any run's history, in the status query or in the CLI's `status` output.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../paths.ts';
import { parseRunHistory, type RunHistory } from './history.ts';
import { leaksIn, type Needle } from './leaks.ts';
import { Semaphore } from './semaphore.ts';
import type { World } from './world.ts';

const run = promisify(execFile);
/** Failure types that name no reason: what a failure gets when nothing typed it. */
const UNTYPED = new Set(['', 'Error', 'ActivityFailed', 'ActivityFailure', 'ExecutionFailed', 'WorkflowFailed']);
const cliSlots = new Semaphore(2);

export interface RunsVerdict {
  histories: RunHistory[];
  violations: string[];
  /** How the newest run ended, for the table: Completed, Failed:<type>, Cancelled, Terminated. */
  outcome: string;
}

export function outcomeOf(history: RunHistory | undefined): string {
  switch (history?.close) {
    case 'COMPLETED':
      return 'Completed';
    case 'FAILED':
      return `Failed:${history.failureType || '?'}`;
    case 'CANCELED':
      return 'Cancelled';
    case 'TERMINATED':
      return 'Terminated';
    case 'TIMED_OUT':
      return 'TimedOut';
    default:
      return history?.close ?? 'unknown';
  }
}

/** Reads every run's history (following continue-as-new) and judges how each closed and what it holds. */
export async function checkRuns(world: World, workflowId: string, runIds: string[], needles: readonly Needle[]): Promise<RunsVerdict> {
  const histories: RunHistory[] = [];
  const violations: string[] = [];
  const queue = [...runIds];
  for (let index = 0; index < queue.length; index++) {
    const runId = queue[index] as string;
    let history: RunHistory;
    try {
      history = parseRunHistory(await world.cli.show(workflowId, runId));
    } catch (error) {
      violations.push(`history of run ${index + 1} unreadable: ${(error as Error).message.split('\n')[0]}`);
      continue;
    }
    histories.push(history);
    if (history.continuedAs && !queue.includes(history.continuedAs)) queue.push(history.continuedAs);
    const run = `run ${index + 1}`;
    if (history.close === 'RUNNING') violations.push(`${run} still running`);
    if (history.close === 'TIMED_OUT') violations.push(`${run} closed TIMED_OUT (no typed reason)`);
    if (history.close === 'FAILED' && UNTYPED.has(history.failureType ?? ''))
      violations.push(`${run} failed without a typed reason (type "${history.failureType}": ${history.failureMessage?.slice(0, 160)})`);
    const leaks = leaksIn(history.searchableText, needles);
    if (leaks.length > 0) violations.push(`secret in the history of ${run}: ${leaks.join(', ')}`);
  }
  return { histories, violations, outcome: outcomeOf(histories.at(-1)) };
}

/** Each run's status query and the CLI's `status` output (`node src/cli.ts status <id> -o json`: the newest run). */
export async function checkStatusViews(
  world: World,
  workflowId: string,
  runIds: readonly string[],
  taskQueue: string,
  needles: readonly Needle[],
): Promise<{ violations: string[]; notes: string[] }> {
  const violations: string[] = [];
  const notes: string[] = [];
  for (const [index, runId] of runIds.entries()) {
    try {
      const status = await world.temporal.workflow.getHandle(workflowId, runId).query('status');
      const leaks = leaksIn(JSON.stringify(status), needles);
      if (leaks.length > 0) violations.push(`secret in the status query of run ${index + 1}: ${leaks.join(', ')}`);
    } catch (error) {
      // A query needs a worker to replay the run; the history and what the CLI prints are checked all the same.
      notes.push(`status query of run ${index + 1} failed: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  const env: Record<string, string | undefined> = {
    ...process.env,
    TEMPORAL_ADDRESS: world.address,
    TEMPORAL_NAMESPACE: world.namespace,
    TEMPORAL_TASK_QUEUE: taskQueue,
  };
  for (const name of ['TEMPORAL_API_KEY', 'TEMPORAL_TLS', 'TEMPORAL_TLS_CA_FILE', 'TEMPORAL_TLS_CERT_FILE', 'TEMPORAL_TLS_KEY_FILE'])
    delete env[name];
  const output = await cliSlots.run(async () => {
    try {
      const { stdout, stderr } = await run(process.execPath, [join(PROJECT_ROOT, 'src/cli.ts'), 'status', workflowId, '-o', 'json'], {
        env,
      });
      return `${stdout}\n${stderr}`;
    } catch (error) {
      const failed = error as { stdout?: string; stderr?: string; message: string };
      const lines = (failed.stderr || failed.message).split('\n').filter(Boolean);
      notes.push(`CLI status failed: ${lines.find((line) => /error/i.test(line)) ?? lines[0]}`);
      return `${failed.stdout ?? ''}\n${failed.stderr ?? failed.message}`;
    }
  });
  const leaks = leaksIn(output, needles);
  if (leaks.length > 0) violations.push(`secret in the CLI status output: ${leaks.join(', ')}`);
  return { violations, notes };
}
