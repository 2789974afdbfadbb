/**
 * Fault injection for the sandbox servers: a share of requests is answered with a 500, a reset connection, or a delay.
 * Seeded, so a failing chaos run can be replayed.
 */
export type FaultKind = 'error' | 'reset' | 'delay';

export interface FaultConfig {
  /** Share of requests that get a fault, 0..1. */
  rate: number;
  kinds?: FaultKind[];
  delayMs?: number;
  seed?: number;
}

/** mulberry32: small, fast, good enough for choosing faults reproducibly. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export class FaultInjector {
  private config: Required<FaultConfig> = { rate: 0, kinds: ['error', 'reset', 'delay'], delayMs: 2000, seed: 1 };
  private random = seededRandom(1);
  readonly injected: Record<FaultKind, number> = { error: 0, reset: 0, delay: 0 };

  configure(config: FaultConfig): void {
    this.config = { kinds: ['error', 'reset', 'delay'], delayMs: 2000, seed: 1, ...config };
    this.random = seededRandom(this.config.seed);
  }

  /** The fault for the next request, if any. */
  next(): FaultKind | undefined {
    if (this.config.rate <= 0 || this.random() >= this.config.rate) return undefined;
    const kind = this.config.kinds[Math.floor(this.random() * this.config.kinds.length)] ?? 'error';
    this.injected[kind] += 1;
    return kind;
  }

  get delayMs(): number {
    return this.config.delayMs;
  }
}
