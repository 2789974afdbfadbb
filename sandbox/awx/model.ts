/** The AWX objects the sandbox keeps (reference A3–A6), and how they are shown through the API. */

export interface CredentialType {
  id: number;
  name: string;
  kind: string;
  managed: boolean;
  namespace: string | null;
  description: string;
  inputs: { fields?: { id: string; label: string; type?: string; secret?: boolean }[]; required?: string[] };
  injectors: { env?: Record<string, string>; extra_vars?: Record<string, unknown>; file?: Record<string, string> };
  created: string;
}

export interface Credential {
  id: number;
  name: string;
  description: string;
  credential_type: number;
  organization: number | null;
  managed: boolean;
  /** Stored inputs; secret ones are shown as $encrypted$. */
  inputs: Record<string, string>;
  created: string;
}

export interface JobTemplate {
  id: number;
  name: string;
  organization: number;
  playbook: string;
  extra_vars: string;
  ask_variables_on_launch: boolean;
  ask_credential_on_launch: boolean;
  survey_enabled: boolean;
  /** The survey's questions (AWX keeps only these variables at launch when variables are not prompted for). */
  survey_spec: SurveyQuestion[];
  /** AWX's default is false: a second job of the template waits in pending while one runs. */
  allow_simultaneous: boolean;
  /** The template's own credentials, in AWX order. */
  credentials: number[];
  created: string;
}

export interface SurveyQuestion {
  variable: string;
  required?: boolean;
  default?: unknown;
}

export interface JobEvent {
  counter: number;
  event: string;
  stdout: string;
  created: string;
}

export interface Job {
  id: number;
  job_template: number;
  name: string;
  status: string;
  failed: boolean;
  launch_type: string;
  extra_vars: string;
  credentials: number[];
  job_explanation: string;
  result_traceback: string;
  created: string;
  started: string | null;
  finished: string | null;
  canceled_on: string | null;
  elapsed: number;
  events: JobEvent[];
  /** While AWX is still saving a finished job's events: how many are in so far. */
  eventsSaved?: number;
  /** Whether each attached credential existed when the job started (for tests: credentials live during the run). */
  credentialsAtStart: Record<number, boolean>;
}

/** The events AWX has saved so far (what the API shows). */
export function savedEvents(job: Job): JobEvent[] {
  return job.eventsSaved === undefined ? job.events : job.events.slice(0, job.eventsSaved);
}

/** Base fields every AWX object carries. */
function base(type: string, id: number, url: string, created: string, related: Record<string, string> = {}) {
  return { id, type, url, related, created, modified: created };
}

export function showCredentialType(type: CredentialType) {
  return { ...base('credential_type', type.id, `/api/v2/credential_types/${type.id}/`, type.created), ...type, summary_fields: {} };
}

export function showCredential(credential: Credential, type: CredentialType | undefined) {
  const secretFields = new Set((type?.inputs.fields ?? []).filter((field) => field.secret).map((field) => field.id));
  const inputs = Object.fromEntries(
    Object.entries(credential.inputs).map(([key, value]) => [key, secretFields.has(key) ? '$encrypted$' : value]),
  );
  return {
    ...base('credential', credential.id, `/api/v2/credentials/${credential.id}/`, credential.created),
    ...credential,
    inputs,
    // AWX shows the type's namespace here: "ssh" for Machine, null for a custom type.
    kind: type?.namespace ?? null,
    cloud: type?.kind === 'cloud',
    kubernetes: type?.kind === 'kubernetes',
    summary_fields: { credential_type: type ? { id: type.id, name: type.name, description: type.description } : {} },
  };
}

export function showTemplate(template: JobTemplate, credentials: (Credential & { kind: string })[]) {
  const { credentials: _ids, survey_spec: _survey, ...fields } = template;
  return {
    ...base('job_template', template.id, `/api/v2/job_templates/${template.id}/`, template.created, {
      launch: `/api/v2/job_templates/${template.id}/launch/`,
      credentials: `/api/v2/job_templates/${template.id}/credentials/`,
      jobs: `/api/v2/job_templates/${template.id}/jobs/`,
    }),
    ...fields,
    description: '',
    inventory: 1,
    project: 1,
    summary_fields: {
      credentials: credentials.map((credential) => ({
        id: credential.id,
        name: credential.name,
        kind: credential.kind,
        cloud: credential.kind === 'cloud',
      })),
    },
  };
}

export function showJob(job: Job, template: JobTemplate | undefined) {
  const { events: _events, eventsSaved: _saved, credentialsAtStart: _start, credentials, ...fields } = job;
  return {
    ...base('job', job.id, `/api/v2/jobs/${job.id}/`, job.created, {
      stdout: `/api/v2/jobs/${job.id}/stdout/`,
      cancel: `/api/v2/jobs/${job.id}/cancel/`,
      job_events: `/api/v2/jobs/${job.id}/job_events/`,
      job_template: `/api/v2/job_templates/${job.job_template}/`,
    }),
    ...fields,
    unified_job_template: job.job_template,
    description: '',
    // AWX saves a job's events after its status (see JobRunner.eventProcessingMs).
    event_processing_finished: job.finished !== null && job.eventsSaved === undefined,
    summary_fields: {
      job_template: template ? { id: template.id, name: template.name } : {},
      credentials: credentials.map((id) => ({ id })),
    },
  };
}
