/**
 * The objects the AWX sandbox keeps — credential types, credentials, job templates, jobs — with the ids AWX would hand
 * out, the objects every AWX starts with, lookups that answer 404 as AWX does, and how objects are shown with their
 * relations resolved.
 */
import { now } from '../clock.ts';
import { HttpError, notFound } from './errors.ts';
import { JobRunner } from './jobs.ts';
import {
  type Credential,
  type CredentialType,
  type Job,
  type JobTemplate,
  type SurveyQuestion,
  showCredential,
  showTemplate,
} from './model.ts';

export interface TemplateSeed {
  id?: number;
  name: string;
  askVariablesOnLaunch?: boolean;
  askCredentialOnLaunch?: boolean;
  /** Ids of seeded credentials the template carries. */
  credentials?: number[];
  /** A survey (survey_enabled on): its questions' variables and defaults. */
  survey?: SurveyQuestion[];
  /**
   * AWX defaults to false (a second job of the template stays pending while one runs); the sandbox defaults to true
   * so that tests running several executions on one template at once keep their jobs running side by side.
   */
  allowSimultaneous?: boolean;
}

export class AwxStore {
  readonly credentialTypes = new Map<number, CredentialType>();
  readonly credentials = new Map<number, Credential>();
  readonly templates = new Map<number, JobTemplate>();
  readonly jobs = new Map<number, Job>();
  /** Credential creates per name. */
  readonly credentialCreates = new Map<string, number>();
  credentialDeletes = 0;
  /** Every launch request body, in order (tests check what was sent). */
  readonly launches: { templateId: number; body: Record<string, unknown> }[] = [];
  readonly nextId = { credentialType: 100, credential: 1000, template: 50, job: 5000 };

  constructor() {
    const created = now();
    for (const type of managedCredentialTypes(created)) this.credentialTypes.set(type.id, type);
    const demo = (id: number, name: string, credentialType: number, inputs: Record<string, string>): Credential => ({
      id,
      name,
      description: '',
      credential_type: credentialType,
      organization: 1,
      managed: false,
      inputs,
      created,
    });
    this.credentials.set(100, demo(100, 'demo-machine', 1, { username: 'ansible' }));
    this.credentials.set(200, demo(200, 'demo-vault', 3, {}));
  }

  addTemplate(seed: TemplateSeed): JobTemplate {
    const id = seed.id ?? this.nextId.template++;
    const template: JobTemplate = {
      id,
      name: seed.name,
      organization: 1,
      playbook: `${seed.name}.yml`,
      extra_vars: '---',
      ask_variables_on_launch: seed.askVariablesOnLaunch ?? true,
      ask_credential_on_launch: seed.askCredentialOnLaunch ?? true,
      survey_enabled: seed.survey !== undefined,
      survey_spec: seed.survey ?? [],
      allow_simultaneous: seed.allowSimultaneous ?? true,
      credentials: seed.credentials ?? [],
      created: now(),
    };
    this.templates.set(id, template);
    return template;
  }

  jobsOf(templateId: number): Job[] {
    return [...this.jobs.values()].filter((job) => job.job_template === templateId);
  }

  /** AWX's task manager: a job waits while an older job of its template is active, unless the template allows simultaneous jobs. */
  mustWait(job: Job): boolean {
    if (this.templates.get(job.job_template)?.allow_simultaneous ?? true) return false;
    return this.jobsOf(job.job_template).some(
      (other) => other.id !== job.id && JobRunner.isActive(other) && (other.id < job.id || other.status !== 'pending'),
    );
  }

  template(id: number | undefined): JobTemplate {
    return found(id === undefined ? undefined : this.templates.get(id), 'JobTemplate');
  }

  job(id: number | undefined): Job {
    return found(id === undefined ? undefined : this.jobs.get(id), 'Job');
  }

  credential(id: number | undefined): Credential {
    return found(id === undefined ? undefined : this.credentials.get(id), 'Credential');
  }

  credentialType(id: number | undefined): CredentialType {
    return found(id === undefined ? undefined : this.credentialTypes.get(id), 'CredentialType');
  }

  credentialView(credential: Credential | undefined) {
    if (!credential) throw notFound();
    return showCredential(credential, this.credentialTypes.get(credential.credential_type));
  }

  templateView(template: JobTemplate) {
    const credentials = template.credentials
      .map((id) => this.credentials.get(id))
      .filter((credential): credential is Credential => credential !== undefined)
      .map((credential) => ({ ...credential, kind: this.credentialTypes.get(credential.credential_type)?.kind ?? '' }));
    return showTemplate(template, credentials);
  }
}

function found<T>(object: T | undefined, model: string): T {
  if (!object) throw new HttpError(404, { detail: `No ${model} matches the given query.` });
  return object;
}

/** The credential types every AWX ships with (the ones the sandbox's templates and tests use). */
function managedCredentialTypes(created: string): CredentialType[] {
  const managed = (id: number, name: string, kind: string, fields: CredentialType['inputs']['fields'] = []): CredentialType => ({
    id,
    name,
    kind,
    managed: true,
    namespace: kind,
    description: '',
    inputs: { fields },
    injectors: {},
    created,
  });
  return [
    // AWX's Machine inputs (a launch may swap the template's Machine credential for another one).
    managed(1, 'Machine', 'ssh', [
      { id: 'username', label: 'Username', type: 'string' },
      { id: 'password', label: 'Password', type: 'string', secret: true },
      { id: 'ssh_key_data', label: 'SSH Private Key', type: 'string', secret: true },
      { id: 'ssh_key_unlock', label: 'Private Key Passphrase', type: 'string', secret: true },
      { id: 'become_method', label: 'Privilege Escalation Method', type: 'string' },
      { id: 'become_username', label: 'Privilege Escalation Username', type: 'string' },
      { id: 'become_password', label: 'Privilege Escalation Password', type: 'string', secret: true },
    ]),
    managed(2, 'Source Control', 'scm'),
    managed(3, 'Vault', 'vault'),
    managed(17, 'OpenShift or Kubernetes API Bearer Token', 'kubernetes'),
  ];
}
