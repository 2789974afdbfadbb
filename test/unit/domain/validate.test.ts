import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { engineOf, formatValidationProblems, validateExecutionRequest } from '../../../src/domain/validate.ts';
import { sampleRequest } from '../../support/requests.ts';

/** The fields a request's problems name. */
const fieldsOf = (request: unknown): string[] => validateExecutionRequest(request).map((problem) => problem.field);

describe('validateExecutionRequest', () => {
  test('valid sample requests of every engine have no problems', () => {
    for (const engine of ['job', 'tekton', 'ansible'] as const) {
      assert.deepEqual(validateExecutionRequest(sampleRequest({ engine, secrets: ['db-creds'], configMaps: ['app-config'] })), [], engine);
    }
  });

  test('a non-object request names "request"', () => {
    assert.deepEqual(fieldsOf(null), ['request']);
    assert.deepEqual(fieldsOf('x'), ['request']);
    assert.deepEqual(fieldsOf([]), ['request']);
  });

  test('executionBundle is required for job and tekton, naming the engine', () => {
    const request = sampleRequest({ engine: 'job' });
    delete request.workflowExecution.spec.workflowRef.executionBundle;
    const problems = validateExecutionRequest(request);
    assert.equal(formatValidationProblems(problems), 'spec.workflowRef.executionBundle: required for engine "job": the container image');
  });

  test('unknown engine names the supported ones; a missing engine defaults to tekton as the CRD does', () => {
    const request = sampleRequest() as unknown as { workflowExecution: { spec: Record<string, unknown> } };
    request.workflowExecution.spec.executionEngine = 'argo';
    assert.match(
      formatValidationProblems(validateExecutionRequest(request)),
      /spec\.executionEngine: unknown engine "argo": use one of tekton, job, ansible/,
    );
    const defaulted = sampleRequest({ engine: 'tekton' });
    delete defaulted.workflowExecution.spec.executionEngine;
    assert.equal(engineOf(defaulted), 'tekton');
    assert.deepEqual(validateExecutionRequest(defaulted), []);
  });

  test('empty and malformed targets are rejected', () => {
    for (const target of ['', 'justaname', 'a/b/c/d', 'ns//name', 'ns/Kind/ name', '/Kind/name']) {
      assert.deepEqual(fieldsOf(sampleRequest({ target })), ['spec.targetResource'], JSON.stringify(target));
    }
    assert.deepEqual(fieldsOf(sampleRequest({ target: 'Node/worker-1' })), []);
  });

  test('regression: parameter names are checked per engine, accepting what the backend accepts ("-" and "." included)', () => {
    const names = { 'with-dash': 'x', 'with.dot': 'y', OK_NAME: 'z', '1ST': 'a', 'has space': 'b' };
    assert.deepEqual(fieldsOf(sampleRequest({ engine: 'job', parameters: names })).sort(), [
      'spec.parameters.1ST',
      'spec.parameters.has space',
    ]);
    assert.deepEqual(fieldsOf(sampleRequest({ engine: 'tekton', parameters: { ...names, '.dot-first': 'c' } })).sort(), [
      'spec.parameters..dot-first',
      'spec.parameters.1ST',
      'spec.parameters.has space',
    ]);
    assert.deepEqual(fieldsOf(sampleRequest({ engine: 'ansible', parameters: names })).sort(), [
      'spec.parameters.1ST',
      'spec.parameters.has space',
    ]);
  });

  test('regression: only names that collide with what the engine injects are refused, naming the engine', () => {
    const candidates = {
      TARGET_RESOURCE: 'x',
      HOME: 'x',
      TMPDIR: 'x',
      WFE_NAME: 'x',
      RR_NAME: 'x',
      KUBERNAUT_X: 'x',
      KUBERNAUT_EXECUTION_MARKER: 'x',
    };
    assert.deepEqual(fieldsOf(sampleRequest({ engine: 'job', parameters: candidates })).sort(), [
      'spec.parameters.HOME',
      'spec.parameters.TARGET_RESOURCE',
      'spec.parameters.TMPDIR',
    ]);
    assert.deepEqual(fieldsOf(sampleRequest({ engine: 'tekton', parameters: candidates })), ['spec.parameters.TARGET_RESOURCE']);
    assert.deepEqual(fieldsOf(sampleRequest({ engine: 'ansible', parameters: candidates })).sort(), [
      'spec.parameters.KUBERNAUT_EXECUTION_MARKER',
      'spec.parameters.RR_NAME',
      'spec.parameters.WFE_NAME',
    ]);
    const withConfigMap = sampleRequest({ engine: 'ansible', parameters: { KUBERNAUT_CONFIGMAP_X: 'x' }, configMaps: ['cm'] });
    assert.deepEqual(fieldsOf(withConfigMap), ['spec.parameters.KUBERNAUT_CONFIGMAP_X']);
    const message = validateExecutionRequest(sampleRequest({ engine: 'job', parameters: { HOME: 'x' } }))[0]?.message ?? '';
    assert.match(message, /collides with a variable the job engine sets/);
  });

  test('parameter values must be strings and bounded in size', () => {
    const request = sampleRequest() as unknown as { workflowExecution: { spec: { parameters: Record<string, unknown> } } };
    request.workflowExecution.spec.parameters = { REPLICAS: 3, BIG: 'x'.repeat(40 * 1024) };
    const problems = validateExecutionRequest(request);
    assert.deepEqual(
      problems.map((p) => p.field),
      ['spec.parameters.REPLICAS', 'spec.parameters.BIG'],
    );
    assert.match(problems[0]?.message ?? '', /must be a string, got a number/);
  });

  test('timeout must be a positive Kubernetes duration', () => {
    for (const timeout of ['30', 'abc', '-5m', '0s', '1d', '200h']) {
      assert.deepEqual(fieldsOf(sampleRequest({ timeout })), ['spec.executionConfig.timeout'], timeout);
    }
    for (const timeout of ['30m', '1h30m', '1.5h', '90s', '250ms']) assert.deepEqual(fieldsOf(sampleRequest({ timeout })), [], timeout);
  });

  test('secret names must be DNS names short enough for the volume name; duplicates are named', () => {
    assert.deepEqual(fieldsOf(sampleRequest({ secrets: ['Bad_Name'] })), ['dependencies.secrets[0].name']);
    assert.deepEqual(fieldsOf(sampleRequest({ secrets: ['a'.repeat(57)] })), ['dependencies.secrets[0].name']);
    assert.deepEqual(fieldsOf(sampleRequest({ secrets: ['a'.repeat(56)] })), []);
    assert.deepEqual(fieldsOf(sampleRequest({ configMaps: ['cfg', 'cfg'] })), ['dependencies.configMaps[1].name']);
    assert.deepEqual(fieldsOf(sampleRequest({ engine: 'ansible', secrets: ['with.dots'] })), []);
  });

  test('ansible needs engineConfig with playbookPath and a job template name or id', () => {
    const request = sampleRequest({ engine: 'ansible' });
    delete request.workflowExecution.spec.workflowRef.engineConfig;
    assert.match(
      formatValidationProblems(validateExecutionRequest(request)),
      /spec\.workflowRef\.engineConfig: required for engine "ansible"/,
    );
    request.workflowExecution.spec.workflowRef.engineConfig = { playbookPath: 'x.yml' };
    assert.deepEqual(fieldsOf(request), ['spec.workflowRef.engineConfig.jobTemplateName']);
    request.workflowExecution.spec.workflowRef.engineConfig = { playbookPath: 'x.yml', jobTemplateId: 12 };
    assert.deepEqual(fieldsOf(request), []);
    request.workflowExecution.spec.workflowRef.engineConfig = { jobTemplateName: 'x' };
    assert.deepEqual(fieldsOf(request), ['spec.workflowRef.engineConfig.playbookPath']);
    request.workflowExecution.spec.workflowRef.engineConfig = {};
    assert.deepEqual(fieldsOf(request).sort(), [
      'spec.workflowRef.engineConfig.jobTemplateName',
      'spec.workflowRef.engineConfig.playbookPath',
    ]);
  });

  test('metadata.name must be a label-safe DNS name of at most 63 characters', () => {
    assert.deepEqual(fieldsOf(sampleRequest({ name: 'x'.repeat(64) })), ['metadata.name']);
    assert.deepEqual(fieldsOf(sampleRequest({ name: 'Upper' })), ['metadata.name']);
  });

  test('policy fields are checked with their bounds', () => {
    const fields = fieldsOf(
      sampleRequest({
        policy: {
          pollInitialMs: 5,
          pollMaxMs: 1.5,
          keepFinishedResource: 'yes' as unknown as boolean,
          pipelineRunCancelMode: 'Stop' as never,
        },
      }),
    );
    assert.deepEqual(fields, ['policy.pollInitialMs', 'policy.pollMaxMs', 'policy.keepFinishedResource', 'policy.pipelineRunCancelMode']);
    assert.deepEqual(fieldsOf(sampleRequest({ policy: { pollInitialMs: 1000, pollMaxMs: 500 } })), ['policy.pollMaxMs']);
  });

  test('every problem of a request is listed at once', () => {
    const request = sampleRequest({ target: '', parameters: { 'a b': 'x' }, timeout: 'soon' });
    assert.equal(validateExecutionRequest(request).length, 3);
  });

  test('a huge request is refused before anything else', () => {
    const parameters: Record<string, string> = {};
    for (let index = 0; index < 20; index++) parameters[`P${index}`] = 'x'.repeat(16 * 1024);
    assert.deepEqual(fieldsOf(sampleRequest({ parameters })), ['request']);
  });
});
