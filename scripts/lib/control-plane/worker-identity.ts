/**
 * The worker's identity on the control plane exactly as deployed: the ServiceAccounts, Roles and RoleBindings of the
 * default rendering in deploy/ (the worker's kubernaut-system/kubernaut-executor, the execution pods'
 * kubernaut-workflow-runner) and a token of the worker's ServiceAccount from the TokenRequest API. The execution
 * namespace is created without the rendering's `pod-security.kubernetes.io/enforce: restricted` label: that profile
 * refuses Tekton's pods (reported; a test marked todo shows it).
 */
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { DEFAULT_EXECUTION_NAMESPACE } from '../../../src/domain/constants.ts';
import { PROJECT_ROOT } from '../paths.ts';
import type { KubeApi, KubeObject } from './kube-api.ts';

export const WORKER_NAMESPACE = 'kubernaut-system';
export const WORKER_SERVICE_ACCOUNT = 'kubernaut-executor';
/** The default rendering of the Helm chart. */
export const DEPLOY_MANIFEST = `${PROJECT_ROOT}deploy/kubernaut-temporal-executor.yaml`;
const RBAC_KINDS = new Set(['ServiceAccount', 'Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding']);

/** The ServiceAccounts and RBAC objects of the deployment. */
export function deployedRbac(): KubeObject[] {
  return parseAllDocuments(readFileSync(DEPLOY_MANIFEST, 'utf8'))
    .map((document) => document.toJS() as KubeObject | null)
    .filter((object): object is KubeObject => Boolean(object && RBAC_KINDS.has(object.kind)));
}

/** Namespaces, service accounts and RBAC; returns a token of the worker's ServiceAccount (valid for `hours`). */
export async function createWorkerIdentity(api: KubeApi, hours = 24): Promise<{ token: string; user: string }> {
  for (const name of [DEFAULT_EXECUTION_NAMESPACE, WORKER_NAMESPACE])
    await api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  for (const object of deployedRbac()) await api.create(object);
  const { status, json, text } = await api.call(
    'POST',
    `/api/v1/namespaces/${WORKER_NAMESPACE}/serviceaccounts/${WORKER_SERVICE_ACCOUNT}/token`,
    { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: hours * 3600 } },
  );
  const token = (json.status as { token?: string } | undefined)?.token;
  if (status !== 201 || !token) throw new Error(`TokenRequest for ${WORKER_NAMESPACE}/${WORKER_SERVICE_ACCOUNT}: HTTP ${status} ${text}`);
  return { token, user: `system:serviceaccount:${WORKER_NAMESPACE}:${WORKER_SERVICE_ACCOUNT}` };
}
