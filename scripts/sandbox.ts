/**
 * npm run sandbox: the sandbox Kubernetes API server and AWX server on their own, for kubectl, curl or a worker run by
 * hand. Writes .data/sandbox.kubeconfig and .data/awx-sandbox-ca.pem; Ctrl-C stops them.
 *   --kube-port N --awx-port N   fixed ports (default: free ones)
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT } from './lib/paths.ts';
import { startSandboxes } from './lib/sandboxes.ts';

const { values } = parseArgs({ options: { 'kube-port': { type: 'string' }, 'awx-port': { type: 'string' } } });
const sandboxes = await startSandboxes(join(PROJECT_ROOT, '.data'), {
  ...(values['kube-port'] ? { kube: Number(values['kube-port']) } : {}),
  ...(values['awx-port'] ? { awx: Number(values['awx-port']) } : {}),
});
process.stdout.write(
  [
    `Kubernetes sandbox: ${sandboxes.kube.url}`,
    `  kubectl --kubeconfig ${sandboxes.kubeconfigPath} get jobs,pipelineruns,pods,secrets -n kubernaut-workflows`,
    `AWX sandbox: ${sandboxes.awx.url} (token ${sandboxes.awx.token}, CA ${sandboxes.awxCaFile})`,
    `  curl --cacert ${sandboxes.awxCaFile} -H 'Authorization: Bearer ${sandboxes.awx.token}' ${sandboxes.awx.url}/api/v2/job_templates/`,
    'A worker against them:',
    `  KUBECONFIG=${sandboxes.kubeconfigPath} AWX_URL=${sandboxes.awx.url} AWX_TOKEN=${sandboxes.awx.token} AWX_CA_FILE=${sandboxes.awxCaFile} node src/worker.ts`,
    'Press Ctrl-C to stop.',
    '',
  ].join('\n'),
);
const stop = async () => {
  await sandboxes.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
