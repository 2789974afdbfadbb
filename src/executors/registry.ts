import { ExecutionError, FailureType } from '../domain/errors.ts';
import type { Engine } from '../domain/types.ts';
import type { Executor } from './executor.ts';

/** Which engines exist on this worker (reference §3.2). */
export class ExecutorRegistry {
  private readonly executors = new Map<string, Executor>();

  /** Registers an executor under its engine; a second one for the same engine replaces the first, as upstream. */
  register(executor: Executor): this {
    this.executors.set(executor.engine, executor);
    return this;
  }

  get(engine: string): Executor {
    const executor = this.executors.get(engine);
    if (!executor) {
      throw new ExecutionError(
        FailureType.UnsupportedEngine,
        `unsupported execution engine: ${JSON.stringify(engine)} (registered: [${this.engines().join(' ')}])`,
      );
    }
    return executor;
  }

  has(engine: string): boolean {
    return this.executors.has(engine);
  }

  /** Registered engines, sorted (upstream's order was unspecified). */
  engines(): Engine[] {
    return [...this.executors.keys()].sort() as Engine[];
  }
}
