/**
 * A local server speaking the subset of the AWX / AAP controller REST API v2 the executor uses, faithful in paths
 * (trailing slashes), status codes, error bodies, pagination (relative next links), bearer auth, credential type
 * uniqueness, launch validation against ask_*_on_launch (ignored_fields, not 400s) and the one-credential-per-type rule,
 * job states, cancel (202 / 405) and output; plus fault injection and counters for chaos tests (reference Part A).
 * The endpoints are in router.ts, the objects in store.ts, job runs in jobs.ts.
 */
import type { IncomingMessage } from 'node:http';
import { AWX_EXECUTION_MARKER_VAR, EPHEMERAL_CREDENTIAL_PREFIX } from '../../src/domain/constants.ts';
import type { SandboxOutcome } from '../conventions.ts';
import { type Reply, type SandboxCall, SandboxHttpServer } from '../http-server.ts';
import type { CallDescription } from '../intercept.ts';
import { awxErrorBodies, badRequest, HttpError } from './errors.ts';
import { JobRunner } from './jobs.ts';
import type { Credential, Job, JobTemplate } from './model.ts';
import { routeCall } from './router.ts';
import { AwxStore, type TemplateSeed } from './store.ts';

export type { TemplateSeed } from './store.ts';

export interface AwxSandboxOptions {
  token?: string;
  port?: number;
  /** Serve HTTPS with a generated CA (caPem); plain HTTP otherwise. */
  tls?: boolean;
  templates?: TemplateSeed[];
}

const UNAUTHENTICATED: Reply = {
  status: 401,
  body: { detail: 'Authentication credentials were not provided. To establish a login session, visit /api/login/.' },
  headers: { 'WWW-Authenticate': 'Bearer realm=api authorization_url=/api/o/authorize/' },
};

export class AwxSandbox extends SandboxHttpServer {
  readonly token: string;
  readonly store = new AwxStore();
  readonly credentialTypes = this.store.credentialTypes;
  readonly credentials = this.store.credentials;
  readonly templates = this.store.templates;
  readonly jobs = this.store.jobs;
  /** Credential creates per name. */
  readonly credentialCreates = this.store.credentialCreates;
  /** Every launch request body, in order (tests check what was sent). */
  readonly launches = this.store.launches;
  readonly runner = new JobRunner(
    (id) => this.credentials.has(id),
    (job) => this.store.mustWait(job),
  );
  protected readonly errors = awxErrorBodies;

  private constructor(options: AwxSandboxOptions) {
    super();
    this.token = options.token ?? 'awx-sandbox-token';
    for (const seed of options.templates ?? [{ id: 10, name: 'restart-pod', credentials: [100, 200] }]) this.addTemplate(seed);
  }

  static async start(options: AwxSandboxOptions = {}): Promise<AwxSandbox> {
    const sandbox = new AwxSandbox(options);
    await sandbox.listen({ port: options.port, tls: options.tls });
    return sandbox;
  }

  override async stop(): Promise<void> {
    this.runner.stop();
    await super.stop();
  }

  get credentialDeletes(): number {
    return this.store.credentialDeletes;
  }

  addTemplate(seed: TemplateSeed): JobTemplate {
    return this.store.addTemplate(seed);
  }

  /** Ephemeral credentials (kubernaut-ephemeral-*) alive right now. */
  liveEphemeralCredentials(): Credential[] {
    return [...this.credentials.values()].filter((credential) => credential.name.startsWith(EPHEMERAL_CREDENTIAL_PREFIX));
  }

  /** Jobs launched with a given execution marker (crash tests: exactly one per execution). */
  jobsWithMarker(marker: string): Job[] {
    return [...this.jobs.values()].filter((job) => markerOf(job.extra_vars) === marker);
  }

  jobsOf(templateId: number): Job[] {
    return this.store.jobsOf(templateId);
  }

  release(outcome: SandboxOutcome = 'success', filter?: (jobId: number) => boolean): number {
    return this.runner.release(outcome, filter);
  }

  /** Deletes a job as an AWX cleanup schedule would (GET then answers 404). */
  purgeJob(id: number): void {
    this.jobs.delete(id);
  }

  /** failNext patterns see the path with its query. */
  protected override scriptedTarget(url: URL): string {
    return `${url.pathname}${url.search}`;
  }

  protected override admit(_method: string, url: URL, request: IncomingMessage): Reply | undefined {
    if (!url.pathname.startsWith('/api/v2/')) return { status: 404, body: '<h1>Not Found</h1>' };
    if (!url.pathname.endsWith('/')) return { status: 301, headers: { Location: `${url.pathname}/${url.search}` } };
    if (request.headers.authorization !== `Bearer ${this.token}`) return UNAUTHENTICATED;
    return undefined;
  }

  /** Rules see what ids stand for: a credential's name, a job's execution marker. */
  protected override namesIn(method: string, path: string, text: string): CallDescription['names'] {
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

  protected async serve({ method, url, body: text }: SandboxCall): Promise<Reply> {
    try {
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : {};
      } catch {
        throw badRequest({ detail: `JSON parse error - ${text.slice(0, 40)}` });
      }
      const [status, result, headers] = routeCall(this, method, url, body);
      return { status, body: result, headers };
    } catch (error) {
      if (error instanceof HttpError) return { status: error.status, body: error.body };
      throw error;
    }
  }
}

/** The execution marker in a job's or a launch's extra vars (a JSON string or an object). */
function markerOf(vars: unknown): string | undefined {
  const parsed = typeof vars === 'string' ? (JSON.parse(vars || '{}') as unknown) : vars;
  const marker = (parsed as Record<string, unknown> | undefined)?.[AWX_EXECUTION_MARKER_VAR];
  return marker === undefined ? undefined : String(marker);
}
