/**
 * The benchmark's worker process: the production worker (configuration from the environment, real executors, the
 * completion watch and its activities) running the benchmark workflows and their no-op activity as well, reporting its
 * memory as JSON lines on stdout.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { getHeapSpaceStatistics } from 'node:v8';
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
/** Resident memory by origin (Linux): anonymous (heaps, native allocations) and file-backed (node's and the core's code). */
function residentByOrigin(): { rssAnon?: number; rssFile?: number } {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
    return { rssAnon: kb('RssAnon'), rssFile: kb('RssFile') };
  } catch {
    return {};
  }
}

const report = setInterval(() => {
  const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
  // The main thread's V8 heap by space; the workflow thread's heap is not in it (it is in rssAnon).
  const spaces = Object.fromEntries(getHeapSpaceStatistics().map((space) => [space.space_name, space.space_size]));
  const memory = { time: Date.now(), rss, heapUsed, heapTotal, external, arrayBuffers, ...residentByOrigin(), spaces };
  process.stdout.write(`${JSON.stringify({ memory })}\n`);
}, 500);
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
await running.run();
clearInterval(report);
await running.close();
