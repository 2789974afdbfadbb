/**
 * Launching a job template as AWX does: what the launch endpoint says it needs, and a launch validated against the
 * template's ask_*_on_launch (unprompted fields are reported in ignored_fields, not refused) and its survey, with the
 * one-credential-per-type rule.
 */
import { now } from '../clock.ts';
import { badRequest } from './errors.ts';
import type { JobRunner } from './jobs.ts';
import { type Job, type JobTemplate, showJob } from './model.ts';
import type { AwxStore } from './store.ts';

const LAUNCHABLE_KINDS = new Set(['ssh', 'vault', 'cloud', 'net', 'kubernetes']);

/** GET job_templates/:id/launch/. */
export function launchInfo(store: AwxStore, template: JobTemplate) {
  const needed = template.survey_enabled
    ? template.survey_spec.filter((question) => question.required && question.default === undefined).map((question) => question.variable)
    : [];
  return {
    // AWX: false as soon as the template prompts for anything on launch, or its survey needs an answer.
    can_start_without_user_input: !template.ask_variables_on_launch && !template.ask_credential_on_launch && needed.length === 0,
    passwords_needed_to_start: [],
    ask_variables_on_launch: template.ask_variables_on_launch,
    ask_credential_on_launch: template.ask_credential_on_launch,
    survey_enabled: template.survey_enabled,
    variables_needed_to_start: needed,
    credential_needed_to_start: false,
    inventory_needed_to_start: false,
    job_template_data: { name: template.name, id: template.id, description: '' },
    defaults: {
      extra_vars: template.extra_vars,
      credentials: template.credentials.map((id) => ({
        id,
        name: store.credentials.get(id)?.name,
        credential_type: store.credentials.get(id)?.credential_type,
        passwords_needed: [],
      })),
    },
  };
}

/** GET job_templates/:id/survey_spec/: {} for a template that never had a survey; a stored question always has a name and a type. */
export function surveySpec(template: JobTemplate) {
  if (template.survey_spec.length === 0 && !template.survey_enabled) return {};
  return {
    name: '',
    description: '',
    spec: template.survey_spec.map((question) => ({ question_name: question.variable, type: 'text', required: false, ...question })),
  };
}

/** POST job_templates/:id/launch/: the job starts its run at once. */
export function launch(
  { store, runner }: { store: AwxStore; runner: JobRunner },
  template: JobTemplate,
  body: Record<string, unknown>,
): [number, unknown, Record<string, string>] {
  store.launches.push({ templateId: template.id, body: structuredClone(body) });
  const ignored: Record<string, unknown> = {};
  const extraVars = launchVariables(template, body.extra_vars, ignored);
  const credentials =
    body.credentials === undefined ? [...template.credentials] : launchCredentials(store, template, body.credentials, ignored);
  const job: Job = {
    id: store.nextId.job++,
    job_template: template.id,
    name: template.name,
    status: 'pending',
    failed: false,
    launch_type: 'manual',
    extra_vars: JSON.stringify(extraVars),
    credentials,
    job_explanation: '',
    result_traceback: '',
    created: now(),
    started: null,
    finished: null,
    canceled_on: null,
    elapsed: 0,
    events: [],
    credentialsAtStart: {},
  };
  store.jobs.set(job.id, job);
  runner.run(job);
  return [201, { job: job.id, ignored_fields: ignored, ...showJob(job, template) }, { Location: `/api/v2/jobs/${job.id}/` }];
}

function launchVariables(template: JobTemplate, requested: unknown, ignored: Record<string, unknown>): Record<string, unknown> {
  let extraVars: Record<string, unknown> = {};
  if (requested !== undefined) {
    const parsed =
      typeof requested === 'string' ? (JSON.parse(requested || '{}') as Record<string, unknown>) : (requested as Record<string, unknown>);
    if (template.ask_variables_on_launch) extraVars = parsed;
    else {
      // Without the prompt only the survey's variables get through; AWX reports the rest as ignored.
      const asked = new Set(template.survey_enabled ? template.survey_spec.map((question) => question.variable) : []);
      const rest = Object.fromEntries(Object.entries(parsed).filter(([name]) => !asked.has(name)));
      extraVars = Object.fromEntries(Object.entries(parsed).filter(([name]) => asked.has(name)));
      if (Object.keys(rest).length > 0) ignored.extra_vars = rest;
    }
  }
  // AWX fills in the defaults of the survey questions the launch did not answer.
  if (template.survey_enabled)
    for (const question of template.survey_spec)
      if (question.default !== undefined && !(question.variable in extraVars)) extraVars[question.variable] = question.default;
  return extraVars;
}

function launchCredentials(store: AwxStore, template: JobTemplate, requestedIds: unknown, ignored: Record<string, unknown>): number[] {
  const requested = (requestedIds as unknown[]).map(Number);
  const missing = requested.find((id) => !store.credentials.has(id));
  if (missing !== undefined) throw badRequest({ credentials: [`Invalid pk "${missing}" - object does not exist.`] });
  if (!template.ask_credential_on_launch) {
    // AWX reports only the credentials the template does not already carry.
    const extra = requested.filter((id) => !template.credentials.includes(id));
    if (extra.length > 0) ignored.credentials = extra;
    return [...template.credentials];
  }
  const typeOf = (id: number) => store.credentialTypes.get(store.credentials.get(id)?.credential_type ?? -1);
  const seen = new Map<number, number>();
  for (const id of requested) {
    const type = typeOf(id);
    if (!type || !LAUNCHABLE_KINDS.has(type.kind))
      throw badRequest({ credentials: [`Cannot assign a Credential of kind \`${type?.kind}\``] });
    if (seen.has(type.id) && type.kind !== 'vault') throw badRequest({ credentials: [`Cannot assign multiple ${type.name} credentials.`] });
    seen.set(type.id, id);
  }
  const dropped = template.credentials.filter((id) => !requested.includes(id) && !seen.has(typeOf(id)?.id ?? -1));
  if (dropped.length > 0) {
    const names = dropped.map((id) => `${store.credentials.get(id)?.name}-${id}`).join(', ');
    throw badRequest({
      credentials: [
        `Removing ${typeOf(dropped[0] ?? -1)?.name} credential at launch time without replacement is not supported. Provided list lacked credential(s): ${names}.`,
      ],
    });
  }
  return requested;
}
