/**
 * What the explorer asks the Temporal CLI (as an operator would): resets to the first or the last completed workflow
 * task, and each run's history as JSON. At most a few history reads run at once, so checks do not starve the runs.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Semaphore } from './semaphore.ts';

const run = promisify(execFile);

export type ResetType = 'FirstWorkflowTask' | 'LastWorkflowTask';

export class TemporalCli {
  private readonly path: string;
  private readonly address: string;
  private readonly namespace: string;
  private readonly slots: Semaphore;

  constructor(options: { path: string; address: string; namespace: string; parallel?: number }) {
    this.path = options.path;
    this.address = options.address;
    this.namespace = options.namespace;
    this.slots = new Semaphore(options.parallel ?? 3);
  }

  private async call(args: string[]): Promise<string> {
    const { stdout } = await run(this.path, [...args, '--address', this.address, '--namespace', this.namespace], {
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  }

  /** A disturbance: never queued behind the checks, it has to land at its boundary. */
  async reset(workflowId: string, runId: string, type: ResetType): Promise<void> {
    await this.call([
      'workflow',
      'reset',
      '--workflow-id',
      workflowId,
      '--run-id',
      runId,
      '--type',
      type,
      '--reason',
      'fault-point explorer',
    ]);
  }

  /** `temporal workflow show --output json` of one run. */
  show(workflowId: string, runId: string): Promise<string> {
    return this.slots.run(() => this.call(['workflow', 'show', '--workflow-id', workflowId, '--run-id', runId, '--output', 'json']));
  }
}
