/**
 * Label values that Kubernetes always accepts (§9.2 item 16): only [A-Za-z0-9._-], alphanumeric at both ends, at most
 * 63 characters. "/" becomes "__" as upstream does, so "prod-ns/deployment/api-server" stays readable as
 * "prod-ns__deployment__api-server"; any other character becomes "_".
 */
export function sanitizeLabelValue(value: string): string {
  const replaced = value.replaceAll('/', '__').replace(/[^A-Za-z0-9._-]/g, '_');
  return replaced
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+/, '')
    .replace(/[^A-Za-z0-9]+$/, '');
}

const LABEL_VALUE_PATTERN = /^(?:[A-Za-z0-9](?:[A-Za-z0-9._-]{0,61}[A-Za-z0-9])?)?$/;

export function isValidLabelValue(value: string): boolean {
  return LABEL_VALUE_PATTERN.test(value);
}

const DNS_LABEL_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN_PATTERN = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/;

/** RFC 1123 label: namespaces, volume names. */
export function isDnsLabel(value: string): boolean {
  return DNS_LABEL_PATTERN.test(value);
}

/** RFC 1123 subdomain (≤ 253): names of Secrets, ConfigMaps, ServiceAccounts. */
export function isDnsSubdomain(value: string): boolean {
  return value.length <= 253 && DNS_SUBDOMAIN_PATTERN.test(value);
}
