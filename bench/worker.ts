/**
 * The benchmark's worker process: the production worker (configuration from the environment, real executors and
 * activities) running the benchmark workflows as well, reporting its memory as JSON lines on stdout.
 */
import { fileURLToPath } from 'node:url';
import { createActivities } from '../src/activities/index.ts';
import { loadConfig } from '../src/config.ts';
import { buildRegistry } from '../src/registry-factory.ts';
import { createWorker, installRuntime } from '../src/worker.ts';

const config = loadConfig();
installRuntime(config);
const built = await buildRegistry(config);
// A prebuilt bundle (as in production): bundling with webpack in this process would inflate its memory for good.
const bundlePath = process.env.BENCH_WORKFLOW_BUNDLE;
const running = await createWorker(config, {
  ...(bundlePath
    ? { workflowBundle: { codePath: bundlePath } }
    : { workflowsPath: fileURLToPath(new URL('./workflows.ts', import.meta.url)) }),
  activities: {
    ...createActivities({ registry: built.registry, defaultExecutionNamespace: config.executionNamespace }),
    noop: async () => {},
  },
});
const report = setInterval(() => {
  const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
  process.stdout.write(`${JSON.stringify({ memory: { time: Date.now(), rss, heapUsed, heapTotal, external, arrayBuffers } })}\n`);
}, 500);
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
await running.run();
clearInterval(report);
await running.close();
await built.close();
