import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  credentialTypeBody,
  credentialTypeMatches,
  ephemeralCredentialDescription,
  ephemeralCredentialName,
  executionCredentialPrefix,
  mapSecretKeys,
  ownerRunOfDescription,
} from '../../../src/domain/awx-credentials.ts';
import { formatDuration, parseDuration } from '../../../src/domain/duration.ts';
import { isValidLabelValue, sanitizeLabelValue } from '../../../src/domain/labels.ts';
import { nextPollDelay, resolvePolicy } from '../../../src/domain/policy.ts';
import { sampleRequest } from '../../support/requests.ts';

describe('sanitizeLabelValue (§9.2 item 16)', () => {
  test('UT-WE-014-087: "/" → "__"', () =>
    assert.equal(sanitizeLabelValue('prod-ns/deployment/api-server'), 'prod-ns__deployment__api-server'));
  test('characters outside [A-Za-z0-9._-] become "_", ends are trimmed to alphanumerics, ≤ 63', () => {
    assert.equal(sanitizeLabelValue('ns/Kind/a:b'), 'ns__Kind__a_b');
    assert.equal(sanitizeLabelValue('-x-'), 'x');
    const long = sanitizeLabelValue(`${'a'.repeat(62)}/b`);
    assert.ok(long.length <= 63 && isValidLabelValue(long), long);
    assert.equal(sanitizeLabelValue('ünï/cödé'), 'n___c_d');
    for (const value of ['a/b/c', '..', '日本', `${'x'.repeat(100)}`]) assert.ok(isValidLabelValue(sanitizeLabelValue(value)), value);
  });
});

describe('durations', () => {
  test('parseDuration accepts Go syntax', () => {
    assert.equal(parseDuration('30m'), 1_800_000);
    assert.equal(parseDuration('1h30m'), 5_400_000);
    assert.equal(parseDuration('1.5h'), 5_400_000);
    assert.equal(parseDuration('250ms'), 250);
    assert.equal(parseDuration('0'), 0);
    assert.equal(parseDuration('30'), undefined);
    assert.equal(parseDuration('1d'), undefined);
    assert.equal(parseDuration(''), undefined);
  });
  test('formatDuration renders Go style', () => {
    assert.equal(formatDuration(1_800_000), '30m0s');
    assert.equal(formatDuration(3_600_000), '1h0m0s');
    assert.equal(formatDuration(90_000), '1m30s');
    assert.equal(formatDuration(1500), '1.5s');
  });
});

describe('policy', () => {
  test('defaults: 2 s doubling to 60 s, 30 min timeout, Cancelled mode', () => {
    const policy = resolvePolicy(sampleRequest());
    assert.equal(policy.pollInitialMs, 2000);
    assert.equal(policy.pollMaxMs, 60_000);
    assert.equal(policy.executionTimeoutMs, 1_800_000);
    assert.equal(policy.pipelineRunCancelMode, 'Cancelled');
    assert.equal(policy.keepFinishedResource, false);
  });
  test('request values win; the timeout comes from spec.executionConfig.timeout', () => {
    const policy = resolvePolicy(
      sampleRequest({ timeout: '5m', policy: { pollInitialMs: 100, pollMaxMs: 400, keepFinishedResource: true } }),
    );
    assert.deepEqual(
      [policy.pollInitialMs, policy.pollMaxMs, policy.executionTimeoutMs, policy.keepFinishedResource],
      [100, 400, 300_000, true],
    );
  });
  test('nextPollDelay doubles up to the cap', () => {
    const policy = { pollInitialMs: 100, pollMaxMs: 500 };
    const delays: number[] = [];
    let delay: number | undefined;
    for (let index = 0; index < 5; index++) {
      delay = nextPollDelay(delay, policy);
      delays.push(delay);
    }
    assert.deepEqual(delays, [100, 200, 400, 500, 500]);
  });
});

describe('AWX credential mapping (§9.2 item 6)', () => {
  test('plain keys map as upstream: field id = key, env KUBERNAUT_SECRET_<SECRET>_<KEY>', () => {
    assert.deepEqual(mapSecretKeys('gitea-repo-creds', ['username', 'password']), [
      { key: 'password', fieldId: 'password', envName: 'KUBERNAUT_SECRET_GITEA_REPO_CREDS_PASSWORD' },
      { key: 'username', fieldId: 'username', envName: 'KUBERNAUT_SECRET_GITEA_REPO_CREDS_USERNAME' },
    ]);
  });
  test('keys like tls.crt, 1st and tower map to safe ids and env names; collisions get suffixes', () => {
    const mapping = mapSecretKeys('my.tls', ['tls.crt', 'tls_crt', '1st', 'tower']);
    for (const { fieldId, envName } of mapping) {
      assert.match(fieldId, /^[a-zA-Z_]+[a-zA-Z0-9_]*$/);
      assert.match(envName, /^[A-Z0-9_]+$/);
      assert.notEqual(fieldId, 'tower');
    }
    assert.equal(new Set(mapping.map((entry) => entry.fieldId)).size, 4);
    assert.equal(new Set(mapping.map((entry) => entry.envName)).size, 4);
    assert.equal(mapping.find((entry) => entry.key === 'tls.crt')?.envName, 'KUBERNAUT_SECRET_MY_TLS_TLS_CRT');
  });
  test('keys differing only by case get distinct env names', () => {
    const envNames = mapSecretKeys('s', ['Token', 'token']).map((entry) => entry.envName);
    assert.equal(new Set(envNames).size, 2);
  });
  test('credential type body: cloud kind, secret string fields labelled by key, env injectors only', () => {
    const body = credentialTypeBody('kubernaut-secret-s', mapSecretKeys('s', ['tls.crt']));
    assert.equal(body.kind, 'cloud');
    assert.deepEqual(body.inputs.fields, [{ id: 'tls_crt', label: 'tls.crt', type: 'string', secret: true }]);
    assert.deepEqual(body.injectors, { env: { KUBERNAUT_SECRET_S_TLS_CRT: '{{ tls_crt }}' } });
  });
  test('ephemeral credential names are deterministic per run and Secret, and start with the execution prefix', () => {
    const owner = {
      createdByRun: 'wfe-0123456789abcdef/run-1',
      workflowExecution: { namespace: 'team-a', name: 'wfe-1' },
      executionNamespace: 'kubernaut-workflows',
    };
    const name = ephemeralCredentialName('gitea-repo-creds', owner);
    assert.equal(name, ephemeralCredentialName('gitea-repo-creds', { ...owner }));
    assert.match(name, /^kubernaut-ephemeral-wfe-0123456789abcdef-gitea-repo-creds-[0-9a-f]{16}$/);
    assert.ok(name.startsWith(executionCredentialPrefix('wfe-0123456789abcdef')));
    assert.equal(ownerRunOfDescription(ephemeralCredentialDescription(owner)), owner.createdByRun);
    assert.equal(ownerRunOfDescription('Ephemeral: deleted when WorkflowExecution x ends.'), undefined);
  });
  test("regression: credential names no longer collide across name splits or namespaces (one team got the other team's Secret)", () => {
    const owner = (namespace: string, name: string) => ({
      createdByRun: 'wfe-0123456789abcdef/run-1',
      workflowExecution: { namespace, name },
      executionNamespace: 'kubernaut-workflows',
    });
    // The old scheme "kubernaut-ephemeral-<secret>-<wfe>" gave these pairs the same name.
    assert.notEqual(ephemeralCredentialName('db', owner('a', 'creds-run1')), ephemeralCredentialName('db-creds', owner('a', 'run1')));
    assert.notEqual(ephemeralCredentialName('db', owner('team-a', 'run1')), ephemeralCredentialName('db', owner('team-b', 'run1')));
    assert.notEqual(
      ephemeralCredentialName('db', owner('a', 'run1')),
      ephemeralCredentialName('db', { ...owner('a', 'run1'), createdByRun: 'wfe-0123456789abcdef/run-2' }),
    );
  });
  test('credential type match ignores order', () => {
    const mapping = mapSecretKeys('s', ['a', 'b']);
    assert.equal(credentialTypeMatches(['b', 'a'], mapping), true);
    assert.equal(credentialTypeMatches(['a'], mapping), false);
  });
});
