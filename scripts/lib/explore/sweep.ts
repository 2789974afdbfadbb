/**
 * The orphan sweep (`ExecutionClient.sweepOrphans({ graceMs: 0 })`), when the client has it. Sweeps run one at a time;
 * a scenario that asks while one runs gets the next one (it starts after the scenario's owner closed), so several
 * scenarios share a sweep instead of queueing one each.
 */
import type { ExecutionClient } from '../../../src/client.ts';

export type SweepOutcome = { ok: true; report: Record<string, unknown> } | { ok: false; error: string };

type SweepOrphans = (options: { graceMs: number }) => Promise<Record<string, unknown>>;

/** How many items a sweep report says it could not remove (`failed` as a count or as a list). */
export function failedCount(report: Record<string, unknown>): number {
  const failed = report.failed;
  return Array.isArray(failed) ? failed.length : Number(failed ?? 0) || 0;
}

export class Sweeper {
  private readonly sweepOrphans?: SweepOrphans;
  private readonly timeoutMs: number;
  private running?: Promise<SweepOutcome>;
  private queued?: Promise<SweepOutcome>;
  count = 0;

  constructor(client: ExecutionClient, timeoutMs = 120_000) {
    const method = (client as unknown as { sweepOrphans?: unknown }).sweepOrphans;
    if (typeof method === 'function') this.sweepOrphans = (method as SweepOrphans).bind(client);
    this.timeoutMs = timeoutMs;
  }

  /** Whether the product has a sweeper yet. */
  get available(): boolean {
    return this.sweepOrphans !== undefined;
  }

  /** A sweep that starts after this call. */
  sweep(): Promise<SweepOutcome> {
    if (!this.running) return this.startNow();
    this.queued ??= this.running.then(() => {
      this.queued = undefined;
      return this.startNow();
    });
    return this.queued;
  }

  private startNow(): Promise<SweepOutcome> {
    const sweep = this.once().finally(() => {
      if (this.running === sweep) this.running = undefined;
    });
    this.running = sweep;
    return sweep;
  }

  private async once(): Promise<SweepOutcome> {
    const sweepOrphans = this.sweepOrphans;
    if (!sweepOrphans) return { ok: false, error: 'sweepOrphans is not available' };
    this.count++;
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${this.timeoutMs / 1000} s`)), this.timeoutMs);
      });
      return { ok: true, report: await Promise.race([sweepOrphans({ graceMs: 0 }), timeout]) };
    } catch (error) {
      return { ok: false, error: (error as Error).message };
    } finally {
      clearTimeout(timer);
    }
  }
}
