import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);

describe('npm run build', () => {
  test('emits dist/index.js exporting the documented API, and the prebuilt workflow bundle', async () => {
    await run('npm', ['run', 'build'], { cwd: new URL('../../', import.meta.url).pathname });
    const api = (await import(new URL('../../dist/index.js', import.meta.url).href)) as Record<string, unknown>;
    for (const name of [
      'executionResourceName',
      'buildExtraVars',
      'mapJobStatus',
      'mapPipelineRunStatus',
      'mapAwxStatus',
      'validateExecutionRequest',
    ]) {
      assert.equal(typeof api[name], 'function', name);
    }
    assert.equal((api.executionResourceName as (target: string) => string)('default/Deployment/nginx'), 'wfe-041822837d0914fa');
    const { existsSync } = await import('node:fs');
    assert.ok(existsSync(new URL('../../dist/workflow-bundle.js', import.meta.url)));
  });

  // After the build (node:test runs a file's tests in order): what a user installs, not the source tree.
  test('regression: the packed and installed kubernaut-exec runs through its bin symlink (it was a silent no-op)', async () => {
    const root = new URL('../../', import.meta.url).pathname;
    const scratch = mkdtempSync(join(tmpdir(), 'installed-'));
    try {
      const { stdout: packed } = await run('npm', ['pack', '--json', '--pack-destination', scratch], { cwd: root });
      const [{ filename, files }] = JSON.parse(packed) as [{ filename: string; files: { path: string }[] }];
      // The sandboxes serve the demo and the tests; nothing of them ships (the Dockerfile copies only dist/).
      assert.ok(files.some((file) => file.path === 'dist/worker.js'));
      assert.deepEqual(
        files.filter((file) => /sandbox/i.test(file.path)).map((file) => file.path),
        [],
      );
      const prefix = join(scratch, 'prefix');
      await run(
        'npm',
        ['install', '--prefix', prefix, '--no-audit', '--no-fund', '--omit=dev', '--prefer-offline', join(scratch, filename)],
        {
          cwd: scratch,
          maxBuffer: 16 * 1024 * 1024,
        },
      );
      const bin = join(prefix, 'node_modules', '.bin', 'kubernaut-exec');
      // The project's Node 24 first on PATH, as an install on a supported runtime would have it.
      const env = { ...process.env, PATH: `${join(root, 'node_modules', '.bin')}:${process.env.PATH}` };
      const version = await run(bin, ['--version'], { env });
      assert.equal(version.stdout.trim(), (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version);
      const help = await run(bin, ['--help'], { env });
      assert.match(help.stdout, /Usage: kubernaut-exec/);
      assert.match(help.stdout, /sweep/);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
