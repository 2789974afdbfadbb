/** What every phase of the benchmark gets: the harness, a client per worker pool, the options and a way to report. */
import type { Client } from '@temporalio/client';
import type { ExecutionClient } from '../../src/client.ts';
import type { Harness, Pool } from '../lib/harness.ts';

/** A worker pool and the client that starts executions on its task queue. */
export interface PoolClient {
  /** `watch` (the default configuration) or `noWatch` (WATCH_COMPLETION=false). */
  name: 'watch' | 'noWatch';
  pool: Pool;
  executions: ExecutionClient;
}

export interface BenchContext {
  harness: Harness;
  client: Client;
  /** The watch pool first; the no-watch pool when the harness runs one. */
  pools: PoolClient[];
  say: (line: string) => void;
  options: {
    count: number;
    rounds: number;
    concurrency: number;
    cache: number;
    holdSeconds: number;
    scale: boolean;
  };
}

/** Executions per second of closed workflows, from the first start to the last close the server recorded. */
export function perSecond(rows: { start: number; close: number }[]): number {
  const seconds = (Math.max(...rows.map((row) => row.close)) - Math.min(...rows.map((row) => row.start))) / 1000;
  return rows.length / seconds;
}
