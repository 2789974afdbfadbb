/** An AWX sandbox for a test file (HTTPS with its own CA) and a real AwxHttpClient pointed at it. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AwxSandbox, type AwxSandboxOptions } from '../../sandbox/awx/server.ts';
import { AwxHttpClient } from '../../src/clients/awx.ts';

export interface AwxFixture {
  sandbox: AwxSandbox;
  awx: AwxHttpClient;
  caFile: string;
  stop(): Promise<void>;
}

export async function startAwxFixture(options: AwxSandboxOptions = {}): Promise<AwxFixture> {
  const sandbox = await AwxSandbox.start(options);
  const dir = mkdtempSync(join(tmpdir(), 'awx-sandbox-'));
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, sandbox.caPem);
  const awx = new AwxHttpClient({ baseUrl: sandbox.url, token: sandbox.token, caFile, requestTimeoutMs: 5000 });
  return {
    sandbox,
    awx,
    caFile,
    async stop() {
      await awx.close();
      await sandbox.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
