import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url);
// biome-ignore lint/suspicious/noExplicitAny: manifests are walked as plain YAML
type Manifest = Record<string, any>;
const documents = (path: string) =>
  parseAllDocuments(readFileSync(new URL(path, root), 'utf8')).map((document) => document.toJS() as Manifest);

async function available(command: string, args: string[]): Promise<boolean> {
  try {
    await run(command, args);
    return true;
  } catch {
    return false;
  }
}
const hasCompose = await available('docker-compose', ['version']);

/** What the executors do in the execution namespace (job.ts, tekton.ts, ansible.ts). */
const NEEDED: [string, string, string][] = [
  ['batch', 'jobs', 'create'],
  ['batch', 'jobs', 'get'],
  ['batch', 'jobs', 'delete'],
  ['', 'pods', 'list'],
  ['', 'events', 'list'],
  ['tekton.dev', 'pipelineruns', 'create'],
  ['tekton.dev', 'pipelineruns', 'get'],
  ['tekton.dev', 'pipelineruns', 'patch'],
  ['tekton.dev', 'pipelineruns', 'delete'],
  ['tekton.dev', 'taskruns', 'list'],
  ['', 'secrets', 'get'],
  ['', 'configmaps', 'get'],
  ['', 'pods/log', 'get'],
  ['batch', 'jobs', 'list'],
  ['batch', 'jobs', 'watch'],
  ['tekton.dev', 'pipelineruns', 'watch'],
  ['tekton.dev', 'pipelineruns', 'list'],
];

describe('deployment artifacts', () => {
  const rendered = () => documents('deploy/kubernaut-temporal-executor.yaml');
  test('the rendered chart (deploy/): a namespaced Role granting exactly what the executors use, no wildcards, secrets read-only', () => {
    const role = rendered().find((document) => document.kind === 'Role');
    const binding = rendered().find((document) => document.kind === 'RoleBinding');
    assert.equal(role?.metadata.namespace, 'kubernaut-workflows');
    const rules = role?.rules as { apiGroups: string[]; resources: string[]; verbs: string[] }[];
    const allows = (group: string, resource: string, verb: string) =>
      rules.some((rule) => rule.apiGroups.includes(group) && rule.resources.includes(resource) && rule.verbs.includes(verb));
    for (const [group, resource, verb] of NEEDED) assert.ok(allows(group, resource, verb), `${verb} ${group}/${resource}`);
    assert.ok(rules.every((rule) => ![...rule.apiGroups, ...rule.resources, ...rule.verbs].includes('*')));
    assert.ok(!allows('', 'secrets', 'list') && !allows('', 'secrets', 'delete') && !allows('', 'secrets', 'create'));
    assert.deepEqual(
      [binding?.roleRef.name, binding?.subjects[0].name, binding?.subjects[0].namespace],
      ['kubernaut-executor', 'kubernaut-executor', 'kubernaut-system'],
    );
  });

  test('the rendered chart: numeric non-root user, read-only root filesystem, probes on /healthz and /readyz, configuration by ConfigMap', () => {
    const deployment = rendered().find((document) => document.kind === 'Deployment');
    const pod = deployment?.spec.template.spec;
    const container = pod.containers[0];
    // The kubelet refuses runAsNonRoot with a user it cannot verify as a number (CreateContainerConfigError).
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.equal(typeof pod.securityContext.runAsUser, 'number');
    assert.ok(pod.securityContext.runAsUser > 0);
    assert.equal(container.securityContext.readOnlyRootFilesystem, true);
    assert.equal(container.livenessProbe.httpGet.path, '/healthz');
    assert.equal(container.readinessProbe.httpGet.path, '/readyz');
    assert.equal(container.envFrom[0].configMapRef.name, 'kubernaut-executor');
    assert.ok(rendered().some((document) => document.kind === 'Namespace' && document.metadata.name === 'kubernaut-workflows'));
  });

  test('Dockerfile: Node 24 slim, production dependencies only, a numeric non-root user, health check', () => {
    const text = readFileSync(new URL('Dockerfile', root), 'utf8');
    assert.match(text, /^FROM node:24-slim$/m);
    assert.match(text, /npm prune --omit=dev/);
    assert.match(text, /^USER 1000:1000$/m, 'a numeric user, so runAsNonRoot can be verified');
    assert.match(text, /^HEALTHCHECK /m);
  });

  test('docker-compose.yml validates (docker-compose config)', { skip: !hasCompose && 'docker-compose not installed' }, async () => {
    const { stdout } = await run('docker-compose', ['-f', new URL('docker-compose.yml', root).pathname, 'config']);
    for (const service of ['postgresql', 'temporal', 'search-attributes', 'temporal-ui', 'worker'])
      assert.match(stdout, new RegExp(`^  ${service}:$`, 'm'));
    // No auto-setup image (Temporal's current conventions: a schema job, then the server).
    assert.doesNotMatch(stdout, /auto-setup/);
  });

  test('docker-compose.yml publishes ports on 127.0.0.1 only (the frontend and Web UI have no authentication)', () => {
    const text = readFileSync(new URL('docker-compose.yml', root), 'utf8');
    const published = [...text.matchAll(/^\s+- "([^"]+:\d+(?:-\d+)?)"$/gm)].map((match) => match[1] ?? '');
    assert.ok(published.length >= 3, `published ports: ${published.join(', ')}`);
    for (const port of published) assert.match(port, /^127\.0\.0\.1:/, `${port} is published on every interface`);
  });
});
