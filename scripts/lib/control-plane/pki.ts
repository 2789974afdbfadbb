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

export interface ControlPlanePki {
  caPem: string;
  adminToken: string;
  files: { ca: string; cert: string; key: string; saKey: string; saPub: string; tokens: string };
}

export async function writePki(dir: string): Promise<ControlPlanePki> {
  const ca = await createCertificateAuthority('kubernaut-control-plane-ca');
  const serving = await ca.issue({
    commonName: 'kube-apiserver',
    dnsNames: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc'],
    ipAddresses: ['127.0.0.1'],
  });
  const serviceAccountKey = await ca.issue({ commonName: 'service-accounts' });
  const adminToken = randomBytes(24).toString('hex');
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
  writeFileSync(files.tokens, `${adminToken},admin,1,system:masters\n`, { mode: 0o600 });
  return { caPem: ca.certPem, adminToken, files };
}

/** A kubeconfig for a bearer token; `namespace` is the context's default. */
export function kubeconfigYaml(server: string, caPem: string, user: string, token: string, namespace = 'kubernaut-workflows'): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'control-plane', cluster: { server, 'certificate-authority-data': Buffer.from(caPem).toString('base64') } }],
    users: [{ name: user, user: { token } }],
    contexts: [{ name: 'control-plane', context: { cluster: 'control-plane', user, namespace } }],
    'current-context': 'control-plane',
  });
}
