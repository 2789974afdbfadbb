import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
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
});
