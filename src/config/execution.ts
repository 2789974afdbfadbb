/** What the operator sets about executions: allow-lists, execution pods, their security context. */
import type { RequestAllowList } from '../domain/allow-list.ts';
import { type ExecutionPodSettings, POD_SECURITY_CONTEXT_MODES, type PodSecurityContextMode } from '../domain/manifests.ts';
import type { Reader } from './reader.ts';

/** A comma-separated list; "*" allows anything (undefined). */
export function listSetting(reader: Reader, name: string, fallback: string[] | undefined): string[] | undefined {
  const text = reader.text(name);
  if (text === undefined) return fallback;
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  return entries.includes('*') ? undefined : entries;
}

export function allowListOf(reader: Reader, executionNamespace: string, serviceAccountName: string): RequestAllowList {
  const namespaces = listSetting(reader, 'ALLOWED_EXECUTION_NAMESPACES', [executionNamespace]);
  const serviceAccounts = listSetting(reader, 'ALLOWED_SERVICE_ACCOUNTS', [serviceAccountName]);
  const imagePrefixes = listSetting(reader, 'ALLOWED_IMAGE_PREFIXES', undefined);
  return {
    ...(namespaces ? { executionNamespaces: namespaces } : {}),
    ...(serviceAccounts ? { serviceAccounts } : {}),
    ...(imagePrefixes ? { imagePrefixes } : {}),
  };
}

/** A JSON value of the expected shape, or a problem naming the variable. */
export function jsonSetting<T>(reader: Reader, name: string, check: (value: unknown) => boolean, shape: string): T | undefined {
  const text = reader.text(name);
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    if (check(value)) return value as T;
  } catch {
    // reported below
  }
  reader.problems.push(`${name}: must be JSON ${shape}`);
  return undefined;
}

const isStringMap = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((entry) => typeof entry === 'string');

export function podSettingsOf(reader: Reader): ExecutionPodSettings {
  const resources = jsonSetting<ExecutionPodSettings['resources']>(
    reader,
    'EXECUTION_POD_RESOURCES',
    (value) =>
      typeof value === 'object' &&
      value !== null &&
      Object.entries(value).every(([key, entry]) => (key === 'requests' || key === 'limits') && isStringMap(entry)),
    'such as {"requests":{"cpu":"100m","memory":"128Mi"},"limits":{"memory":"256Mi"}}',
  );
  const nodeSelector = jsonSetting<Record<string, string>>(
    reader,
    'EXECUTION_POD_NODE_SELECTOR',
    isStringMap,
    'such as {"kubernetes.io/os":"linux"}',
  );
  const tolerations = jsonSetting<Record<string, unknown>[]>(
    reader,
    'EXECUTION_POD_TOLERATIONS',
    (value) => Array.isArray(value) && value.every((entry) => typeof entry === 'object' && entry !== null),
    'such as [{"key":"dedicated","operator":"Equal","value":"remediation","effect":"NoSchedule"}]',
  );
  const priorityClassName = reader.text('EXECUTION_POD_PRIORITY_CLASS');
  return {
    ...(resources ? { resources } : {}),
    ...(nodeSelector ? { nodeSelector } : {}),
    ...(tolerations ? { tolerations } : {}),
    ...(priorityClassName ? { priorityClassName } : {}),
  };
}

export function podSecurityContextOf(reader: Reader): PodSecurityContextMode {
  const mode = reader.text('EXECUTION_POD_SECURITY_CONTEXT') ?? 'restricted';
  if ((POD_SECURITY_CONTEXT_MODES as readonly string[]).includes(mode)) return mode as PodSecurityContextMode;
  reader.problems.push(`EXECUTION_POD_SECURITY_CONTEXT: must be one of ${POD_SECURITY_CONTEXT_MODES.join(', ')}, got "${mode}"`);
  return 'restricted';
}
