/**
 * A local server speaking the subset of the AWX / AAP controller REST API v2 the executor uses, faithful in paths
 * (trailing slashes), status codes, error bodies, pagination (relative next links), bearer auth, credential type
 * uniqueness, launch validation against ask_*_on_launch (ignored_fields, not 400s) and the one-credential-per-type rule,
 * job states, cancel (202 / 405) and output; plus fault injection and counters for chaos tests (reference Part A).
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { AWX_EXECUTION_MARKER_VAR, EPHEMERAL_CREDENTIAL_PREFIX } from '../../src/domain/constants.ts';
import { now } from '../clock.ts';
import type { SandboxOutcome } from '../conventions.ts';
import { FaultInjector } from '../faults.ts';
import { type CallDescription, describeCall, type Interception, Interceptor, type InterceptRule } from '../intercept.ts';
import { createLoopbackServingCertificate } from '../tls.ts';
import { JobRunner } from './jobs.ts';
import {
  type Credential,
  type CredentialType,
  type Job,
  type JobTemplate,
  type SurveyQuestion,
  savedEvents,
  showCredential,
  showCredentialType,
  showJob,
  showTemplate,
} from './model.ts';

export interface TemplateSeed {
  id?: number;
  name: string;
  askVariablesOnLaunch?: boolean;
  askCredentialOnLaunch?: boolean;
  /** Names of seeded credentials the template carries. */
  credentials?: number[];
  /** A survey (survey_enabled on): its questions' variables and defaults. */
  survey?: SurveyQuestion[];
  /**
   * AWX defaults to false (a second job of the template stays pending while one runs); the sandbox defaults to true
   * so that tests running several executions on one template at once keep their jobs running side by side.
   */
  allowSimultaneous?: boolean;
}

export interface AwxSandboxOptions {
  token?: string;
  port?: number;
  /** Serve HTTPS with a generated CA (caPem); plain HTTP otherwise. */
  tls?: boolean;
  templates?: TemplateSeed[];
}

class HttpError extends Error {
  readonly status: number;
  readonly body: unknown;
  constructor(status: number, body: unknown) {
    super(`AWX sandbox ${status}`);
    this.status = status;
    this.body = body;
  }
}

const notFound = () => new HttpError(404, { detail: 'Not found.' });
/** The detail AWX gives with each status an intercepted call may be answered with. */
const INTERCEPTED_DETAIL: Record<number, string> = {
  400: 'Bad request.',
  403: 'You do not have permission to perform this action.',
  404: 'Not found.',
  409: 'Conflict: the resource was modified by another request.',
  500: 'A server error has occurred.',
};
const badRequest = (body: unknown) => new HttpError(400, body);
const FIELD_ID = /^[a-zA-Z_]+[a-zA-Z0-9_]*$/;
const ENV_NAME = /^[a-zA-Z_]+[a-zA-Z0-9_]*$/;
const LAUNCHABLE_KINDS = new Set(['ssh', 'vault', 'cloud', 'net', 'kubernetes']);

export class AwxSandbox {
  readonly faults = new FaultInjector();
  readonly token: string;
  url = '';
  caPem = '';
  readonly credentialTypes = new Map<number, CredentialType>();
  readonly credentials = new Map<number, Credential>();
  readonly templates = new Map<number, JobTemplate>();
  readonly jobs = new Map<number, Job>();
  /** Credential creates per name, credential deletes, requests by "METHOD status". */
  readonly credentialCreates = new Map<string, number>();
  credentialDeletes = 0;
  readonly requests = new Map<string, number>();
  /** Every launch request body, in order (tests check what was sent). */
  readonly launches: { templateId: number; body: Record<string, unknown> }[] = [];
  /** Scripted failures: the next `times` requests matching method and path get `status`. */
  private readonly scripted: { method: string; path: RegExp; status: number; times: number }[] = [];
  private readonly interceptor = new Interceptor();
  /** Called after each request is answered (chaos tests kill the worker at chosen moments). */
  afterRequest?: (method: string, path: string, status: number) => void;
  readonly runner = new JobRunner(
    (id) => this.credentials.has(id),
    (job) => this.mustWait(job),
  );
  private nextId = { credentialType: 100, credential: 1000, template: 50, job: 5000 };
  private server?: Server;

  private constructor(options: AwxSandboxOptions) {
    this.token = options.token ?? 'awx-sandbox-token';
    const created = now();
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
    for (const type of [
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
    ]) {
      this.credentialTypes.set(type.id, type);
    }
    this.credentials.set(100, {
      id: 100,
      name: 'demo-machine',
      description: '',
      credential_type: 1,
      organization: 1,
      managed: false,
      inputs: { username: 'ansible' },
      created,
    });
    this.credentials.set(200, {
      id: 200,
      name: 'demo-vault',
      description: '',
      credential_type: 3,
      organization: 1,
      managed: false,
      inputs: {},
      created,
    });
    for (const seed of options.templates ?? [{ id: 10, name: 'restart-pod', credentials: [100, 200] }]) this.addTemplate(seed);
  }

  static async start(options: AwxSandboxOptions = {}): Promise<AwxSandbox> {
    const sandbox = new AwxSandbox(options);
    const handler = (request: IncomingMessage, response: ServerResponse) => {
      sandbox
        .handle(request, response)
        .catch((error) => sandbox.send(response, 500, { detail: `sandbox error: ${(error as Error).message}` }));
    };
    if (options.tls ?? true) {
      const { ca, serving } = await createLoopbackServingCertificate();
      sandbox.caPem = ca.certPem;
      sandbox.server = createHttpsServer({ cert: serving.certPem, key: serving.keyPem }, handler);
    } else {
      sandbox.server = createHttpServer(handler);
    }
    await new Promise<void>((resolve) => sandbox.server?.listen(options.port ?? 0, '127.0.0.1', resolve));
    sandbox.url = `${(options.tls ?? true) ? 'https' : 'http'}://127.0.0.1:${(sandbox.server.address() as AddressInfo).port}`;
    return sandbox;
  }

  async stop(): Promise<void> {
    this.interceptor.releaseAll();
    this.runner.stop();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
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

  /** Ephemeral credentials (kubernaut-ephemeral-*) alive right now. */
  liveEphemeralCredentials(): Credential[] {
    return [...this.credentials.values()].filter((credential) => credential.name.startsWith(EPHEMERAL_CREDENTIAL_PREFIX));
  }

  /** Jobs launched with a given execution marker (crash tests: exactly one per execution). */
  jobsWithMarker(marker: string): Job[] {
    return [...this.jobs.values()].filter(
      (job) => (JSON.parse(job.extra_vars || '{}') as Record<string, unknown>)[AWX_EXECUTION_MARKER_VAR] === marker,
    );
  }

  jobsOf(templateId: number): Job[] {
    return [...this.jobs.values()].filter((job) => job.job_template === templateId);
  }

  release(outcome: SandboxOutcome = 'success', filter?: (jobId: number) => boolean): number {
    return this.runner.release(outcome, filter);
  }

  /** Answers the next `times` requests matching the method and path (with its query) with `status` (a targeted fault). */
  failNext(method: string, path: RegExp, status: number, times = 1): void {
    this.scripted.push({ method, path, status, times });
  }

  /**
   * Answers, holds or pauses the calls a rule matches (see intercept.ts); a held or paused call is processed afterwards
   * even when its client has gone. Rules see what ids stand for: a credential's name, a job's execution marker.
   */
  intercept(rule: InterceptRule): Interception {
    return this.interceptor.add(rule);
  }

  /** Deletes a job as an AWX cleanup schedule would (GET then answers 404). */
  purgeJob(id: number): void {
    this.jobs.delete(id);
  }

  private send(response: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
    if (response.headersSent) return;
    const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
    response.writeHead(status, { 'Content-Type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json', ...headers });
    response.end(text);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = request.method ?? 'GET';
    const url = new URL(request.url ?? '/', 'http://sandbox');
    response.on('finish', () => {
      const key = `${method} ${response.statusCode}`;
      this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
      this.afterRequest?.(method, url.pathname, response.statusCode);
    });
    if (!url.pathname.startsWith('/api/v2/')) return this.send(response, 404, '<h1>Not Found</h1>');
    if (!url.pathname.endsWith('/')) return this.send(response, 301, undefined, { Location: `${url.pathname}/${url.search}` });
    if (request.headers.authorization !== `Bearer ${this.token}`) {
      return this.send(
        response,
        401,
        { detail: 'Authentication credentials were not provided. To establish a login session, visit /api/login/.' },
        { 'WWW-Authenticate': 'Bearer realm=api authorization_url=/api/o/authorize/' },
      );
    }
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const verdict = await this.interceptor.arrive(describeCall(method, url, text, this.namesIn(method, url.pathname, text)));
    try {
      if (verdict.status !== undefined)
        this.send(response, verdict.status, { detail: INTERCEPTED_DETAIL[verdict.status] ?? 'Intercepted.' });
      else await this.process(request, response, method, url, text);
    } catch (error) {
      this.send(response, 500, { detail: `sandbox error: ${(error as Error).message}` });
    } finally {
      verdict.answered(response.headersSent ? response.statusCode : 0);
    }
  }

  /** What the ids of a call stand for (rules target one execution's call on a shared path). */
  private namesIn(method: string, path: string, text: string): CallDescription['names'] {
    const markerOf = (vars: unknown): string | undefined => {
      const parsed = typeof vars === 'string' ? (JSON.parse(vars || '{}') as unknown) : vars;
      const marker = (parsed as Record<string, unknown> | undefined)?.[AWX_EXECUTION_MARKER_VAR];
      return marker === undefined ? undefined : String(marker);
    };
    try {
      const credential = /^\/api\/v2\/credentials\/(\d+)\//.exec(path);
      if (credential) {
        const stored = this.credentials.get(Number(credential[1]));
        return stored ? { credentialName: stored.name, credentialDescription: stored.description } : {};
      }
      const job = /^\/api\/v2\/jobs\/(\d+)\//.exec(path);
      if (job) {
        const stored = this.jobs.get(Number(job[1]));
        return stored ? { executionMarker: markerOf(stored.extra_vars) } : {};
      }
      if (method === 'POST' && path === '/api/v2/credentials/') {
        const body = JSON.parse(text) as { name?: unknown; description?: unknown };
        return { credentialName: String(body.name ?? ''), credentialDescription: String(body.description ?? '') };
      }
      if (method === 'POST' && /^\/api\/v2\/job_templates\/\d+\/launch\/$/.test(path))
        return { executionMarker: markerOf((JSON.parse(text) as { extra_vars?: unknown }).extra_vars) };
    } catch {
      // A body that is not JSON names nothing; the route answers it with a 400.
    }
    return {};
  }

  private async process(request: IncomingMessage, response: ServerResponse, method: string, url: URL, text: string): Promise<void> {
    const scripted = this.scripted.find(
      (entry) => entry.times > 0 && entry.method === method && entry.path.test(`${url.pathname}${url.search}`),
    );
    if (scripted) {
      scripted.times--;
      return this.send(response, scripted.status, {
        detail: scripted.status === 403 ? 'You do not have permission to perform this action.' : 'A server error has occurred.',
      });
    }
    const fault = this.faults.next();
    if (fault === 'reset') return void request.socket.destroy();
    if (fault === 'delay') await new Promise((resolve) => setTimeout(resolve, this.faults.delayMs));
    if (fault === 'error') return this.send(response, 500, { detail: 'A server error has occurred.' });
    try {
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : {};
      } catch {
        throw badRequest({ detail: `JSON parse error - ${text.slice(0, 40)}` });
      }
      const [status, result, headers] = this.route(method, url, body);
      this.send(response, status, result, headers);
    } catch (error) {
      if (error instanceof HttpError) return this.send(response, error.status, error.body);
      throw error;
    }
  }

  private route(method: string, url: URL, body: unknown): [number, unknown, Record<string, string>?] {
    const parts = url.pathname.split('/').filter(Boolean).slice(2); // after api/v2
    const [collection, idText, sub] = parts;
    const id = idText === undefined ? undefined : Number(idText);
    if (idText !== undefined && !Number.isInteger(id)) throw notFound();
    const key = `${method} ${collection}${id === undefined ? '' : '/:id'}${sub ? `/${sub}` : ''}`;
    switch (key) {
      case 'GET ping':
        return [200, { version: '24.6.1-sandbox', active_node: 'sandbox' }];
      case 'GET job_templates':
        return [
          200,
          this.page(
            url,
            [...this.templates.values()].map((template) => this.templateView(template)),
          ),
        ];
      case 'GET job_templates/:id':
        return [200, this.templateView(this.template(id))];
      case 'GET job_templates/:id/credentials':
        return [
          200,
          this.page(
            url,
            this.template(id).credentials.map((credentialId) => this.credentialView(this.credentials.get(credentialId))),
          ),
        ];
      case 'GET job_templates/:id/jobs':
        return [
          200,
          this.page(
            url,
            this.jobsOf(this.template(id).id).map((job) => showJob(job, this.templates.get(job.job_template))),
          ),
        ];
      case 'GET job_templates/:id/launch': {
        const template = this.template(id);
        return [200, this.launchInfo(template)];
      }
      case 'GET job_templates/:id/survey_spec': {
        // AWX answers {} for a template that never had a survey; a question it stores always has a name and a type.
        const template = this.template(id);
        if (template.survey_spec.length === 0 && !template.survey_enabled) return [200, {}];
        return [
          200,
          {
            name: '',
            description: '',
            spec: template.survey_spec.map((question) => ({
              question_name: question.variable,
              type: 'text',
              required: false,
              ...question,
            })),
          },
        ];
      }
      case 'POST job_templates/:id/launch':
        return this.launch(this.template(id), body as Record<string, unknown>);
      case 'GET jobs':
        return [
          200,
          this.page(
            url,
            [...this.jobs.values()].map((job) => showJob(job, this.templates.get(job.job_template))),
          ),
        ];
      case 'GET jobs/:id':
        return [200, showJob(this.job(id), this.templates.get(this.job(id).job_template))];
      case 'GET jobs/:id/cancel':
        return [200, { can_cancel: JobRunner.isActive(this.job(id)) }];
      case 'POST jobs/:id/cancel':
        if (!this.runner.cancel(this.job(id))) throw new HttpError(405, { detail: 'Method "POST" not allowed.' });
        return [202, undefined];
      case 'GET jobs/:id/stdout': {
        const text = savedEvents(this.job(id))
          .map((event) => event.stdout)
          .join('\n');
        if (url.searchParams.get('format') === 'json')
          return [200, { range: { start: 0, end: text.length, absolute_end: text.length }, content: text }];
        return [200, text];
      }
      case 'GET jobs/:id/job_events':
        return [
          200,
          this.page(
            url,
            savedEvents(this.job(id)).map((event) => ({ id: event.counter, type: 'job_event', job: id, ...event })),
          ),
        ];
      case 'GET credential_types':
        return [200, this.page(url, [...this.credentialTypes.values()].map(showCredentialType))];
      case 'POST credential_types':
        return [201, showCredentialType(this.createCredentialType(body as Record<string, unknown>))];
      case 'GET credential_types/:id':
        return [200, showCredentialType(this.credentialType(id))];
      case 'DELETE credential_types/:id': {
        const type = this.credentialType(id);
        if (type.managed || [...this.credentials.values()].some((credential) => credential.credential_type === type.id)) {
          throw new HttpError(403, { detail: 'Credential types that are in use cannot be deleted' });
        }
        this.credentialTypes.delete(type.id);
        return [204, undefined];
      }
      case 'GET credentials':
        return [
          200,
          this.page(
            url,
            [...this.credentials.values()].map((credential) => this.credentialView(credential)),
          ),
        ];
      case 'POST credentials':
        return [201, this.credentialView(this.createCredential(body as Record<string, unknown>))];
      case 'GET credentials/:id':
        return [200, this.credentialView(this.credential(id))];
      case 'DELETE credentials/:id': {
        const credential = this.credential(id);
        if (credential.managed) throw new HttpError(403, { detail: 'Deletion not allowed for managed credentials' });
        this.credentials.delete(credential.id);
        this.credentialDeletes++;
        return [204, undefined];
      }
      default:
        throw notFound();
    }
  }

  private template(id: number | undefined): JobTemplate {
    const template = id === undefined ? undefined : this.templates.get(id);
    if (!template) throw new HttpError(404, { detail: 'No JobTemplate matches the given query.' });
    return template;
  }

  /** AWX's task manager: a job waits while an older job of its template is active, unless the template allows simultaneous jobs. */
  private mustWait(job: Job): boolean {
    if (this.templates.get(job.job_template)?.allow_simultaneous ?? true) return false;
    return this.jobsOf(job.job_template).some(
      (other) => other.id !== job.id && JobRunner.isActive(other) && (other.id < job.id || other.status !== 'pending'),
    );
  }

  private job(id: number | undefined): Job {
    const job = id === undefined ? undefined : this.jobs.get(id);
    if (!job) throw new HttpError(404, { detail: 'No Job matches the given query.' });
    return job;
  }

  private credential(id: number | undefined): Credential {
    const credential = id === undefined ? undefined : this.credentials.get(id);
    if (!credential) throw new HttpError(404, { detail: 'No Credential matches the given query.' });
    return credential;
  }

  private credentialType(id: number | undefined): CredentialType {
    const type = id === undefined ? undefined : this.credentialTypes.get(id);
    if (!type) throw new HttpError(404, { detail: 'No CredentialType matches the given query.' });
    return type;
  }

  private credentialView(credential: Credential | undefined) {
    if (!credential) throw notFound();
    return showCredential(credential, this.credentialTypes.get(credential.credential_type));
  }

  private templateView(template: JobTemplate) {
    const credentials = template.credentials
      .map((id) => this.credentials.get(id))
      .filter((credential): credential is Credential => credential !== undefined)
      .map((credential) => ({ ...credential, kind: this.credentialTypes.get(credential.credential_type)?.kind ?? '' }));
    return showTemplate(template, credentials);
  }

  private launchInfo(template: JobTemplate) {
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
          name: this.credentials.get(id)?.name,
          credential_type: this.credentials.get(id)?.credential_type,
          passwords_needed: [],
        })),
      },
    };
  }

  /** List filtering (exact fields, created__gte), order_by and page-number pagination with relative links. */
  private page(url: URL, items: Record<string, unknown>[]) {
    const query = url.searchParams;
    let filtered = items;
    for (const [field, value] of query) {
      if (['page', 'page_size', 'order_by', 'format'].includes(field)) continue;
      if (field === 'created__gte') {
        const since = Date.parse(value);
        filtered = filtered.filter((item) => Date.parse(String(item.created)) >= since);
        continue;
      }
      // AWX's Django lookups that the worker uses: a name prefix (one execution's credentials) and a status set.
      if (field === 'name__startswith') {
        filtered = filtered.filter((item) => String(item.name).startsWith(value));
        continue;
      }
      if (field === 'status__in') {
        const statuses = new Set(value.split(','));
        filtered = filtered.filter((item) => statuses.has(String(item.status)));
        continue;
      }
      if (!['name', 'id', 'credential_type', 'organization', 'job_template', 'status', 'kind'].includes(field)) {
        throw badRequest({ detail: `${field} is not an allowed field name. Must be one of the model's fields.` });
      }
      filtered = filtered.filter((item) => String(item[field]) === value);
    }
    const order = query.get('order_by');
    if (order) {
      const field = order.replace(/^-/, '');
      const direction = order.startsWith('-') ? -1 : 1;
      filtered = [...filtered].sort((a, b) => (Number(a[field]) - Number(b[field])) * direction || 0);
    }
    const pageSize = Math.min(Math.max(Number(query.get('page_size') ?? 25) || 25, 1), 200);
    const page = Math.max(Number(query.get('page') ?? 1) || 1, 1);
    const start = (page - 1) * pageSize;
    const link = (target: number) => {
      const next = new URLSearchParams(query);
      next.set('page', String(target));
      return `${url.pathname}?${next.toString()}`;
    };
    return {
      count: filtered.length,
      next: start + pageSize < filtered.length ? link(page + 1) : null,
      previous: page > 1 ? link(page - 1) : null,
      results: filtered.slice(start, start + pageSize),
    };
  }

  private createCredentialType(body: Record<string, unknown>): CredentialType {
    const errors: Record<string, string[]> = {};
    const complain = (field: string, message: string): void => {
      errors[field] = [...(errors[field] ?? []), message];
    };
    const name = typeof body.name === 'string' ? body.name : '';
    if (!name) errors.name = ['This field is required.'];
    const kind = String(body.kind ?? '');
    if (kind !== 'cloud' && kind !== 'net') errors.kind = [`Must be 'cloud' or 'net', not ${kind}`];
    const inputs = (body.inputs ?? {}) as CredentialType['inputs'];
    const ids = (inputs.fields ?? []).map((field) => field.id);
    for (const id of ids) {
      if (!FIELD_ID.test(id) || id === 'tower') complain('inputs', `${id} is an invalid variable name`);
    }
    if (new Set(ids).size !== ids.length) complain('inputs', 'field IDs must be unique');
    const injectors = (body.injectors ?? {}) as CredentialType['injectors'];
    for (const key of Object.keys(injectors))
      if (!['env', 'extra_vars', 'file'].includes(key)) complain('injectors', `'${key}' is not a valid injector`);
    for (const [envName, template] of Object.entries(injectors.env ?? {})) {
      if (!ENV_NAME.test(envName) || envName.startsWith('ANSIBLE_'))
        complain('injectors', `${envName} is not a valid environment variable name`);
      for (const [, variable] of String(template).matchAll(/\{\{\s*([^}\s]+)\s*\}\}/g)) {
        if (!ids.includes(variable ?? '')) complain('injectors', `${variable} uses an undefined field (${variable} is undefined)`);
      }
    }
    if ([...this.credentialTypes.values()].some((type) => type.name === name && type.kind === kind)) {
      errors.__all__ = ['Credential type with this Name and Kind already exists.'];
    }
    if (Object.keys(errors).length > 0) throw badRequest(errors);
    const type: CredentialType = {
      id: this.nextId.credentialType++,
      name,
      kind,
      managed: false,
      namespace: null,
      description: String(body.description ?? ''),
      inputs,
      injectors,
      created: now(),
    };
    this.credentialTypes.set(type.id, type);
    return type;
  }

  private createCredential(body: Record<string, unknown>): Credential {
    const owners = ['organization', 'user', 'team'].filter((field) => body[field] !== undefined && body[field] !== null);
    if (owners.length === 0) throw badRequest({ detail: "Missing 'user', 'team', or 'organization'." });
    if (owners.length > 1)
      throw badRequest({ detail: `Only one of 'user', 'team', or 'organization' should be provided, received ${owners.length} fields.` });
    const name = typeof body.name === 'string' ? body.name : '';
    if (!name) throw badRequest({ name: ['This field is required.'] });
    const type = this.credentialTypes.get(Number(body.credential_type));
    if (!type) throw badRequest({ credential_type: [`Invalid pk "${body.credential_type}" - object does not exist.`] });
    const inputs = (body.inputs ?? {}) as Record<string, unknown>;
    const allowed = new Set((type.inputs.fields ?? []).map((field) => field.id));
    const unknown = Object.keys(inputs).filter((key) => !allowed.has(key));
    if (unknown.length > 0) {
      // AWX validates inputs with a JSON schema and answers with jsonschema's message.
      const names = unknown.map((key) => `'${key}'`).join(', ');
      throw badRequest({
        inputs: [`Additional properties are not allowed (${names} ${unknown.length === 1 ? 'was' : 'were'} unexpected)`],
      });
    }
    if (Object.values(inputs).some((value) => value === '$encrypted$'))
      throw badRequest({ inputs: ['$encrypted$ is a reserved keyword and may not be used'] });
    const credential: Credential = {
      id: this.nextId.credential++,
      name,
      description: String(body.description ?? ''),
      credential_type: type.id,
      organization: body.organization === undefined ? null : Number(body.organization),
      managed: false,
      inputs: Object.fromEntries(Object.entries(inputs).map(([key, value]) => [key, String(value)])),
      created: now(),
    };
    this.credentials.set(credential.id, credential);
    this.credentialCreates.set(name, (this.credentialCreates.get(name) ?? 0) + 1);
    return credential;
  }

  private launch(template: JobTemplate, body: Record<string, unknown>): [number, unknown, Record<string, string>] {
    this.launches.push({ templateId: template.id, body: structuredClone(body) });
    const ignored: Record<string, unknown> = {};
    let extraVars: Record<string, unknown> = {};
    if (body.extra_vars !== undefined) {
      const parsed =
        typeof body.extra_vars === 'string'
          ? (JSON.parse(body.extra_vars || '{}') as Record<string, unknown>)
          : (body.extra_vars as Record<string, unknown>);
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
    let credentials = [...template.credentials];
    if (body.credentials !== undefined) {
      const requested = (body.credentials as unknown[]).map(Number);
      const missing = requested.find((id) => !this.credentials.has(id));
      if (missing !== undefined) throw badRequest({ credentials: [`Invalid pk "${missing}" - object does not exist.`] });
      if (!template.ask_credential_on_launch) {
        // AWX reports only the credentials the template does not already carry.
        const extra = requested.filter((id) => !template.credentials.includes(id));
        if (extra.length > 0) ignored.credentials = extra;
      } else {
        const typeOf = (id: number) => this.credentialTypes.get(this.credentials.get(id)?.credential_type ?? -1);
        const seen = new Map<number, number>();
        for (const id of requested) {
          const type = typeOf(id);
          if (!type || !LAUNCHABLE_KINDS.has(type.kind))
            throw badRequest({ credentials: [`Cannot assign a Credential of kind \`${type?.kind}\``] });
          if (seen.has(type.id) && type.kind !== 'vault')
            throw badRequest({ credentials: [`Cannot assign multiple ${type.name} credentials.`] });
          seen.set(type.id, id);
        }
        const dropped = template.credentials.filter((id) => !requested.includes(id) && !seen.has(typeOf(id)?.id ?? -1));
        if (dropped.length > 0) {
          const names = dropped.map((id) => `${this.credentials.get(id)?.name}-${id}`).join(', ');
          throw badRequest({
            credentials: [
              `Removing ${typeOf(dropped[0] ?? -1)?.name} credential at launch time without replacement is not supported. Provided list lacked credential(s): ${names}.`,
            ],
          });
        }
        credentials = requested;
      }
    }
    const job: Job = {
      id: this.nextId.job++,
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
    this.jobs.set(job.id, job);
    this.runner.run(job);
    return [201, { job: job.id, ignored_fields: ignored, ...showJob(job, template) }, { Location: `/api/v2/jobs/${job.id}/` }];
  }
}
