/**
 * Holds the AWX sandbox to a real AWX: replays every exchange recorded from AWX 24.6.1 (test/contracts/awx, see its
 * README) against the fake, in order and on one fake (objects made by one scenario are used by the next), and checks
 * that the fake answers with the recorded status and a body of the recorded shape.
 *
 * Shapes: an object lists the fields that must be present (the fake may have more); a literal must be equal;
 * "<number>", "<string>", "<boolean>", "<object>", "<array>", "<timestamp>" match by type ("|" separates
 * alternatives, e.g. "<string|null>"); "{{name}}" is an id bound earlier (bound now when first seen);
 * ["<each>", shape] matches an array of any length whose every item has the shape; "<one-of:a,b>" one of those strings.
 * A request marked `poll` is repeated until the job reaches the recorded status (jobs move on their own).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { AwxSandbox } from '../../../sandbox/awx/server.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface Exchange {
  step: string;
  client: string;
  request: { method: string; path: string; body?: Json; auth?: 'token' | 'bad-token' };
  status: number;
  poll?: boolean;
  bind?: Record<string, string>;
  response: Json;
  example?: Json;
}

interface Contract {
  scenario: string;
  description: string;
  awxVersion: string;
  exchanges: Exchange[];
}

const DIR = new URL('../../contracts/awx/', import.meta.url);
const CONTRACTS = readdirSync(DIR)
  .filter((name) => name.endsWith('.json'))
  .sort()
  .map((name) => ({ name, contract: JSON.parse(readFileSync(new URL(name, DIR), 'utf8')) as Contract }));

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
/** {{name}} without spaces: Jinja's "{{ field }}" in injectors is text. */
const VARIABLE = /\{\{([\w.]+)\}\}/g;
const WHOLE_VARIABLE = /^\{\{([\w.]+)\}\}$/;

/** The templates the recordings were made against, seeded into the fake with the Machine credential (100, type 1) each. */
const TEMPLATES = { prompting: 10, fixed: 11, survey: 12 } as const;

function typeMatches(pattern: string, actual: unknown): boolean {
  if (pattern.startsWith('<one-of:')) return typeof actual === 'string' && pattern.slice(8, -1).split(',').includes(actual);
  return pattern
    .slice(1, -1)
    .split('|')
    .some((type) => {
      switch (type) {
        case 'number':
          return typeof actual === 'number';
        case 'string':
          return typeof actual === 'string';
        case 'boolean':
          return typeof actual === 'boolean';
        case 'null':
          return actual === null;
        case 'object':
          return actual !== null && typeof actual === 'object' && !Array.isArray(actual);
        case 'array':
          return Array.isArray(actual);
        case 'timestamp':
          return typeof actual === 'string' && TIMESTAMP.test(actual);
        case 'any':
          return true;
        default:
          return false;
      }
    });
}

/** Whether two strings hold the same JSON value (key order aside). */
function sameJson(a: string, b: string): boolean {
  try {
    assert.deepStrictEqual(JSON.parse(a), JSON.parse(b));
    return true;
  } catch {
    return false;
  }
}

class Replay {
  readonly vars = new Map<string, Json>();

  substitute(text: string): string {
    return text.replace(VARIABLE, (_all, name: string) => {
      if (!this.vars.has(name)) throw new Error(`{{${name}}} is not bound yet`);
      return String(this.vars.get(name));
    });
  }

  /** A recorded request body with its variables filled in ("{{x}}" alone becomes the bound value itself). */
  body(value: Json): Json {
    if (typeof value === 'string') {
      const whole = WHOLE_VARIABLE.exec(value);
      if (whole?.[1] !== undefined) {
        if (!this.vars.has(whole[1])) throw new Error(`{{${whole[1]}}} is not bound yet`);
        return this.vars.get(whole[1]) ?? null;
      }
      return value.includes('{{') ? this.substitute(value) : value;
    }
    if (Array.isArray(value)) return value.map((item) => this.body(item));
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.body(item)]));
    return value;
  }

  /** Mismatches between a recorded shape and what the fake answered. */
  match(expected: Json, actual: unknown, path: string, problems: string[]): void {
    if (typeof expected === 'string') {
      const whole = WHOLE_VARIABLE.exec(expected);
      if (whole?.[1] !== undefined) {
        const name = whole[1];
        if (!this.vars.has(name)) {
          if (typeof actual === 'number') this.vars.set(name, actual);
          else problems.push(`${path}: expected an id for {{${name}}}, got ${JSON.stringify(actual)}`);
        } else if (actual !== this.vars.get(name)) {
          problems.push(`${path}: expected {{${name}}} = ${JSON.stringify(this.vars.get(name))}, got ${JSON.stringify(actual)}`);
        }
        return;
      }
      if (/^<([a-z|]+|one-of:[\w,-]+)>$/.test(expected)) {
        if (!typeMatches(expected, actual)) problems.push(`${path}: expected ${expected}, got ${JSON.stringify(actual)?.slice(0, 200)}`);
        return;
      }
      let wanted = expected;
      try {
        wanted = expected.includes('{{') ? this.substitute(expected) : expected;
      } catch {
        // An unbound variable inside text: compare as recorded.
      }
      // extra_vars is JSON in a string: AWX writes it with Python's separators, the fake with JavaScript's.
      if (typeof actual === 'string' && wanted.startsWith('{') && sameJson(wanted, actual)) return;
      if (actual !== wanted) problems.push(`${path}: expected ${JSON.stringify(wanted)}, got ${JSON.stringify(actual)?.slice(0, 300)}`);
      return;
    }
    if (expected === null || typeof expected !== 'object') {
      if (actual !== expected) problems.push(`${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)?.slice(0, 200)}`);
      return;
    }
    if (Array.isArray(expected)) {
      if (!Array.isArray(actual)) {
        problems.push(`${path}: expected an array, got ${JSON.stringify(actual)?.slice(0, 200)}`);
        return;
      }
      if (expected[0] === '<each>') {
        actual.forEach((item, index) => {
          this.match(expected[1] ?? null, item, `${path}[${index}]`, problems);
        });
        return;
      }
      if (actual.length !== expected.length) {
        problems.push(`${path}: expected ${expected.length} item(s), got ${actual.length}`);
        return;
      }
      expected.forEach((item, index) => {
        this.match(item, actual[index], `${path}[${index}]`, problems);
      });
      return;
    }
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) {
      problems.push(`${path}: expected an object, got ${JSON.stringify(actual)?.slice(0, 200)}`);
      return;
    }
    const record = actual as Record<string, unknown>;
    for (const [key, value] of Object.entries(expected)) {
      if (!(key in record)) problems.push(`${path}.${key}: missing`);
      else this.match(value, record[key], `${path}.${key}`, problems);
    }
  }

  bindFrom(bind: Record<string, string> | undefined, body: unknown): void {
    for (const [name, path] of Object.entries(bind ?? {})) {
      let value: unknown = body;
      for (const part of path.split('.')) value = (value as Record<string, unknown> | undefined)?.[part];
      if (typeof value === 'number') this.vars.set(name, value);
    }
  }
}

/** Variables a scenario's answers name before any of its requests does: ids of objects it makes or finds itself. */
function producedVariables(contract: Contract): Set<string> {
  const produced = new Set<string>();
  const sent = new Set<string>();
  const names = (value: Json, into: (name: string) => void): void => {
    if (typeof value === 'string') for (const match of value.matchAll(VARIABLE)) into(match[1] ?? '');
    else if (Array.isArray(value)) for (const item of value) names(item, into);
    else if (value && typeof value === 'object') for (const item of Object.values(value)) names(item, into);
  };
  for (const exchange of contract.exchanges) {
    names([exchange.request.path, exchange.request.body ?? null], (name) => sent.add(name));
    names(exchange.response, (name) => {
      if (!sent.has(name)) produced.add(name);
    });
    for (const name of Object.keys(exchange.bind ?? {})) if (!sent.has(name)) produced.add(name);
  }
  for (const fixed of ['template.prompting', 'template.fixed', 'template.survey', 'credential.machine', 'credentialType.machine'])
    produced.delete(fixed);
  return produced;
}

async function send(sandbox: AwxSandbox, replay: Replay, exchange: Exchange): Promise<{ status: number; body: unknown }> {
  const { method, path, body, auth } = exchange.request;
  const token = auth === 'bad-token' ? 'not-a-valid-token' : sandbox.token;
  const response = await fetch(`${sandbox.url}${replay.substitute(path)}`, {
    method,
    redirect: 'manual',
    headers: {
      authorization: `Bearer ${token}`,
      accept: 'application/json',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(replay.body(body)) }),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON: compared as text.
  }
  return { status: response.status, body: parsed };
}

const TERMINAL = new Set(['successful', 'failed', 'error', 'canceled']);

describe('the AWX sandbox answers as AWX 24.6.1 did (recorded contracts)', () => {
  let sandbox: AwxSandbox;
  const replay = new Replay();
  before(async () => {
    sandbox = await AwxSandbox.start({
      tls: false,
      // As on AWX: allow_simultaneous off, so a second job of a template waits for the first.
      templates: [
        { id: TEMPLATES.prompting, name: 'contract-prompting', credentials: [100], allowSimultaneous: false },
        {
          id: TEMPLATES.fixed,
          name: 'contract-fixed',
          askVariablesOnLaunch: false,
          askCredentialOnLaunch: false,
          credentials: [100],
          allowSimultaneous: false,
        },
        {
          id: TEMPLATES.survey,
          name: 'contract-survey',
          askVariablesOnLaunch: false,
          askCredentialOnLaunch: false,
          credentials: [100],
          allowSimultaneous: false,
          survey: [
            { variable: 'NAMESPACE', required: false, default: 'default' },
            { variable: 'should_fail', required: false, default: 'false' },
          ],
        },
      ],
    });
    // Slow enough that every state a job passes through can be seen by a poll.
    sandbox.runner.stepMs = 150;
    replay.vars.set('template.prompting', TEMPLATES.prompting);
    replay.vars.set('template.fixed', TEMPLATES.fixed);
    replay.vars.set('template.survey', TEMPLATES.survey);
    replay.vars.set('credential.machine', 100);
    replay.vars.set('credentialType.machine', 1);
    replay.vars.set('since', new Date(Date.now() - 3_600_000).toISOString());
  });
  after(async () => {
    await sandbox.stop();
  });

  test('at least 25 exchanges were recorded, each with a status and a request', () => {
    const count = CONTRACTS.reduce((total, { contract }) => total + contract.exchanges.length, 0);
    assert.ok(count >= 25, `only ${count} exchanges`);
    for (const { name, contract } of CONTRACTS) {
      assert.equal(contract.awxVersion, '24.6.1', name);
      for (const exchange of contract.exchanges) {
        assert.match(exchange.request.path, /^\/api\/v2\//, `${name}: ${exchange.step}`);
        assert.equal(typeof exchange.status, 'number', `${name}: ${exchange.step}`);
      }
    }
  });

  for (const { name, contract } of CONTRACTS) {
    describe(`${name}: ${contract.description}`, () => {
      before(() => {
        // Ids this scenario's answers name are its own (bound afresh); the ones it only sends come from earlier ones.
        for (const variable of producedVariables(contract)) replay.vars.delete(variable);
      });
      contract.exchanges.forEach((exchange, index) => {
        test(`#${index + 1} ${exchange.step}: ${exchange.request.method} ${exchange.request.path} → ${exchange.status}`, async () => {
          const wantedStatus =
            exchange.poll && exchange.response && typeof exchange.response === 'object' && !Array.isArray(exchange.response)
              ? exchange.response.status
              : undefined;
          let answer = await send(sandbox, replay, exchange);
          if (typeof wantedStatus === 'string') {
            const seen: string[] = [];
            const deadline = Date.now() + 15_000;
            for (;;) {
              const status = (answer.body as { status?: string } | null)?.status ?? '?';
              if (seen.at(-1) !== status) seen.push(status);
              if (status === wantedStatus || TERMINAL.has(status) || Date.now() > deadline || answer.status !== 200) break;
              await new Promise((resolve) => setTimeout(resolve, 20));
              answer = await send(sandbox, replay, exchange);
            }
            assert.equal(
              (answer.body as { status?: string } | null)?.status,
              wantedStatus,
              `the job never reached "${wantedStatus}" (saw ${seen.join(' → ')})`,
            );
          }
          assert.equal(answer.status, exchange.status, `status: ${JSON.stringify(answer.body)?.slice(0, 400)}`);
          const problems: string[] = [];
          replay.match(exchange.response, answer.body, 'body', problems);
          assert.deepEqual(problems, [], `the fake's answer differs from AWX's:\n${JSON.stringify(answer.body, null, 1)?.slice(0, 1500)}`);
          replay.bindFrom(exchange.bind, answer.body);
        });
      });
    });
  }
});
