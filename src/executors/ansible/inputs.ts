/** What an AWX launch sends as extra_vars: typed parameters, system variables, ConfigMap data, the execution marker. */
import { isNotFound, type KubeClients, kubeError } from '../../clients/kube.ts';
import { envSegment } from '../../domain/awx-credentials.ts';
import { AWX_CONFIGMAP_VARIABLE_PREFIX, AWX_EXECUTION_MARKER_VAR } from '../../domain/constants.ts';
import { ConfigurationError } from '../../domain/errors.ts';
import { buildExtraVars } from '../../domain/extra-vars.ts';
import type { CreateContext } from '../executor.ts';

async function readConfigMap(kube: KubeClients | undefined, namespace: string, name: string): Promise<Record<string, string>> {
  const what = `inject dependency configmaps: read dependency configmap "${name}" in "${namespace}"`;
  if (!kube) throw new ConfigurationError(`${what}: reading dependencies needs Kubernetes access, and this worker has none configured`);
  try {
    return (await kube.core.readNamespacedConfigMap({ name, namespace })).data ?? {};
  } catch (error) {
    if (isNotFound(error)) throw new ConfigurationError(`${what}: configmaps "${name}" not found`);
    throw kubeError(what, error);
  }
}

/** extra_vars: typed parameters, then the system variables (they win), the ConfigMaps, and the execution marker; keys sorted. */
export async function extraVarsFor(kube: KubeClients | undefined, context: CreateContext): Promise<Record<string, unknown>> {
  const { metadata, spec } = context.request.workflowExecution;
  const vars: Record<string, unknown> = {
    ...(buildExtraVars(spec.parameters) ?? {}),
    WFE_NAME: metadata.name,
    WFE_NAMESPACE: metadata.namespace,
    RR_NAME: spec.remediationRequestRef?.name ?? '',
    RR_NAMESPACE: spec.remediationRequestRef?.namespace ?? '',
  };
  for (const { name } of context.request.dependencies?.configMaps ?? []) {
    const data = await readConfigMap(kube, context.executionNamespace, name);
    for (const key of Object.keys(data).sort()) vars[`${AWX_CONFIGMAP_VARIABLE_PREFIX}${envSegment(name)}_${envSegment(key)}`] = data[key];
  }
  vars[AWX_EXECUTION_MARKER_VAR] = context.createdByRun;
  return Object.fromEntries(
    Object.keys(vars)
      .sort()
      .map((key) => [key, vars[key]]),
  );
}
