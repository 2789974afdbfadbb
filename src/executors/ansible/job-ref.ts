import { AWX_JOB_REF_PREFIX } from '../../domain/constants.ts';
import { ConfigurationError } from '../../domain/errors.ts';
import type { ExecutionHandle } from '../../domain/types.ts';

/** The AWX job id from a handle or an "awx-job-<id>" reference. */
export function awxJobIdOf(handle: ExecutionHandle): number {
  if (handle.awxJobId !== undefined) return handle.awxJobId;
  const reference = handle.resourceName;
  const text = reference.startsWith(AWX_JOB_REF_PREFIX) ? reference.slice(AWX_JOB_REF_PREFIX.length) : undefined;
  if (text === undefined)
    throw new ConfigurationError(
      `parse AWX job ID from executionRef "${reference}": execution ref "${reference}" does not have awx-job- prefix`,
    );
  if (!/^[+-]?\d+$/.test(text))
    throw new ConfigurationError(`parse AWX job ID from executionRef "${reference}": "${text}" is not an integer`);
  return Number(text);
}
