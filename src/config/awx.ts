/** AWX / AAP access for the ansible engine. */
import type { AwxConfig } from '../config.ts';
import { checkUrl, type Reader } from './reader.ts';

export function awxConfig(reader: Reader): AwxConfig | undefined {
  const url = reader.text('AWX_URL');
  const token = reader.secret('AWX_TOKEN');
  if (!url) {
    if (token) reader.problems.push('AWX_URL: required when AWX_TOKEN is set (the AWX / AAP controller base URL)');
    return undefined;
  }
  checkUrl(reader, 'AWX_URL', url, 'AWX_ALLOW_INSECURE_HTTP');
  if (!token) reader.problems.push('AWX_TOKEN: required when AWX_URL is set (an AWX OAuth2 token; or AWX_TOKEN_FILE)');
  const caFile = reader.file('AWX_CA_FILE');
  const apiPath = reader.text('AWX_API_PATH');
  return {
    url: url.replace(/\/+$/, ''),
    ...(apiPath ? { apiPath } : {}),
    token: token ?? '',
    organizationId: reader.integer('AWX_ORGANIZATION_ID', 1, 1, Number.MAX_SAFE_INTEGER),
    insecureSkipTlsVerify: reader.flag('AWX_INSECURE_SKIP_TLS_VERIFY', false),
    requestTimeoutMs: reader.integer('AWX_REQUEST_TIMEOUT_MS', 30_000, 100, 600_000),
    ...(caFile ? { caFile } : {}),
  };
}
