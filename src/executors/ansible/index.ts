/** The ansible engine (reference §6): the executor and what other modules use of it. */
export { AnsibleExecutor, type AnsibleExecutorOptions } from './executor.ts';
export { awxJobIdOf } from './job-ref.ts';
export { jobMarkerOf } from './launch.ts';
