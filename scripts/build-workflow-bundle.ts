/** Writes dist/workflow-bundle.js, so the worker starts without bundling the workflow code at run time. */
import { writeFileSync } from 'node:fs';
import { bundleWorkflowCode } from '@temporalio/worker';

const { code } = await bundleWorkflowCode({
  workflowsPath: new URL('../src/workflows/index.ts', import.meta.url).pathname,
  logger: {
    log() {},
    trace() {},
    debug() {},
    info() {},
    warn: (message: string) => console.warn(message),
    error: (message: string) => console.error(message),
  },
});
writeFileSync(new URL('../dist/workflow-bundle.js', import.meta.url), code);
process.stdout.write(`dist/workflow-bundle.js: ${(code.length / 1024).toFixed(0)} KiB\n`);
