/**
 * The Helm chart as a platform team uses it: it lints, renders, its rendered objects are accepted by a real
 * kube-apiserver (server-side apply, dry run), its pod can pass runAsNonRoot, the configuration it renders is one the
 * worker starts with, and deploy/ is exactly its default rendering.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { ApiException, type KubernetesObject, KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { CHART_PATH, renderChart } from '../../scripts/lib/chart.ts';
import { findHelm } from '../../scripts/lib/helm.ts';
import { loadKubeConfig } from '../../src/clients/kube.ts';
import { loadConfig } from '../../src/config.ts';
import { realKubeAvailable } from '../support/kube-backends.ts';

const run = promisify(execFile);
const helm = findHelm();
// biome-ignore lint/suspicious/noExplicitAny: manifests are walked as plain YAML
type Manifest = Record<string, any>;
const parse = (text: string): Manifest[] =>
  parseAllDocuments(text)
    .map((document) => document.toJS() as Manifest)
    .filter(Boolean);

const FULL = [
  'awx.enabled=true',
  'awx.url=https://awx.example.com',
  'metrics.serviceMonitor.enabled=true',
  'temporal.tls.enabled=true',
  'temporal.tls.existingSecret=temporal-tls',
  'temporal.apiKey.existingSecret=temporal-api-key',
  'execution.additionalNamespaces={team-a}',
  'execution.pod.nodeSelector.pool=remediation',
  'execution.pod.resources.requests.cpu=100m',
  'execution.allowedImagePrefixes={quay.io/kubernaut/}',
];

describe('Helm chart', { skip: !helm && 'helm not available (scripts/ensure-helm.ts builds it)' }, () => {
  const helmPath = helm ?? '';

  test('helm lint --strict passes, with the defaults and with every option on', async () => {
    await run(helmPath, ['lint', '--strict', CHART_PATH]);
    await run(helmPath, ['lint', '--strict', CHART_PATH, ...FULL.flatMap((value) => ['--set', value])]);
  });

  test('deploy/kubernaut-temporal-executor.yaml is the chart rendered with its defaults (npm run render-deploy)', async () => {
    const committed = readFileSync(new URL('../../deploy/kubernaut-temporal-executor.yaml', import.meta.url), 'utf8');
    assert.equal(committed, await renderChart(helmPath), 'run npm run render-deploy after changing the chart');
  });

  test('execution namespaces enforce baseline (Tekton pods are refused under restricted), warn and audit restricted; a bad level is refused by name', async () => {
    const namespaceOf = async (values: string[]) =>
      parse(await renderChart(helmPath, values)).find(
        (object) => object.kind === 'Namespace' && object.metadata.name === 'kubernaut-workflows',
      );
    const labels = (await namespaceOf([]))?.metadata.labels ?? {};
    assert.equal(labels['pod-security.kubernetes.io/enforce'], 'baseline');
    assert.equal(labels['pod-security.kubernetes.io/warn'], 'restricted');
    assert.equal(labels['pod-security.kubernetes.io/audit'], 'restricted');
    const jobsOnly = (await namespaceOf(['execution.podSecurityEnforce=restricted']))?.metadata.labels ?? {};
    assert.equal(jobsOnly['pod-security.kubernetes.io/enforce'], 'restricted');
    await assert.rejects(
      renderChart(helmPath, ['execution.podSecurityEnforce=strict']),
      /execution\.podSecurityEnforce must be privileged, baseline or restricted/,
    );
  });

  test('every pod runs as a numeric non-root user (runAsNonRoot needs one the kubelet can verify)', async () => {
    for (const values of [[], FULL]) {
      for (const deployment of parse(await renderChart(helmPath, values)).filter((object) => object.kind === 'Deployment')) {
        const pod = deployment.spec.template.spec;
        for (const container of pod.containers) {
          const context = { ...pod.securityContext, ...container.securityContext };
          if (context.runAsNonRoot)
            assert.ok(Number.isInteger(context.runAsUser) && context.runAsUser > 0, `${container.name}: numeric runAsUser`);
        }
      }
    }
  });

  test('the rendered configuration is one the worker starts with: AWX only when enabled, TLS files and allow-lists as set', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chart-config-'));
    try {
      const tokenFile = join(dir, 'token');
      writeFileSync(tokenFile, 'not-a-real-token');
      const configOf = async (values: string[]) => {
        const configMap = parse(await renderChart(helmPath, values)).find((object) => object.kind === 'ConfigMap');
        const data = configMap?.data as Record<string, string>;
        // In the pod: in-cluster Kubernetes, the mounted files where the chart puts them.
        const env: Record<string, string> = { ...data, KUBERNETES_SERVICE_HOST: '10.0.0.1', HOME: dir };
        if (env.AWX_TOKEN_FILE) env.AWX_TOKEN_FILE = tokenFile;
        if (env.TEMPORAL_TLS_SERVER_CA_CERT_PATH) env.TEMPORAL_TLS_SERVER_CA_CERT_PATH = tokenFile;
        return { data, config: loadConfig(env) };
      };
      const defaults = await configOf([]);
      assert.equal(defaults.data.AWX_URL, undefined, 'no AWX unless enabled (the worker would exit without a token)');
      assert.deepEqual(defaults.config.engines, ['job', 'tekton']);
      const full = await configOf(FULL);
      assert.deepEqual(full.config.engines, ['job', 'tekton', 'ansible']);
      assert.deepEqual(full.config.allowed.executionNamespaces, ['kubernaut-workflows', 'team-a']);
      assert.deepEqual(full.config.podSettings.nodeSelector, { pool: 'remediation' });
      assert.equal(full.config.temporal.tls !== undefined && full.config.temporal.tls !== false, true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the rendered objects are accepted by a real kube-apiserver (server-side apply, dry run)', {
    skip: !realKubeAvailable() && 'kube-apiserver not built',
  }, async () => {
    const config = loadKubeConfig({ kubeconfigPath: process.env.TEST_REAL_KUBE_ADMIN_KUBECONFIG ?? '' });
    const client = KubernetesObjectApi.makeApiClient(config);
    // The release namespace must exist for namespaced objects; everything else is only checked (dry run).
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kubernaut-system' } }).catch((error) => {
      if (!(error instanceof ApiException && error.code === 409)) throw error;
    });
    const objects = parse(
      await renderChart(
        helmPath,
        FULL.filter((value) => !value.startsWith('metrics.serviceMonitor')),
      ),
    );
    const refused: string[] = [];
    // Namespaces for real (the objects in them need them to exist), everything else as a dry run.
    const ordered = [
      ...objects.filter((object) => object.kind === 'Namespace'),
      ...objects.filter((object) => object.kind !== 'Namespace'),
    ];
    for (const object of ordered) {
      try {
        const dryRun = object.kind === 'Namespace' ? undefined : 'All';
        await client.patch(object as KubernetesObject, undefined, dryRun, 'kubernaut-chart-test', true, PatchStrategy.ServerSideApply);
      } catch (error) {
        refused.push(`${object.kind} ${object.metadata?.name}: ${error instanceof ApiException ? error.body : String(error)}`);
      }
    }
    assert.deepEqual(refused, []);
    assert.ok(objects.length >= 10, `${objects.length} objects`);
  });
});
