/**
 * Kubernetes API requests the workers make to the sandbox, seen through an observing interception rule: each is
 * attributed to the execution whose resource name (wfe-…) its path, query or body carries, by method and resource,
 * names and namespaces elided. Requests that name no execution are the per-namespace list+watch shared by all
 * executions of a worker; they are counted per namespace and kind, apart.
 */
import type { KubeSandbox } from '../../sandbox/kube/server.ts';

const EXECUTION = /wfe-[0-9a-f]{16}/;

export interface ApiRequestCounter {
  /** Requests naming this execution's resource, by "METHOD resource[?selector]". */
  of(resourceName: string): Record<string, number>;
  /** Requests naming no execution (list + watch of a namespace), by "METHOD path?watch|list". */
  shared(): Record<string, number>;
  stop(): void;
}

/** "GET jobs/{name}", "POST jobs", "DELETE pipelineruns/{name}", "GET pods?labelSelector". */
function shape(method: string, path: string, query: string): string {
  const parts = path.split('/').filter(Boolean);
  const namespaced = parts.indexOf('namespaces');
  const rest = namespaced >= 0 ? parts.slice(namespaced + 2) : parts.slice(parts[0] === 'api' ? 2 : 3);
  const resource = rest.map((part) => (EXECUTION.test(part) ? '{name}' : part)).join('/');
  const params = new URLSearchParams(query);
  const selector = ['watch', 'labelSelector', 'fieldSelector'].filter((key) => params.has(key)).join('&');
  return `${method} ${resource.replace(/wfe-[0-9a-f]{16}[-a-z0-9]*/g, '{name}')}${selector ? `?${selector}` : ''}`;
}

export function countApiRequests(kube: KubeSandbox): ApiRequestCounter {
  const perExecution = new Map<string, Map<string, number>>();
  const shared = new Map<string, number>();
  const add = (into: Map<string, number>, key: string) => into.set(key, (into.get(key) ?? 0) + 1);
  const rule = kube.intercept({
    method: '*',
    times: Number.POSITIVE_INFINITY,
    onArrive: (call) => {
      const name = EXECUTION.exec(`${call.path}?${decodeURIComponent(call.query)} ${call.body}`)?.[0];
      const key = shape(call.method, call.path, call.query);
      if (!name) {
        const namespace = /\/namespaces\/([^/]+)/.exec(call.path)?.[1] ?? '';
        add(shared, `${namespace} ${key}`);
        return;
      }
      const entry = perExecution.get(name) ?? new Map<string, number>();
      perExecution.set(name, entry);
      add(entry, key);
    },
  });
  return {
    of: (resourceName) => Object.fromEntries(perExecution.get(resourceName) ?? []),
    shared: () => Object.fromEntries(shared),
    stop: () => rule.remove(),
  };
}
