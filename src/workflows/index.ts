/** Every workflow of the worker, for bundling. */
export { runExecution } from './run-execution.ts';
export { sweepOrphans } from './sweep-orphans.ts';
