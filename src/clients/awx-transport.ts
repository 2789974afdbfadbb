/**
 * One AWX API call over undici: bearer token, JSON, the expected statuses; redirects refused (a redirected POST would
 * become a GET); errors typed with the status and a body summary that never holds the token or a secret input. Reads
 * and deletes (idempotent) are retried twice on transport errors, 5xx and 429 with a short backoff (§9.2 item 22); a
 * POST never is: it may have happened, and only the caller knows how to find out (a launch by its marker, a credential
 * by its name).
 */
import { type Agent, request } from 'undici';
import { AwxError, summarize, summarizeKeys } from './awx-errors.ts';

export interface CallOptions {
  body?: unknown;
  expect: number[];
  sensitiveBody?: boolean;
  raw?: boolean;
  /** Overrides the client's request timeout for this call. */
  timeoutMs?: number;
}

export interface Transport {
  dispatcher: Agent;
  token: string;
}

type Method = 'GET' | 'POST' | 'DELETE';
type Answer = { status: number; json: unknown; text: string };

/** Removes the token from any text that could reach a log or an error. */
function scrub(transport: Transport, text: string): string {
  return transport.token ? text.replaceAll(transport.token, '<redacted>') : text;
}

export async function awxCall(transport: Transport, operation: string, method: Method, url: string, options: CallOptions): Promise<Answer> {
  const attempts = method === 'POST' ? 1 : 3;
  for (let attempt = 1; ; attempt++) {
    try {
      return await callOnce(transport, operation, method, url, options);
    } catch (error) {
      if (attempt >= attempts || !(error instanceof AwxError) || !error.retryable) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** (attempt - 1) * (0.5 + Math.random())));
    }
  }
}

async function callOnce(transport: Transport, operation: string, method: Method, url: string, options: CallOptions): Promise<Answer> {
  let response: Awaited<ReturnType<typeof request>>;
  try {
    response = await request(url, {
      method,
      dispatcher: transport.dispatcher,
      headers: {
        authorization: `Bearer ${transport.token}`,
        accept: 'application/json',
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      ...(options.timeoutMs === undefined ? {} : { headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs }),
    });
  } catch (error) {
    const cause = error as Error & { code?: string };
    throw new AwxError(operation, `request failed: ${scrub(transport, cause.code ?? cause.message)}`, undefined, undefined);
  }
  const text = await response.body.text().catch(() => '');
  const status = response.statusCode;
  if (options.expect.includes(status)) {
    if (options.raw || !text) return { status, json: undefined, text };
    try {
      return { status, json: JSON.parse(text), text };
    } catch {
      throw new AwxError(operation, `returned ${status} with a body that is not JSON`, 502);
    }
  }
  if (status >= 300 && status < 400)
    throw new AwxError(
      operation,
      `returned a redirect (${status}) to ${response.headers.location ?? '?'}: check AWX_URL and the API path`,
      status,
    );
  throw new AwxError(
    operation,
    `returned ${status}: ${scrub(transport, options.sensitiveBody ? summarizeKeys(text, options.body) : summarize(text))}`,
    status,
  );
}
