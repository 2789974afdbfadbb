/**
 * The pre-launch check with a survey (AWX 24.6.1, test/contracts/awx/04-launch.json): a template that does not prompt
 * for variables but has a survey keeps the survey's variables and drops the others into `ignored_fields.extra_vars`.
 * So such a template is launched when its survey asks for every variable the execution sends (the marker included),
 * and refused before any credential is created otherwise, naming what would be dropped.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { SurveyQuestion } from '../../../sandbox/awx/model.ts';
import { AWX_EXECUTION_MARKER_VAR } from '../../../src/domain/constants.ts';
import { FailureType } from '../../../src/domain/errors.ts';
import type { ExecutionRequest } from '../../../src/domain/types.ts';
import type { AnsibleExecutor } from '../../../src/executors/ansible/index.ts';
import { type AnsibleFixture, createContext, startAnsibleFixture } from '../../support/ansible-executor.ts';
import type { AwxFixture } from '../../support/awx-sandbox.ts';
import type { KubeFixture } from '../../support/kube-sandbox.ts';
import { sampleRequest, uniqueSuffix } from '../../support/requests.ts';

const NS = 'kubernaut-workflows';
const SYSTEM = ['WFE_NAME', 'WFE_NAMESPACE', 'RR_NAME', 'RR_NAMESPACE'];
/** Every variable the requests below send: parameters, system variables, the ConfigMap's key, the marker. */
const ALL = ['NAMESPACE', 'REPLICAS', ...SYSTEM, 'KUBERNAUT_CONFIGMAP_SURVEY_SETTINGS_LOG_LEVEL', AWX_EXECUTION_MARKER_VAR];

describe('AnsibleExecutor: a template without the variables prompt but with a survey (AWX sandbox)', () => {
  let awx: AwxFixture;
  let kube: KubeFixture;
  let executor: AnsibleExecutor;
  let fixture: AnsibleFixture;
  before(async () => {
    fixture = await startAnsibleFixture();
    ({ awx, kube, executor } = fixture);
    kube.sandbox.createConfigMap(NS, 'survey-settings', { 'log-level': 'warn' });
  });
  after(() => fixture.stop());

  const surveyTemplate = (variables: readonly string[], extra: SurveyQuestion[] = []) =>
    awx.sandbox.addTemplate({
      name: `survey-${uniqueSuffix()}`,
      askVariablesOnLaunch: false,
      survey: [...variables.map((variable) => ({ variable, required: false })), ...extra],
    });
  const secret = () => fixture.secret({ password: 'only-if-launched' });
  const request = (jobTemplateName: string, secrets: string[] = []): ExecutionRequest =>
    sampleRequest({
      engine: 'ansible',
      jobTemplateName,
      parameters: { NAMESPACE: 'default', REPLICAS: '3' },
      configMaps: ['survey-settings'],
      ...(secrets.length > 0 ? { secrets } : {}),
    });
  const context = createContext;
  /** A refusal: non-retryable ConfigurationError whose message passes `check`. */
  const refused = (check: (message: string) => void) => (error: Error & { type?: string; retryable?: boolean }) => {
    assert.equal(error.type, FailureType.ConfigurationError);
    assert.equal(error.retryable, false);
    check(error.message);
    return true;
  };

  test('a survey asking for every variable sent (marker included) → launched, the job gets them all and the defaults', async () => {
    const template = surveyTemplate(ALL, [{ variable: 'should_fail', required: false, default: 'false' }]);
    const ctx = context(request(template.name, [secret()]));
    const { prepared, handle, job, vars } = await fixture.launch(ctx);
    assert.equal(prepared.ephemeralCredentialIds.length, 1);
    assert.equal(job?.job_template, template.id);
    assert.equal(vars.NAMESPACE, 'default');
    assert.equal(vars.REPLICAS, 3);
    assert.equal(vars.WFE_NAME, ctx.request.workflowExecution.metadata.name);
    assert.equal(vars.RR_NAME, 'rr-1');
    assert.equal(vars.KUBERNAUT_CONFIGMAP_SURVEY_SETTINGS_LOG_LEVEL, 'warn');
    assert.equal(vars[AWX_EXECUTION_MARKER_VAR], ctx.createdByRun);
    assert.equal(vars.should_fail, 'false', 'AWX fills in the survey defaults');
    assert.deepEqual(job?.credentials, prepared.ephemeralCredentialIds);
    // The marker got through, so a retried create adopts the job rather than launching again.
    const retried = await executor.create({ ...ctx, prepared, attempt: 2 });
    assert.equal(retried.awxJobId, handle.awxJobId);
    assert.equal(awx.sandbox.jobsOf(template.id).length, 1);
  });

  test('a survey missing a parameter and a ConfigMap variable → refused by prepare before any credential, naming them', async () => {
    const template = surveyTemplate(ALL.filter((name) => name !== 'REPLICAS' && !name.startsWith('KUBERNAUT_CONFIGMAP_')));
    const creates = awx.sandbox.credentialCreates.size;
    const req = request(template.name, [secret()]);
    await assert.rejects(
      executor.prepare(context(req)),
      refused((message) => {
        assert.match(message, /add survey questions for: KUBERNAUT_CONFIGMAP_SURVEY_SETTINGS_LOG_LEVEL, REPLICAS$/);
        assert.match(message, /turn on "Prompt on launch" for Variables/);
        assert.doesNotMatch(message, new RegExp(AWX_EXECUTION_MARKER_VAR));
      }),
    );
    assert.equal(awx.sandbox.credentialCreates.size, creates, 'no credential was created');
    await assert.rejects(
      executor.create(context(req)),
      refused((message) => assert.match(message, /REPLICAS/)),
    );
    assert.equal(awx.sandbox.jobsOf(template.id).length, 0);
  });

  test('a survey without the execution marker → refused, saying a retry could not find its job', async () => {
    const template = surveyTemplate(ALL.filter((name) => name !== AWX_EXECUTION_MARKER_VAR));
    await assert.rejects(
      executor.prepare(context(request(template.name, [secret()]))),
      refused((message) => {
        assert.match(message, new RegExp(`add survey questions for: ${AWX_EXECUTION_MARKER_VAR}$`));
        assert.match(message, /retried launch cannot find the job/);
      }),
    );
    assert.equal(awx.sandbox.jobsOf(template.id).length, 0);
  });

  test('no survey and variables not prompted → refused as before, before any credential', async () => {
    const template = awx.sandbox.addTemplate({ name: `no-vars-${uniqueSuffix()}`, askVariablesOnLaunch: false });
    assert.deepEqual(await awx.awx.getSurveySpec(template.id), {});
    const creates = awx.sandbox.credentialCreates.size;
    await assert.rejects(
      executor.prepare(context(request(template.name, [secret()]))),
      refused((message) => assert.match(message, /does not prompt for variables on launch: .*ask_variables_on_launch/)),
    );
    assert.equal(awx.sandbox.credentialCreates.size, creates, 'no credential was created');
    assert.equal(awx.sandbox.jobsOf(template.id).length, 0);
  });

  test('getSurveySpec reads the questions of a survey template', async () => {
    const template = surveyTemplate(['NAMESPACE'], [{ variable: 'should_fail', required: true, default: 'false' }]);
    const spec = await awx.awx.getSurveySpec(template.id);
    assert.deepEqual(
      spec.spec?.map((question) => [question.variable, question.required, question.default]),
      [
        ['NAMESPACE', false, undefined],
        ['should_fail', true, 'false'],
      ],
    );
  });
});
