/**
 * Reading a dependency Secret's values (for an ephemeral AWX credential), and masking every such value in text a
 * backend hands back (job output, pod logs) before it goes anywhere.
 */
import { isNotFound, type KubeClients, kubeError } from '../clients/kube.ts';
import { ConfigurationError } from '../domain/errors.ts';
import { redactSecrets } from '../domain/redact.ts';
import type { ExecutionRequest } from '../domain/types.ts';

function requireKube(kube: KubeClients | undefined, what: string): KubeClients {
  if (!kube) throw new ConfigurationError(`${what}: reading dependencies needs Kubernetes access, and this worker has none configured`);
  return kube;
}

/** The Secret's data, decoded; a missing or empty Secret is a ConfigurationError naming it. */
export async function readSecretValues(kube: KubeClients | undefined, namespace: string, name: string): Promise<Record<string, string>> {
  const what = `read dependency secret "${name}" in "${namespace}"`;
  try {
    const secret = await requireKube(kube, what).core.readNamespacedSecret({ name, namespace });
    const data = Object.fromEntries(
      Object.entries(secret.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]),
    );
    if (Object.keys(data).length === 0) throw new ConfigurationError(`${what}: Secret has empty data`);
    return data;
  } catch (error) {
    if (error instanceof ConfigurationError) throw error;
    if (isNotFound(error)) throw new ConfigurationError(`${what}: secrets "${name}" not found`);
    throw kubeError(what, error);
  }
}

/**
 * `text` with every value of the execution's dependency Secrets (and `extra`, e.g. the AWX token) masked. When the
 * Secrets cannot be read now, the text is withheld: nothing unmasked leaves.
 */
export async function redactExecutionText(
  kube: KubeClients | undefined,
  namespace: string,
  request: ExecutionRequest,
  text: string,
  extra: readonly string[] = [],
): Promise<string> {
  if (!text) return text;
  const values = [...extra];
  try {
    for (const { name } of request.dependencies?.secrets ?? [])
      values.push(...Object.values(await readSecretValues(kube, namespace, name)));
  } catch {
    return '(output withheld: the dependency Secrets to mask it with could not be read)';
  }
  return redactSecrets(text, values).text;
}
