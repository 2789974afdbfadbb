/**
 * The benchmark's worker process: the production worker (configuration from the environment, real executors, the
 * completion watch and its activities) running the benchmark workflows and their no-op activity as well, reporting its
 * memory as JSON lines on stdout.
 */
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config.ts';
import { createWorker, installRuntime } from '../src/worker.ts';

const config = loadConfig();
installRuntime(config);
// A prebuilt bundle (as in production): bundling with webpack in this process would inflate its memory for good.
const bundlePath = process.env.BENCH_WORKFLOW_BUNDLE;
const running = await createWorker(config, {
  ...(bundlePath
    ? { workflowBundle: { codePath: bundlePath } }
    : { workflowsPath: fileURLToPath(new URL('./workflows.ts', import.meta.url)) }),
  activities: { noop: async () => {} },
});
const report = setInterval(() => {
  const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
  process.stdout.write(`${JSON.stringify({ memory: { time: Date.now(), rss, heapUsed, heapTotal, external, arrayBuffers } })}\n`);
}, 500);
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
await running.run();
clearInterval(report);
await running.close();
