/** Time for the sandboxes: timestamps as each API writes them, and timers a simulated controller cancels together. */

/** Now as AWX writes timestamps: ISO 8601 with fractional seconds. */
export const now = (): string => new Date().toISOString();

/** Now as Kubernetes writes timestamps: RFC 3339 to the second. */
export const nowToTheSecond = (): string => now().replace(/\.\d{3}Z$/, 'Z');

/** Timers a simulated controller can cancel all at once when its object goes away. */
export class TimerGroup {
  private readonly timers = new Map<string, Set<NodeJS.Timeout>>();

  after(owner: string, ms: number, action: () => void): void {
    const set = this.timers.get(owner) ?? new Set();
    this.timers.set(owner, set);
    const timer = setTimeout(() => {
      set.delete(timer);
      action();
    }, ms);
    timer.unref();
    set.add(timer);
  }

  cancel(owner: string): void {
    for (const timer of this.timers.get(owner) ?? []) clearTimeout(timer);
    this.timers.delete(owner);
  }

  cancelAll(): void {
    for (const owner of this.timers.keys()) this.cancel(owner);
  }
}
