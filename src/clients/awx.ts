/**
 * AWX / Ansible Automation Platform REST API v2 client on undici: one keep-alive pool per base URL, bearer token,
 * connect / headers / body timeouts, TLS verified (with an optional CA file) unless the insecure flag is set, names
 * URL-encoded, lists paginated by following `next`, redirects refused rather than followed (a redirected POST would
 * become a GET), and typed errors with the HTTP status and a short body summary that never holds the token or a
 * secret value. Decisions are keyed on status codes, never on error text.
 */
import { readFileSync } from 'node:fs';
import { Agent } from 'undici';
import { AWX_ACTIVE_STATES } from '../domain/awx-status.ts';
import { AWX_EXECUTION_MARKER_VAR } from '../domain/constants.ts';
import { AwxError } from './awx-errors.ts';
import { awxCall, type CallOptions } from './awx-transport.ts';
import type {
  AwxClient,
  AwxCredential,
  AwxCredentialBody,
  AwxCredentialType,
  AwxCredentialTypeBody,
  AwxJob,
  AwxJobTemplate,
  AwxLaunchInfo,
  AwxLaunchResult,
  AwxPage,
  AwxSurveySpec,
} from './awx-types.ts';

export { AwxError, summarize, summarizeKeys } from './awx-errors.ts';
export type * from './awx-types.ts';
export { AWX_EXECUTION_MARKER_VAR };

export interface AwxHttpClientOptions {
  /** Controller base URL, e.g. https://awx.example.com (the API lives under apiPath). */
  baseUrl: string;
  token: string;
  /** /api/v2 (AWX, AAP ≤ 2.4) or /api/controller/v2 (behind the AAP 2.5 gateway). */
  apiPath?: string;
  caFile?: string;
  /** Disables TLS verification. Only ever on purpose. */
  insecureSkipTlsVerify?: boolean;
  connectTimeoutMs?: number;
  /** Headers and body timeout per request. */
  requestTimeoutMs?: number;
}

const MAX_PAGES = 100;
/** The launch is never retried by the client, and its activity must learn its fate well before the activity times out. */
const LAUNCH_TIMEOUT_CAP_MS = 30_000;
const AWX_ACTIVE_STATUS_LIST = [...AWX_ACTIVE_STATES].join(',');

/** Terminal colour codes in Ansible output. */
const ANSI_ESCAPES = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

export class AwxHttpClient implements AwxClient {
  private readonly base: string;
  private readonly apiPath: string;
  private readonly token: string;
  private readonly dispatcher: Agent;
  private readonly requestTimeoutMs: number;

  constructor(options: AwxHttpClientOptions) {
    this.base = options.baseUrl.replace(/\/+$/, '');
    this.apiPath = `/${(options.apiPath ?? '/api/v2').replace(/^\/+|\/+$/g, '')}`;
    this.token = options.token;
    const timeout = options.requestTimeoutMs ?? 30_000;
    this.requestTimeoutMs = timeout;
    this.dispatcher = new Agent({
      connect: {
        timeout: options.connectTimeoutMs ?? 10_000,
        rejectUnauthorized: !options.insecureSkipTlsVerify,
        ...(options.caFile ? { ca: readFileSync(options.caFile) } : {}),
      },
      headersTimeout: timeout,
      bodyTimeout: timeout,
      keepAliveTimeout: 30_000,
    });
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  sensitiveValues(): string[] {
    return [this.token];
  }

  /** A path under the API root ("job_templates/10/launch/") or a relative `next` link ("/api/v2/...?page=2"). */
  private url(path: string, query?: Record<string, string | number>): string {
    const full = path.startsWith('/') ? `${this.base}${path}` : `${this.base}${this.apiPath}/${path}`;
    const search = query
      ? `?${new URLSearchParams(Object.entries(query).map(([key, value]): [string, string] => [key, String(value)])).toString()}`
      : '';
    return `${full}${search}`;
  }

  private call(operation: string, method: 'GET' | 'POST' | 'DELETE', url: string, options: CallOptions) {
    return awxCall({ dispatcher: this.dispatcher, token: this.token }, operation, method, url, options);
  }

  private async list<T>(operation: string, path: string, query: Record<string, string | number>, maxPages = MAX_PAGES): Promise<T[]> {
    const items: T[] = [];
    let url: string | undefined = this.url(path, { page_size: 200, ...query });
    for (let page = 0; url && page < maxPages; page++) {
      const { json } = await this.call(operation, 'GET', url, { expect: [200] });
      const body = json as AwxPage<T>;
      items.push(...(body.results ?? []));
      url = body.next ? this.url(body.next) : undefined;
    }
    return items;
  }

  private async launch(templateId: number, extraVars: Record<string, unknown>, credentialIds?: number[]): Promise<AwxLaunchResult> {
    const body = {
      ...(Object.keys(extraVars).length > 0 ? { extra_vars: extraVars } : {}),
      ...(credentialIds && credentialIds.length > 0 ? { credentials: credentialIds } : {}),
    };
    const { json } = await this.call('launch', 'POST', this.url(`job_templates/${templateId}/launch/`), {
      body,
      expect: [201],
      timeoutMs: Math.min(this.requestTimeoutMs, LAUNCH_TIMEOUT_CAP_MS),
    });
    const result = json as { id?: number; job?: number; ignored_fields?: Record<string, unknown> };
    const jobId = result.job ?? result.id;
    if (typeof jobId !== 'number') throw new AwxError('launch', 'returned 201 without a job id', 502);
    return { jobId, ignoredFields: result.ignored_fields ?? {} };
  }

  launchJobTemplate(templateId: number, extraVars: Record<string, unknown>): Promise<AwxLaunchResult> {
    return this.launch(templateId, extraVars);
  }

  launchJobTemplateWithCredentials(
    templateId: number,
    extraVars: Record<string, unknown>,
    credentialIds: number[],
  ): Promise<AwxLaunchResult> {
    return this.launch(templateId, extraVars, credentialIds);
  }

  async getJob(jobId: number): Promise<AwxJob> {
    return (await this.call('status', 'GET', this.url(`jobs/${jobId}/`), { expect: [200] })).json as AwxJob;
  }

  async cancelJob(jobId: number): Promise<'requested' | 'notCancelable'> {
    try {
      await this.call('cancel', 'POST', this.url(`jobs/${jobId}/cancel/`), { expect: [200, 202] });
      return 'requested';
    } catch (error) {
      if (error instanceof AwxError && error.status === 405) return 'notCancelable';
      throw error;
    }
  }

  async findJobTemplateByName(name: string): Promise<AwxJobTemplate | undefined> {
    return (await this.list<AwxJobTemplate>('template search', 'job_templates/', { name }, 1))[0];
  }

  async getJobTemplate(templateId: number): Promise<AwxJobTemplate | undefined> {
    try {
      return (await this.call('template', 'GET', this.url(`job_templates/${templateId}/`), { expect: [200] })).json as AwxJobTemplate;
    } catch (error) {
      if (error instanceof AwxError && error.status === 404) return undefined;
      throw error;
    }
  }

  async getLaunchInfo(templateId: number): Promise<AwxLaunchInfo> {
    return (await this.call('launch info', 'GET', this.url(`job_templates/${templateId}/launch/`), { expect: [200] }))
      .json as AwxLaunchInfo;
  }

  async getSurveySpec(templateId: number): Promise<AwxSurveySpec> {
    return ((await this.call('survey spec', 'GET', this.url(`job_templates/${templateId}/survey_spec/`), { expect: [200] })).json ??
      {}) as AwxSurveySpec;
  }

  getJobTemplateCredentials(templateId: number): Promise<AwxCredential[]> {
    return this.list<AwxCredential>('credentials', `job_templates/${templateId}/credentials/`, {});
  }

  listJobTemplateJobs(templateId: number, createdSince: Date, options: { activeOnly?: boolean } = {}): Promise<AwxJob[]> {
    return this.list<AwxJob>(
      'template jobs',
      `job_templates/${templateId}/jobs/`,
      {
        order_by: '-id',
        created__gte: createdSince.toISOString(),
        ...(options.activeOnly ? { status__in: AWX_ACTIVE_STATUS_LIST } : {}),
      },
      20,
    );
  }

  async createCredentialType(body: AwxCredentialTypeBody): Promise<number> {
    const { json } = await this.call('create credential type', 'POST', this.url('credential_types/'), { body, expect: [201] });
    return (json as { id: number }).id;
  }

  async findCredentialTypeByName(name: string): Promise<AwxCredentialType | undefined> {
    return (await this.list<AwxCredentialType>('credential type search', 'credential_types/', { name }, 1))[0];
  }

  async createCredential(body: AwxCredentialBody): Promise<number> {
    const { json } = await this.call('create credential', 'POST', this.url('credentials/'), { body, expect: [201], sensitiveBody: true });
    return (json as { id: number }).id;
  }

  async getCredential(credentialId: number): Promise<AwxCredential | undefined> {
    const { status, json } = await this.call('read credential', 'GET', this.url(`credentials/${credentialId}/`), { expect: [200, 404] });
    return status === 200 ? (json as AwxCredential) : undefined;
  }

  findCredentialsByName(name: string): Promise<AwxCredential[]> {
    return this.list<AwxCredential>('credential search', 'credentials/', { name });
  }

  /** Credentials whose name starts with `prefix` (one execution's, or every ephemeral one for the sweeper). */
  findCredentialsByPrefix(prefix: string, maxPages = MAX_PAGES): Promise<AwxCredential[]> {
    return this.list<AwxCredential>('credential search', 'credentials/', { name__startswith: prefix, order_by: 'id' }, maxPages);
  }

  /** Jobs not finished yet (new, pending, waiting, running), oldest first. */
  listActiveJobs(maxPages = MAX_PAGES): Promise<AwxJob[]> {
    return this.list<AwxJob>('active jobs', 'jobs/', { status__in: AWX_ACTIVE_STATUS_LIST, order_by: 'id' }, maxPages);
  }

  async deleteCredential(credentialId: number): Promise<'deleted' | 'notFound'> {
    const url = this.url(`credentials/${credentialId}/`);
    try {
      await this.call('delete credential', 'DELETE', url, { expect: [204] });
      return 'deleted';
    } catch (error) {
      if (!(error instanceof AwxError && error.status === 404)) throw error;
    }
    // A 404 is believed only once a read agrees: a credential holding Secret values must not be left on a wrong answer.
    const read = await this.call('read credential', 'GET', url, { expect: [200, 404] });
    if (read.status === 200)
      throw new AwxError('delete credential', `answered 404 for credential ${credentialId}, which is still there`, undefined);
    return 'notFound';
  }

  async getJobOutputTail(jobId: number, maxBytes: number): Promise<string> {
    const { json } = await this.call('job events', 'GET', this.url(`jobs/${jobId}/job_events/`, { order_by: '-counter', page_size: 50 }), {
      expect: [200],
    });
    // Event stdout begins with "\r\n" (AWX 24.6.1): normalise line ends and drop the blank lines that leaves.
    const lines = ((json as AwxPage<{ stdout?: string }>).results ?? [])
      .reverse()
      .flatMap((event) => (event.stdout ?? '').replace(ANSI_ESCAPES, '').split(/\r\n?|\n/))
      .filter((line) => line.trim());
    const text = lines.join('\n').trim();
    return text.length > maxBytes ? `…${text.slice(text.length - maxBytes)}` : text;
  }
}
