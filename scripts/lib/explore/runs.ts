/**
 * The runs of one execution: the first, the ones resets create, the ones it continued as. Waits until the newest run
 * has closed, and finds every run again afterwards (the visibility list as well as what the explorer saw).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';

export class RunTracker {
  readonly workflowId: string;
  private readonly temporal: Client;
  private readonly seen: string[];
  private readonly closing = new Map<string, Promise<unknown>>();

  constructor(temporal: Client, workflowId: string, firstRunId: string) {
    this.temporal = temporal;
    this.workflowId = workflowId;
    this.seen = [firstRunId];
  }

  private note(runId: string): void {
    if (!this.seen.includes(runId)) this.seen.push(runId);
  }

  /** The newest run, its Temporal status and when it closed. */
  async latest(): Promise<{ runId: string; status: string; closedAt?: number }> {
    const description = await this.temporal.workflow.getHandle(this.workflowId).describe();
    this.note(description.runId);
    return {
      runId: description.runId,
      status: description.status.name,
      ...(description.closeTime ? { closedAt: description.closeTime.getTime() } : {}),
    };
  }

  /** After a reset of `oldRunId`: the run it created. */
  async newRunAfter(oldRunId: string, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const { runId } = await this.latest();
      if (runId !== oldRunId) return runId;
      await sleep(50);
    }
    throw new Error(`no new run after resetting ${oldRunId} within ${timeoutMs / 1000} s`);
  }

  /** Waits until the newest run is closed; false when it still runs at the deadline. */
  async waitClosed(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { runId, status } = await this.latest();
      if (status !== 'RUNNING') return true;
      const remaining = deadline - Date.now();
      if (remaining <= 0) return false;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.closed(runId),
        new Promise((resolve) => {
          timer = setTimeout(resolve, Math.min(remaining, 5000));
        }),
      ]);
      clearTimeout(timer);
    }
  }

  /** Settles when the run closes (one long poll per run, however often it is awaited). */
  private closed(runId: string): Promise<unknown> {
    let closing = this.closing.get(runId);
    if (!closing) {
      closing = this.temporal.workflow
        .getHandle(this.workflowId, runId, { followRuns: false })
        .result()
        .catch(() => undefined);
      this.closing.set(runId, closing);
    }
    return closing;
  }

  /** Every run of the execution known so far, oldest first, with the visibility list's. */
  async allRuns(): Promise<string[]> {
    try {
      for await (const execution of this.temporal.workflow.list({ query: `WorkflowId = '${this.workflowId}'` })) this.note(execution.runId);
    } catch {
      // Visibility is a convenience here: the runs the explorer saw are already known.
    }
    return [...this.seen];
  }

  add(runId: string): void {
    this.note(runId);
  }
}
