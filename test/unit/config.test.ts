import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ConfigurationProblems, describeConfig, loadConfig } from '../../src/config.ts';

const dir = mkdtempSync(join(tmpdir(), 'config-'));
const kubeconfig = join(dir, 'kubeconfig');
writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\n');
const tokenFile = join(dir, 'awx-token');
writeFileSync(tokenFile, 'token-from-file\n');
const base = { HOME: dir };

describe('worker configuration from the environment', () => {
  test('defaults with a kubeconfig: job and tekton engines, default namespace, SA, task queue, metrics', () => {
    const config = loadConfig({ ...base, KUBECONFIG: kubeconfig });
    assert.deepEqual(config.engines, ['job', 'tekton']);
    assert.deepEqual(
      [config.temporal.address, config.temporal.namespace, config.temporal.taskQueue],
      ['localhost:7233', 'default', 'kubernaut-executions'],
    );
    assert.deepEqual(
      [config.executionNamespace, config.serviceAccountName, config.metricsBindAddress],
      ['kubernaut-workflows', 'kubernaut-workflow-runner', '0.0.0.0:9464'],
    );
    assert.equal(config.temporal.tls, undefined);
  });

  test('AWX from URL and token file registers ansible; the token never shows in the described config', () => {
    const config = loadConfig({
      ...base,
      KUBECONFIG: kubeconfig,
      AWX_URL: 'https://awx.example.com/',
      AWX_TOKEN_FILE: tokenFile,
      AWX_ORGANIZATION_ID: '3',
    });
    assert.deepEqual(config.engines, ['job', 'tekton', 'ansible']);
    assert.deepEqual(
      [config.awx?.url, config.awx?.token, config.awx?.organizationId, config.awx?.insecureSkipTlsVerify],
      ['https://awx.example.com', 'token-from-file', 3, false],
    );
    assert.ok(!JSON.stringify(describeConfig(config)).includes('token-from-file'));
  });

  test('an API key turns TLS on; mTLS needs both files', () => {
    const config = loadConfig({ ...base, KUBECONFIG: kubeconfig, TEMPORAL_API_KEY: 'k', TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233' });
    assert.equal(config.temporal.tls, true);
    assert.ok(!JSON.stringify(describeConfig(config)).includes('"k"'));
    assert.throws(() => loadConfig({ ...base, KUBECONFIG: kubeconfig, TEMPORAL_TLS_CLIENT_CERT_PATH: kubeconfig }), /give both for mTLS/);
  });

  test("Temporal's environment configuration: a profile file and TEMPORAL_PROFILE; the earlier names still work, reported as deprecated", () => {
    const file = join(dir, 'temporal.toml');
    writeFileSync(file, '[profile.prod]\naddress = "prod.example.com:7233"\nnamespace = "remediation"\n');
    const config = loadConfig({ ...base, KUBECONFIG: kubeconfig, TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod' });
    assert.deepEqual([config.temporal.address, config.temporal.namespace], ['prod.example.com:7233', 'remediation']);
    const legacy = loadConfig({ ...base, KUBECONFIG: kubeconfig, TEMPORAL_TLS_CA_FILE: kubeconfig });
    assert.ok(legacy.temporal.tls && typeof legacy.temporal.tls === 'object' && legacy.temporal.tls.serverRootCACertificate);
    assert.deepEqual(legacy.temporal.deprecated, ['TEMPORAL_TLS_CA_FILE is deprecated: use TEMPORAL_TLS_SERVER_CA_CERT_PATH']);
  });

  test('regression: configuration that would leak is refused (plain http, credentials in a URL, an API key without TLS, bad ports)', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig({ ...base, KUBECONFIG: kubeconfig, ...env });
        return '';
      } catch (error) {
        return (error as ConfigurationProblems).problems.join('\n');
      }
    };
    assert.match(problems({ AWX_URL: 'http://awx.example.com', AWX_TOKEN: 't' }), /AWX_URL: plain http .* AWX_ALLOW_INSECURE_HTTP=true/);
    assert.equal(problems({ AWX_URL: 'http://awx.example.com', AWX_TOKEN: 't', AWX_ALLOW_INSECURE_HTTP: 'true' }), '');
    assert.match(problems({ KUBE_API_SERVER: 'http://10.0.0.1:6443', KUBE_TOKEN: 't' }), /KUBE_API_SERVER: plain http/);
    const withPassword = problems({ AWX_URL: 'https://admin:hunter2@awx.example.com', AWX_TOKEN: 't' });
    assert.match(withPassword, /AWX_URL: must not carry credentials/);
    assert.ok(!withPassword.includes('hunter2'), 'the password is not repeated');
    assert.match(problems({ TEMPORAL_API_KEY: 'k', TEMPORAL_TLS: 'false' }), /plaintext/);
    assert.match(problems({ TEMPORAL_TLS: 'yes' }), /TEMPORAL_TLS: must be true or false/);
    assert.match(problems({ TEMPORAL_ADDRESS: 'localhost:70000' }), /TEMPORAL_ADDRESS: must be host:port with a port from 1 to 65535/);
    assert.match(
      problems({ METRICS_BIND_ADDRESS: '0.0.0.0:99999' }),
      /METRICS_BIND_ADDRESS: must be host:port with a port from 1 to 65535/,
    );
  });

  test('execution pod settings from JSON variables; a malformed one names the variable and the shape', () => {
    const config = loadConfig({
      ...base,
      KUBECONFIG: kubeconfig,
      EXECUTION_POD_RESOURCES: '{"requests":{"cpu":"100m"},"limits":{"memory":"256Mi"}}',
      EXECUTION_POD_NODE_SELECTOR: '{"pool":"remediation"}',
      EXECUTION_POD_PRIORITY_CLASS: 'remediation',
    });
    assert.deepEqual(config.podSettings, {
      resources: { requests: { cpu: '100m' }, limits: { memory: '256Mi' } },
      nodeSelector: { pool: 'remediation' },
      priorityClassName: 'remediation',
    });
    assert.throws(
      () => loadConfig({ ...base, KUBECONFIG: kubeconfig, EXECUTION_POD_RESOURCES: '{"cpu":"1"}' }),
      /EXECUTION_POD_RESOURCES: must be JSON such as/,
    );
  });

  test('what a request may choose is bounded by default: only the configured namespace and service account; "*" allows any', () => {
    assert.deepEqual(loadConfig({ ...base, KUBECONFIG: kubeconfig }).allowed, {
      executionNamespaces: ['kubernaut-workflows'],
      serviceAccounts: ['kubernaut-workflow-runner'],
    });
    const open = loadConfig({
      ...base,
      KUBECONFIG: kubeconfig,
      ALLOWED_EXECUTION_NAMESPACES: '*',
      ALLOWED_SERVICE_ACCOUNTS: 'a, b',
      ALLOWED_IMAGE_PREFIXES: 'registry.example.com/',
    });
    assert.deepEqual(open.allowed, { serviceAccounts: ['a', 'b'], imagePrefixes: ['registry.example.com/'] });
  });

  test('one error lists every bad or missing variable', () => {
    assert.throws(
      () =>
        loadConfig({
          ...base,
          TEMPORAL_ADDRESS: 'no-port',
          AWX_URL: 'awx.example.com',
          KUBE_INSECURE_SKIP_TLS_VERIFY: 'maybe',
          EXECUTION_NAMESPACE: 'Bad_NS',
          MAX_CONCURRENT_ACTIVITIES: '0',
          EXECUTION_ENGINES: 'job,argo',
        }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigurationProblems);
        const text = error.problems.join('\n');
        for (const name of [
          'TEMPORAL_ADDRESS',
          'AWX_URL',
          'AWX_TOKEN',
          'EXECUTION_NAMESPACE',
          'MAX_CONCURRENT_ACTIVITIES',
          'EXECUTION_ENGINES: unknown engine "argo"',
          'EXECUTION_ENGINES: engine "job" needs',
        ]) {
          assert.ok(text.includes(name), `${name} in:\n${text}`);
        }
        return true;
      },
    );
  });

  test('no engine at all is an error naming both ways to configure one', () => {
    assert.throws(() => loadConfig({ ...base }), /no execution engine is configured.*KUBECONFIG.*AWX_URL/s);
  });

  test('EXECUTION_ENGINES restricts the registered engines; METRICS_BIND_ADDRESS=off disables metrics', () => {
    const config = loadConfig({ ...base, KUBECONFIG: kubeconfig, EXECUTION_ENGINES: 'job', METRICS_BIND_ADDRESS: 'off' });
    assert.deepEqual(config.engines, ['job']);
    assert.equal(config.metricsBindAddress, undefined);
  });
});
