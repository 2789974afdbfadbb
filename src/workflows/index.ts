/** Every workflow of the worker, for bundling. */

export { executionOutput } from './execution-output.ts';
export { runExecution } from './run-execution.ts';
export { sweepOrphans } from './sweep-orphans.ts';
