/** A minimal admin client of the API server (static token, the cluster's CA) for setting the control plane up. */
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, fetch } from 'undici';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [field: string]: unknown };
  [field: string]: unknown;
}

/** Thrown by an `until` check: stop waiting and fail with it. */
export class StopWaiting extends Error {}

const CLUSTER_SCOPED = new Set(['Namespace', 'Node', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding']);

export class KubeApi {
  private readonly agent: Agent;
  private readonly url: string;
  private readonly token: string;

  constructor(url: string, caPem: string, token: string) {
    this.url = url;
    this.token = token;
    this.agent = new Agent({ connect: { ca: caPem } });
  }

  async call(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown>; text: string }> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      dispatcher: this.agent,
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {}
    return { status: response.status, json, text };
  }

  /** The collection path of an object's kind (plural: the kind in lower case + s, true of every kind used here). */
  static collection(object: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>): string {
    const base = object.apiVersion.includes('/') ? `/apis/${object.apiVersion}` : `/api/${object.apiVersion}`;
    const namespace = CLUSTER_SCOPED.has(object.kind) ? '' : `/namespaces/${object.metadata.namespace ?? 'default'}`;
    return `${base}${namespace}/${object.kind.toLowerCase()}s`;
  }

  /** Creates the object; one that already exists is left as it is. */
  async create(object: KubeObject): Promise<Record<string, unknown>> {
    const { status, json, text } = await this.call('POST', KubeApi.collection(object), object);
    if (status === 409) return json;
    if (status >= 300) throw new Error(`create ${object.kind} ${object.metadata.name}: HTTP ${status} ${text}`);
    return json;
  }

  /** Polls until check returns a value; throws with the last answer after the timeout. */
  async until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    for (;;) {
      try {
        const value = await check();
        if (value !== undefined) return value;
      } catch (error) {
        if (error instanceof StopWaiting) throw error;
        last = error;
      }
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
      await sleep(200);
    }
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}
