/**
 * How the worker, the client library and the CLI reach Temporal: Temporal's own environment configuration
 * (@temporalio/envconfig: TEMPORAL_PROFILE, TEMPORAL_CONFIG_FILE, TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
 * TEMPORAL_API_KEY, TEMPORAL_TLS, TEMPORAL_TLS_*), with explicit settings (CLI flags) on top. This project's earlier
 * variable names still work and are reported as deprecated. A configuration that would leak is refused: an API key
 * with TLS turned off, a TEMPORAL_TLS value envconfig would silently read as false.
 */
import { readFileSync } from 'node:fs';
import { loadClientConnectConfig } from '@temporalio/envconfig';

type Env = Record<string, string | undefined>;

/** Earlier names → Temporal's names. */
const DEPRECATED_NAMES: Record<string, string> = {
  TEMPORAL_TLS_CA_FILE: 'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
  TEMPORAL_TLS_CERT_FILE: 'TEMPORAL_TLS_CLIENT_CERT_PATH',
  TEMPORAL_TLS_KEY_FILE: 'TEMPORAL_TLS_CLIENT_KEY_PATH',
};

export interface TemporalOverrides {
  profile?: string;
  address?: string;
  namespace?: string;
  apiKey?: string;
  /** true / false to force TLS on or off. */
  tls?: boolean;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  serverName?: string;
}

export interface TemporalConnection {
  address: string;
  namespace: string;
  /** The SDK's TLS option: false (off), true (system roots) or a TLS config. */
  tls?: boolean | { serverNameOverride?: string; serverRootCACertificate?: Buffer; clientCertPair?: { crt: Buffer; key: Buffer } };
  apiKey?: string;
  metadata?: Record<string, string>;
  /** Earlier variable names that were used, with their replacement. */
  deprecated: string[];
}

export class TemporalConfigurationError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(problems.join('; '));
    this.name = 'TemporalConfigurationError';
    this.problems = problems;
  }
}

const HOST_PORT = /^(?:\[[0-9a-fA-F:]+\]|[^\s:/[\]]+):(\d{1,5})$/;

/** The environment with the earlier names translated (and an API key file read), plus what was deprecated. */
function translate(env: Env): { env: Record<string, string>; deprecated: string[] } {
  const translated: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined) translated[name] = value;
  const deprecated: string[] = [];
  for (const [old, current] of Object.entries(DEPRECATED_NAMES)) {
    const value = env[old]?.trim();
    if (!value) continue;
    deprecated.push(`${old} is deprecated: use ${current}`);
    translated[current] ??= value;
  }
  const keyFile = env.TEMPORAL_API_KEY_FILE?.trim();
  if (keyFile && !env.TEMPORAL_API_KEY) translated.TEMPORAL_API_KEY = readFileSync(keyFile, 'utf8').trim();
  return { env: translated, deprecated };
}

export function resolveTemporalConnection(env: Env = process.env, overrides: TemporalOverrides = {}): TemporalConnection {
  const problems: string[] = [];
  const tlsText = env.TEMPORAL_TLS?.trim().toLowerCase();
  if (tlsText !== undefined && tlsText !== '' && !['true', 'false', '1', '0'].includes(tlsText))
    problems.push(`TEMPORAL_TLS: must be true or false, got "${env.TEMPORAL_TLS}"`);
  const { env: translated, deprecated } = translate(env);
  const hasCert = Boolean(translated.TEMPORAL_TLS_CLIENT_CERT_PATH || translated.TEMPORAL_TLS_CLIENT_CERT_DATA);
  const hasKey = Boolean(translated.TEMPORAL_TLS_CLIENT_KEY_PATH || translated.TEMPORAL_TLS_CLIENT_KEY_DATA);
  if (hasCert !== hasKey) problems.push('TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH: give both for mTLS, or neither');
  let loaded: ReturnType<typeof loadClientConnectConfig>;
  try {
    loaded = loadClientConnectConfig({ overrideEnvVars: translated, ...(overrides.profile ? { profile: overrides.profile } : {}) });
  } catch (error) {
    throw new TemporalConfigurationError([`Temporal environment configuration: ${(error as Error).message}`]);
  }
  const options = loaded.connectionOptions;
  const address = overrides.address ?? options.address ?? 'localhost:7233';
  const port = HOST_PORT.exec(address)?.[1];
  if (port === undefined || Number(port) < 1 || Number(port) > 65535)
    problems.push(`TEMPORAL_ADDRESS: must be host:port with a port from 1 to 65535, got "${address}"`);
  const apiKey = overrides.apiKey ?? options.apiKey;
  let tls = options.tls as TemporalConnection['tls'];
  const files = overrides.caFile || overrides.certFile || overrides.keyFile || overrides.serverName;
  if (files) {
    if (Boolean(overrides.certFile) !== Boolean(overrides.keyFile))
      problems.push('TLS client certificate and key: give both for mTLS, or neither');
    tls = {
      ...(typeof tls === 'object' ? tls : {}),
      ...(overrides.serverName ? { serverNameOverride: overrides.serverName } : {}),
      ...(overrides.caFile ? { serverRootCACertificate: readFileSync(overrides.caFile) } : {}),
      ...(overrides.certFile && overrides.keyFile
        ? { clientCertPair: { crt: readFileSync(overrides.certFile), key: readFileSync(overrides.keyFile) } }
        : {}),
    };
  }
  if (overrides.tls === false) tls = false;
  else if (overrides.tls === true && !tls) tls = true;
  if (apiKey && tls === undefined) tls = true; // as envconfig does: an API key means TLS
  if (apiKey && tls === false)
    problems.push('TLS is turned off while an API key is set: the key would travel in plaintext; remove TEMPORAL_TLS=false / --no-tls');
  if (problems.length > 0) throw new TemporalConfigurationError(problems);
  return {
    address,
    namespace: overrides.namespace ?? loaded.namespace ?? 'default',
    ...(tls === undefined ? {} : { tls }),
    ...(apiKey ? { apiKey } : {}),
    ...(options.metadata ? { metadata: options.metadata as Record<string, string> } : {}),
    deprecated,
  };
}

/** Connection options for the SDK's Connection / NativeConnection. */
export function sdkConnectionOptions(connection: TemporalConnection) {
  return {
    address: connection.address,
    ...(connection.tls === undefined ? {} : { tls: connection.tls }),
    ...(connection.apiKey ? { apiKey: connection.apiKey } : {}),
    ...(connection.metadata ? { metadata: connection.metadata } : {}),
  };
}

/** For logs: where and how, never the key. */
export function describeTemporalConnection(connection: TemporalConnection): Record<string, unknown> {
  return {
    address: connection.address,
    namespace: connection.namespace,
    tls: connection.tls === undefined || connection.tls === false ? false : connection.tls === true ? 'system roots' : 'configured',
    apiKey: connection.apiKey ? '<redacted>' : 'none',
  };
}
