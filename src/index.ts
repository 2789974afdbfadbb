/**
 * The package's public API: the pure core (naming, validation, extra vars, status mappings, manifests) and the types
 * of the wire contract. The Temporal client library is `./client.js`; the worker entrypoint is `./worker.js`.
 */
import './runtime-support.ts';

export * from './domain/index.ts';
export { executionResourceName } from './domain/resource-name.ts';
export { DEFAULT_TASK_QUEUE, type ExecutionStatus, WORKFLOW_TYPE } from './workflows/definitions.ts';
