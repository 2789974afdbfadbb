/**
 * Dependency Secrets and ConfigMaps checked before a Job or PipelineRun is created, as the original's controller did:
 * a missing one fails the execution at once, naming it, instead of a pod that waits on a mount until the deadline.
 */
import { isNotFound, type KubeClients, kubeError, kubeStatusOf } from '../clients/kube.ts';
import { ConfigurationError } from '../domain/errors.ts';
import type { ExecutionRequest } from '../domain/types.ts';

export async function checkDependenciesExist(kube: KubeClients, namespace: string, request: ExecutionRequest): Promise<void> {
  const checks = [
    ...(request.dependencies?.secrets ?? []).map(({ name }) => ({
      kind: 'Secret',
      name,
      read: () => kube.core.readNamespacedSecret({ name, namespace }),
    })),
    ...(request.dependencies?.configMaps ?? []).map(({ name }) => ({
      kind: 'ConfigMap',
      name,
      read: () => kube.core.readNamespacedConfigMap({ name, namespace }),
    })),
  ];
  for (const check of checks) {
    try {
      await check.read();
    } catch (error) {
      if (isNotFound(error))
        throw new ConfigurationError(
          `dependency ${check.kind} "${check.name}" not found in namespace "${namespace}": create it, or remove it from dependencies; nothing was created`,
        );
      // The worker may not be allowed to read them (the job and tekton engines only mount them): the pod will tell.
      if (kubeStatusOf(error) === 403) continue;
      throw kubeError(`check dependency ${check.kind} ${namespace}/${check.name}`, error);
    }
  }
}
