/**
 * What a request may choose, bounded by the operator: the execution namespace, the service account of the execution
 * pods, the image (by registry prefix). A field left out of the list allows anything.
 */
import { DEFAULT_SERVICE_ACCOUNT_NAME } from './constants.ts';
import type { ExecutionRequest } from './types.ts';
import type { ValidationProblem } from './validate.ts';

export interface RequestAllowList {
  executionNamespaces?: string[];
  serviceAccounts?: string[];
  imagePrefixes?: string[];
}

/** Problems naming the field and the setting that refuses it; empty when the request stays within the lists. */
export function checkAllowList(
  request: ExecutionRequest,
  allowed: RequestAllowList,
  defaults: { executionNamespace: string; serviceAccountName?: string },
): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const namespace = request.executionNamespace ?? defaults.executionNamespace;
  if (allowed.executionNamespaces && !allowed.executionNamespaces.includes(namespace))
    problems.push({
      field: 'executionNamespace',
      message: `"${namespace}" is not allowed by this worker (ALLOWED_EXECUTION_NAMESPACES: ${allowed.executionNamespaces.join(', ')})`,
    });
  const engine = request.workflowExecution.spec.executionEngine ?? 'tekton';
  if (engine === 'ansible') return problems;
  const account =
    request.workflowExecution.spec.executionConfig?.serviceAccountName ?? defaults.serviceAccountName ?? DEFAULT_SERVICE_ACCOUNT_NAME;
  if (allowed.serviceAccounts && !allowed.serviceAccounts.includes(account))
    problems.push({
      field: 'spec.executionConfig.serviceAccountName',
      message: `"${account}" is not allowed by this worker (ALLOWED_SERVICE_ACCOUNTS: ${allowed.serviceAccounts.join(', ')})`,
    });
  const image = request.workflowExecution.spec.workflowRef.executionBundle ?? '';
  if (allowed.imagePrefixes && !allowed.imagePrefixes.some((prefix) => image.startsWith(prefix)))
    problems.push({
      field: 'spec.workflowRef.executionBundle',
      message: `"${image}" is not from an allowed registry (ALLOWED_IMAGE_PREFIXES: ${allowed.imagePrefixes.join(', ')})`,
    });
  return problems;
}
