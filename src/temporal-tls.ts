import { readFileSync } from 'node:fs';

/** TLS to the Temporal frontend: files named by the configuration, read once. */
export interface TemporalTlsFiles {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  serverName?: string;
}

/** The SDK's TLS options for those files (the same shape for the client and the worker connection). */
export function temporalTlsOptions(tls: TemporalTlsFiles) {
  return {
    ...(tls.serverName ? { serverNameOverride: tls.serverName } : {}),
    ...(tls.caFile ? { serverRootCACertificate: readFileSync(tls.caFile) } : {}),
    ...(tls.certFile && tls.keyFile ? { clientCertPair: { crt: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) } } : {}),
  };
}
