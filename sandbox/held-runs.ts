import type { SandboxOutcome } from './conventions.ts';

/** Runs the sandbox keeps going (SANDBOX_OUTCOME=hold) until a test or benchmark releases them with an outcome. */
export class HeldRuns<Key> {
  private readonly runs = new Map<Key, (outcome: SandboxOutcome) => void>();

  hold(key: Key, finish: (outcome: SandboxOutcome) => void): void {
    this.runs.set(key, finish);
  }

  forget(key: Key): void {
    this.runs.delete(key);
  }

  get size(): number {
    return this.runs.size;
  }

  /** Finishes the held runs the filter selects with the outcome; returns how many. */
  release(outcome: SandboxOutcome, filter: (key: Key) => boolean = () => true): number {
    let released = 0;
    for (const [key, finish] of this.runs) {
      if (!filter(key)) continue;
      this.runs.delete(key);
      finish(outcome);
      released++;
    }
    return released;
  }
}
