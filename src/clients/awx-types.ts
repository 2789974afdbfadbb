/** The parts of AWX API v2 objects the executor reads (reference A3–A6). */

export interface AwxPage<T> {
  count?: number;
  next?: string | null;
  previous?: string | null;
  results: T[];
}

export interface AwxJobTemplate {
  id: number;
  name: string;
  organization?: number | null;
  ask_variables_on_launch?: boolean;
  ask_credential_on_launch?: boolean;
  survey_enabled?: boolean;
}

export interface AwxLaunchInfo {
  ask_variables_on_launch?: boolean;
  ask_credential_on_launch?: boolean;
  survey_enabled?: boolean;
  can_start_without_user_input?: boolean;
  passwords_needed_to_start?: string[];
  variables_needed_to_start?: string[];
}

/** One question of a job template's survey: AWX keeps its `variable` at launch even when variables are not prompted for. */
export interface AwxSurveyQuestion {
  variable: string;
  question_name?: string;
  required?: boolean;
  type?: string;
  default?: unknown;
}

/** GET job_templates/<id>/survey_spec/: `{}` for a template that never had a survey. */
export interface AwxSurveySpec {
  name?: string;
  description?: string;
  spec?: AwxSurveyQuestion[];
}

export interface AwxJob {
  id: number;
  status: string;
  failed?: boolean;
  job_template?: number | null;
  /** A JSON string, as AWX returns it. */
  extra_vars?: string;
  job_explanation?: string;
  result_traceback?: string;
  created?: string;
  started?: string | null;
  finished?: string | null;
  /** False while AWX is still saving the job's events (after its status changed). */
  event_processing_finished?: boolean;
}

export interface AwxLaunchResult {
  jobId: number;
  /** Fields AWX dropped because the template does not prompt for them on launch. */
  ignoredFields: Record<string, unknown>;
}

export interface AwxCredential {
  id: number;
  name: string;
  description?: string;
  created?: string;
  credential_type: number;
  organization?: number | null;
  managed?: boolean;
}

export interface AwxCredentialType {
  id: number;
  name: string;
  kind: string;
  managed?: boolean;
  inputs?: { fields?: { id: string }[] };
}

export interface AwxCredentialTypeBody {
  name: string;
  kind: string;
  description?: string;
  inputs: unknown;
  injectors: unknown;
}

export interface AwxCredentialBody {
  name: string;
  credential_type: number;
  organization: number;
  description?: string;
  /** Secret values: sent to AWX, never logged or put in an error. */
  inputs: Record<string, string>;
}

/**
 * The operations the ansible executor needs: upstream's eleven (launch, launch with credentials, job status, cancel,
 * template by name, template credentials, credential type create / find by name, credential create / delete) and the
 * ones that make it crash-safe and observable (template by id, launch info, jobs of a template, credentials by name,
 * the tail of a job's output).
 */
export interface AwxClient {
  launchJobTemplate(templateId: number, extraVars: Record<string, unknown>): Promise<AwxLaunchResult>;
  launchJobTemplateWithCredentials(
    templateId: number,
    extraVars: Record<string, unknown>,
    credentialIds: number[],
  ): Promise<AwxLaunchResult>;
  getJob(jobId: number): Promise<AwxJob>;
  /** "requested" when AWX accepted the cancel, "notCancelable" when the job had already finished (405). */
  cancelJob(jobId: number): Promise<'requested' | 'notCancelable'>;
  findJobTemplateByName(name: string): Promise<AwxJobTemplate | undefined>;
  getJobTemplate(templateId: number): Promise<AwxJobTemplate | undefined>;
  getLaunchInfo(templateId: number): Promise<AwxLaunchInfo>;
  /** The template's survey (its questions, whether or not survey_enabled is on). */
  getSurveySpec(templateId: number): Promise<AwxSurveySpec>;
  getJobTemplateCredentials(templateId: number): Promise<AwxCredential[]>;
  /** Jobs of a template, newest first, created at or after `createdSince`. */
  listJobTemplateJobs(templateId: number, createdSince: Date, options?: { activeOnly?: boolean }): Promise<AwxJob[]>;
  createCredentialType(body: AwxCredentialTypeBody): Promise<number>;
  /** undefined only on a real not-found (count 0); auth and transport errors throw (§9.2 item 4). */
  findCredentialTypeByName(name: string): Promise<AwxCredentialType | undefined>;
  createCredential(body: AwxCredentialBody): Promise<number>;
  /** undefined on a 404. */
  getCredential(credentialId: number): Promise<AwxCredential | undefined>;
  findCredentialsByName(name: string): Promise<AwxCredential[]>;
  /** Credentials whose name starts with the prefix, oldest first. */
  findCredentialsByPrefix(prefix: string, maxPages?: number): Promise<AwxCredential[]>;
  /** Jobs that have not finished (new, pending, waiting, running), oldest first. */
  listActiveJobs(maxPages?: number): Promise<AwxJob[]>;
  /** "deleted", or "notFound" when it was already gone (404). */
  deleteCredential(credentialId: number): Promise<'deleted' | 'notFound'>;
  /** Values this client holds that must never appear in text it hands back (its token). */
  sensitiveValues?(): string[];
  /** The last lines of a job's output, read from its events newest first (never the whole stdout). */
  getJobOutputTail(jobId: number, maxBytes: number): Promise<string>;
}
