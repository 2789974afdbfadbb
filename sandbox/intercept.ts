/**
 * Targeted interception of single sandbox calls, for fault-point exploration. A rule matches a call by method and a
 * predicate over its description (path, query, body, and what ids in it stand for), then answers it with an error
 * status, holds it for a while, or pauses it until released. A held or paused call is processed afterwards even if the
 * client has gone, as a slow real server would: the late side effect lands. Callbacks say when a matched call arrived
 * and when it was answered. Both sandbox servers share this; each supplies its own error body.
 */

/** What a rule's predicate sees of a call. */
export interface CallDescription {
  method: string;
  /** Path without the query. */
  path: string;
  /** Query string without "?"; "" when none. */
  query: string;
  /** Request body text; "" when none. */
  body: string;
  /** AWX: what ids in the call stand for, so a rule can pick one execution's call on a shared path. */
  names: {
    /** /credentials/<id>/ (the stored credential) or POST /credentials/ (the body). */
    credentialName?: string;
    credentialDescription?: string;
    /** /jobs/<id>/… (the job's extra var) or a launch (the body's extra_vars): KUBERNAUT_EXECUTION_MARKER. */
    executionMarker?: string;
  };
}

export type InterceptAction =
  /** Only the callbacks: the call goes through untouched. */
  | { kind: 'observe' }
  /** Answer with this status and the server's error body; nothing is processed. */
  | { kind: 'status'; status: number }
  /** Keep the call open this long, then process it. */
  | { kind: 'hold'; ms: number }
  /** Keep the call open until `release()`, then process it. */
  | { kind: 'pause' };

export interface InterceptRule {
  /** HTTP method, or '*' for any. */
  method: string;
  /** Further condition on the call; every call of the method matches without one. */
  match?: (call: CallDescription) => boolean;
  /** Default: observe. */
  action?: InterceptAction;
  /** How many calls the rule fires on (default 1); Infinity for a permanent observer. */
  times?: number;
  /** A matched call arrived (before it is processed or held). */
  onArrive?: (call: CallDescription) => void;
  /** A matched call was answered with this status (after a hold or pause, after processing). */
  onAnswered?: (call: CallDescription, status: number) => void;
}

export interface Interception {
  /** Calls the rule fired on so far. */
  readonly fired: number;
  /** Resolves once the rule has fired on a call (now, when it already has). */
  arrived(): Promise<void>;
  /** Lets paused calls go on; later matches of a released rule no longer pause. */
  release(): void;
  /** Resolves once every call the rule fired on has been answered (now, when none is open). */
  settled(): Promise<void>;
  /** Stops matching; calls already paused are released. */
  remove(): void;
}

/** What a server does with an arrived call, and what it reports once it has answered it. */
export interface Verdict {
  /** Set when the call is to be answered with this error status instead of being processed. */
  status?: number;
  answered(status: number): void;
}

class ActiveRule implements Interception {
  fired = 0;
  private open = 0;
  private released = false;
  private releaseWaiters: (() => void)[] = [];
  private settleWaiters: (() => void)[] = [];
  private arriveWaiters: (() => void)[] = [];
  readonly rule: InterceptRule;
  private readonly drop: () => void;

  constructor(rule: InterceptRule, drop: () => void) {
    this.rule = rule;
    this.drop = drop;
  }

  get remaining(): number {
    return (this.rule.times ?? 1) - this.fired;
  }

  matches(call: CallDescription): boolean {
    if (this.remaining <= 0 || (this.rule.method !== '*' && this.rule.method !== call.method)) return false;
    try {
      return this.rule.match?.(call) ?? true;
    } catch {
      return false;
    }
  }

  begin(call: CallDescription): void {
    this.fired++;
    this.open++;
    try {
      this.rule.onArrive?.(call);
    } finally {
      for (const resolve of this.arriveWaiters.splice(0)) resolve();
    }
  }

  arrived(): Promise<void> {
    if (this.fired > 0) return Promise.resolve();
    return new Promise((resolve) => this.arriveWaiters.push(resolve));
  }

  end(call: CallDescription, status: number): void {
    this.open--;
    try {
      this.rule.onAnswered?.(call, status);
    } finally {
      if (this.open === 0) for (const resolve of this.settleWaiters.splice(0)) resolve();
    }
  }

  waitForRelease(): Promise<void> {
    if (this.released) return Promise.resolve();
    return new Promise((resolve) => this.releaseWaiters.push(resolve));
  }

  release(): void {
    this.released = true;
    for (const resolve of this.releaseWaiters.splice(0)) resolve();
  }

  settled(): Promise<void> {
    if (this.open === 0) return Promise.resolve();
    return new Promise((resolve) => this.settleWaiters.push(resolve));
  }

  remove(): void {
    this.drop();
    this.release();
  }
}

/** The rules of one server. Every matching rule fires on a call; the first error status among them answers it. */
export class Interceptor {
  private rules: ActiveRule[] = [];

  add(rule: InterceptRule): Interception {
    const active: ActiveRule = new ActiveRule(rule, () => {
      this.rules = this.rules.filter((entry) => entry !== active);
    });
    this.rules.push(active);
    return active;
  }

  /** Releases every paused call (a server that stops must not leave handlers waiting). */
  releaseAll(): void {
    for (const rule of this.rules) rule.release();
  }

  /** Fires the matching rules on a call and waits out their holds and pauses. */
  async arrive(call: CallDescription): Promise<Verdict> {
    const fired = this.rules.filter((rule) => rule.matches(call));
    for (const rule of fired) rule.begin(call);
    const actions = fired.map((rule) => rule.rule.action ?? { kind: 'observe' as const });
    const holdMs = Math.max(0, ...actions.map((action) => (action.kind === 'hold' ? action.ms : 0)));
    const waits: Promise<unknown>[] = fired.filter((_, index) => actions[index]?.kind === 'pause').map((rule) => rule.waitForRelease());
    if (holdMs > 0) waits.push(new Promise((resolve) => setTimeout(resolve, holdMs)));
    await Promise.all(waits);
    const status = actions.find((action): action is { kind: 'status'; status: number } => action.kind === 'status')?.status;
    return {
      ...(status === undefined ? {} : { status }),
      answered: (answeredStatus) => {
        for (const rule of fired) rule.end(call, answeredStatus);
      },
    };
  }
}

/** The description of a call from its parts (servers add the names they resolve). */
export function describeCall(method: string, url: URL, body: string, names: CallDescription['names'] = {}): CallDescription {
  return { method, path: url.pathname, query: url.search.replace(/^\?/, ''), body, names };
}
