/**
 * The control plane's credentials, written into its folder: a CA, the API server's serving certificate (127.0.0.1 —
 * the same address inside the namespace and through the forwarder on the host), the service-account signing key, and
 * a static token for the admin that sets things up and that the components use.
 */
import { createPublicKey, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createCertificateAuthority } from '../../../sandbox/tls.ts';

export interface PkiFiles {
  ca: string;
  cert: string;
  key: string;
  saKey: string;
  saPub: string;
  tokens: string;
}

export interface ControlPlanePki {
  caPem: string;
  adminToken: string;
  files: PkiFiles;
}

/** `users`: further static-token users, as "token,user,uid" lines of the token file. */
export async function writePki(
  dir: string,
  options: { caName?: string; adminToken?: string; users?: string[] } = {},
): Promise<ControlPlanePki> {
  const ca = await createCertificateAuthority(options.caName ?? 'kubernaut-control-plane-ca');
  const serving = await ca.issue({
    commonName: 'kube-apiserver',
    dnsNames: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc'],
    ipAddresses: ['127.0.0.1'],
  });
  const serviceAccountKey = await ca.issue({ commonName: 'service-accounts' });
  const adminToken = options.adminToken ?? randomBytes(24).toString('hex');
  const files = {
    ca: join(dir, 'ca.crt'),
    cert: join(dir, 'apiserver.crt'),
    key: join(dir, 'apiserver.key'),
    saKey: join(dir, 'sa.key'),
    saPub: join(dir, 'sa.pub'),
    tokens: join(dir, 'tokens.csv'),
  };
  writeFileSync(files.ca, ca.certPem);
  writeFileSync(files.cert, serving.certPem);
  writeFileSync(files.key, serving.keyPem, { mode: 0o600 });
  writeFileSync(files.saKey, serviceAccountKey.keyPem, { mode: 0o600 });
  writeFileSync(files.saPub, createPublicKey(serviceAccountKey.keyPem).export({ type: 'spki', format: 'pem' }));
  const users = [`${adminToken},admin,1,system:masters`, ...(options.users ?? [])];
  writeFileSync(files.tokens, `${users.join('\n')}\n`, { mode: 0o600 });
  return { caPem: ca.certPem, adminToken, files };
}

/** A kubeconfig for a bearer token; `namespace` is the context's default. */
export function kubeconfigYaml(
  server: string,
  caPem: string,
  user: string,
  token: string,
  namespace = 'kubernaut-workflows',
  cluster = 'control-plane',
): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: cluster, cluster: { server, 'certificate-authority-data': Buffer.from(caPem).toString('base64') } }],
    users: [{ name: user, user: { token } }],
    contexts: [{ name: cluster, context: { cluster, user, namespace } }],
    'current-context': cluster,
  });
}
