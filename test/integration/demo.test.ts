import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { freePorts } from '../../scripts/lib/free-port.ts';

describe('npm start (the demo)', () => {
  test('reaches "3 executions completed" and prints 3 Web UI links that answer 200', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'demo-'));
    const [port, uiPort, metricsPort] = await freePorts(3);
    try {
      const output = await new Promise<string>((resolve, reject) => {
        execFile(
          process.execPath,
          [new URL('../../scripts/start.ts', import.meta.url).pathname, '--exit-after-demo'],
          {
            env: {
              ...process.env,
              KUBERNAUT_DEMO_DATA_DIR: dir,
              TEMPORAL_PORT: String(port),
              TEMPORAL_UI_PORT: String(uiPort),
              METRICS_BIND_ADDRESS: `127.0.0.1:${metricsPort}`,
            },
            timeout: 180_000,
          },
          (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stdout}\n${stderr}`)) : resolve(stdout)),
        );
      });
      assert.match(output, /^3 executions completed\.$/m);
      const links = [...output.matchAll(/ {2}(job|tekton|ansible): Completed \(\w+\) (http:\/\/\S+) \[Web UI answers (\d+)\]/g)];
      assert.deepEqual(links.map((match) => match[1]).sort(), ['ansible', 'job', 'tekton']);
      assert.ok(
        links.every((match) => match[3] === '200'),
        output,
      );
      assert.match(output, /kubectl --kubeconfig \S+sandbox\.kubeconfig get jobs,pipelineruns/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
