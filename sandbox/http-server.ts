/**
 * What the Kubernetes and AWX sandboxes share as HTTP servers: TLS with a CA they generate (or plain HTTP), the request
 * body, JSON replies, response counters, and the three ways a test disturbs a call before the API sees it — intercept
 * rules (intercept.ts), scripted failures (failNext) and seeded random faults (faults.ts). Each server says how its API
 * words an error and serves everything else.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { FaultInjector } from './faults.ts';
import { type CallDescription, describeCall, type Interception, Interceptor, type InterceptRule } from './intercept.ts';
import { createLoopbackServingCertificate } from './tls.ts';

/** An answer: a string body goes out as text, anything else as JSON, none as an empty body. */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface SandboxCall {
  request: IncomingMessage;
  response: ServerResponse;
  method: string;
  url: URL;
  body: string;
}

/** The bodies an API answers a disturbed or failing call with. */
export interface ErrorBodies {
  /** An intercept rule answers with this status. */
  intercepted(status: number, call: { method: string; body: string }): unknown;
  /** failNext answers with this status. */
  scripted(status: number): unknown;
  /** A random fault answers with a 500. */
  injected(): unknown;
  /** The server itself failed. */
  internal(message: string): unknown;
}

export interface ListenOptions {
  port?: number;
  /** HTTPS with a generated CA (caPem), the default; plain HTTP otherwise. */
  tls?: boolean;
}

export abstract class SandboxHttpServer {
  readonly faults = new FaultInjector();
  /** Requests served, by "METHOD status". */
  readonly requests = new Map<string, number>();
  /** TLS connections accepted (a client that reuses connections keeps this small). */
  tlsConnections = 0;
  /** Called after each request is answered (chaos tests kill the worker at chosen moments). */
  afterRequest?: (method: string, path: string, status: number) => void;
  url = '';
  caPem = '';
  /** Scripted failures: the next `times` requests matching method and path get `status`. */
  private readonly scripted: { method: string; path: RegExp; status: number; times: number }[] = [];
  private readonly interceptor = new Interceptor();
  private server?: Server;

  protected abstract readonly errors: ErrorBodies;

  /** Serves a call the disturbances let through; undefined when it answered (or streams) by itself. */
  protected abstract serve(call: SandboxCall): Promise<Reply | undefined>;

  /** An answer before the body is read (authentication, path rules), or undefined to go on. */
  protected admit(_method: string, _url: URL, _request: IncomingMessage): Reply | undefined {
    return undefined;
  }

  /** What the ids in a call stand for, so intercept rules can pick one execution's call on a shared path. */
  protected namesIn(_method: string, _path: string, _body: string): CallDescription['names'] {
    return {};
  }

  /** The text failNext's patterns are matched against. */
  protected scriptedTarget(url: URL): string {
    return url.pathname;
  }

  protected async listen({ port = 0, tls = true }: ListenOptions): Promise<void> {
    const handler = (request: IncomingMessage, response: ServerResponse) => {
      this.handle(request, response).catch((error) =>
        this.send(response, { status: 500, body: this.errors.internal((error as Error).message) }),
      );
    };
    if (tls) {
      const { ca, serving } = await createLoopbackServingCertificate();
      this.caPem = ca.certPem;
      this.server = createHttpsServer({ cert: serving.certPem, key: serving.keyPem }, handler);
      this.server.on('secureConnection', () => {
        this.tlsConnections++;
      });
    } else {
      this.server = createHttpServer(handler);
    }
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve));
    this.url = `${tls ? 'https' : 'http'}://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.interceptor.releaseAll();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Answers the next `times` requests matching the method and path with `status` (a targeted fault). */
  failNext(method: string, path: RegExp, status: number, times = 1): void {
    this.scripted.push({ method, path, status, times });
  }

  /**
   * Answers, holds or pauses the calls a rule matches (see intercept.ts); a held or paused call is processed afterwards
   * even when its client has gone.
   */
  intercept(rule: InterceptRule): Interception {
    return this.interceptor.add(rule);
  }

  protected send(response: ServerResponse, { status, body, headers = {} }: Reply): void {
    if (response.headersSent) return;
    const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
    response.writeHead(status, { 'Content-Type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json', ...headers });
    response.end(text);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = request.method ?? 'GET';
    const url = new URL(request.url ?? '/', 'https://sandbox');
    response.on('finish', () => {
      const key = `${method} ${response.statusCode}`;
      this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
      this.afterRequest?.(method, url.pathname, response.statusCode);
    });
    const refusal = this.admit(method, url, request);
    if (refusal) return this.send(response, refusal);
    const body = await readBody(request);
    const verdict = await this.interceptor.arrive(describeCall(method, url, body, this.namesIn(method, url.pathname, body)));
    try {
      if (verdict.status !== undefined)
        this.send(response, { status: verdict.status, body: this.errors.intercepted(verdict.status, { method, body }) });
      else await this.disturbOrServe({ request, response, method, url, body });
    } catch (error) {
      this.send(response, { status: 500, body: this.errors.internal((error as Error).message) });
    } finally {
      verdict.answered(response.headersSent ? response.statusCode : 0);
    }
  }

  private async disturbOrServe(call: SandboxCall): Promise<void> {
    const target = this.scriptedTarget(call.url);
    const scripted = this.scripted.find((entry) => entry.times > 0 && entry.method === call.method && entry.path.test(target));
    if (scripted) {
      scripted.times--;
      return this.send(call.response, { status: scripted.status, body: this.errors.scripted(scripted.status) });
    }
    const fault = this.faults.next();
    if (fault === 'reset') return void call.request.socket.destroy();
    if (fault === 'delay') await new Promise((resolve) => setTimeout(resolve, this.faults.delayMs));
    if (fault === 'error') return this.send(call.response, { status: 500, body: this.errors.injected() });
    const reply = await this.serve(call);
    if (reply) this.send(call.response, reply);
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
