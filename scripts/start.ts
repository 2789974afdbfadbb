/**
 * `npm start`: the Temporal dev server with its Web UI (state kept in .data/), the sandbox Kubernetes and AWX servers
 * (or a real cluster / AWX when KUBECONFIG / AWX_URL are set), the worker, and one demo execution per engine. Prints
 * the Web UI link of each and how to use kubectl on the sandbox; Ctrl-C stops everything.
 *   --exit-after-demo   stop once the demo executions are done (used by the demo test)
 *   --postgres          the Temporal server v1.29.1 on PostgreSQL (scripts/lib/temporal-postgres, state in
 *                       .data/temporal-postgres) instead of the dev server; no Web UI then
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExecutionClient } from '../src/client.ts';
import { loadConfig } from '../src/config.ts';
import type { Engine, ExecutionRequest } from '../src/domain/types.ts';
import { createWorker, installRuntime } from '../src/worker.ts';
import { startDevServer } from './lib/dev-server.ts';
import { preferredPort } from './lib/free-port.ts';
import { PROJECT_ROOT } from './lib/paths.ts';
import { startSandboxes } from './lib/sandboxes.ts';
import { ensureTemporalCli } from './lib/temporal-cli.ts';
import { startTemporalPostgres } from './lib/temporal-postgres/stack.ts';

const DATA = process.env.KUBERNAUT_DEMO_DATA_DIR ?? join(PROJECT_ROOT, '.data');
const exitAfterDemo = process.argv.includes('--exit-after-demo');
const usePostgres = process.argv.includes('--postgres');
const say = (line: string) => process.stdout.write(`${line}\n`);

const stops: (() => Promise<void>)[] = [];
let stopping = false;
async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    for (const stop of stops.reverse()) await stop().catch((error) => say(`stop failed: ${(error as Error).message}`));
  }
  process.exit(code);
}
process.on('SIGINT', () => {
  say('\nStopping…');
  void shutdown(0);
});
process.on('SIGTERM', () => void shutdown(0));

try {
  const cliPath = await ensureTemporalCli();
  const port = await preferredPort(Number(process.env.TEMPORAL_PORT ?? 7233));
  const uiPort = await preferredPort(Number(process.env.TEMPORAL_UI_PORT ?? port + 1000));
  say(
    usePostgres
      ? `Starting the Temporal server on PostgreSQL on 127.0.0.1:${port} (state in .data/temporal-postgres)…`
      : `Starting the Temporal dev server on 127.0.0.1:${port} (Web UI on ${uiPort}, state in .data/)…`,
  );
  const server = usePostgres
    ? // The cluster membership table keeps ports below 32768: a fallback port above that is left to the stack to choose.
      await startTemporalPostgres({ dir: join(DATA, 'temporal-postgres'), ...(port <= 32_767 ? { port } : {}), log: say })
    : await startDevServer({
        cliPath,
        dbFile: join(DATA, 'temporal.db'),
        logFile: join(DATA, 'temporal.log'),
        port,
        uiPort,
        readyTimeoutMs: 120_000,
      });
  stops.push(() => server.stop());
  const uiUrl = 'uiUrl' in server ? server.uiUrl : undefined;

  const useRealKube = Boolean(process.env.KUBECONFIG || process.env.KUBE_API_SERVER);
  const useRealAwx = Boolean(process.env.AWX_URL);
  const sandboxes = useRealKube && useRealAwx ? undefined : await startSandboxes(DATA);
  if (sandboxes) stops.push(() => sandboxes.stop());
  const env: Record<string, string | undefined> = {
    ...process.env,
    TEMPORAL_ADDRESS: server.address,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'WARN',
    METRICS_BIND_ADDRESS: process.env.METRICS_BIND_ADDRESS ?? `127.0.0.1:${await preferredPort(9464)}`,
    ...(useRealKube || !sandboxes ? {} : { KUBECONFIG: sandboxes.kubeconfigPath }),
    ...(useRealAwx || !sandboxes ? {} : { AWX_URL: sandboxes.awx.url, AWX_TOKEN: sandboxes.awx.token, AWX_CA_FILE: sandboxes.awxCaFile }),
  };
  const config = loadConfig(env);
  installRuntime(config);
  const running = await createWorker(config);
  const workerDone = running.run();
  stops.push(async () => {
    running.worker.shutdown();
    await workerDone;
    await running.close();
  });
  say(
    `Worker polling task queue "${config.temporal.taskQueue}" with engines ${config.engines.join(', ')}; metrics on http://${config.metricsBindAddress}/metrics`,
  );
  say(
    `  Kubernetes: ${useRealKube ? 'your cluster (KUBECONFIG)' : `sandbox API server ${sandboxes?.kube.url}`}; AWX: ${useRealAwx ? env.AWX_URL : `sandbox ${sandboxes?.awx.url}`}`,
  );

  const client = await ExecutionClient.connect({ address: server.address, taskQueue: config.temporal.taskQueue });
  stops.push(() => client.close());
  const stamp = new Date().toISOString().slice(11, 19).replaceAll(':', '');
  const demos = (['job', 'tekton', 'ansible'] as Engine[]).filter((engine) => config.engines.includes(engine));
  const started = [];
  for (const engine of demos) {
    const request = JSON.parse(readFileSync(join(PROJECT_ROOT, 'examples', `${engine}-execution.json`), 'utf8')) as ExecutionRequest;
    const { metadata, spec } = request.workflowExecution;
    metadata.name = `${metadata.name}-${stamp}`;
    spec.targetResource = `${spec.targetResource}-${stamp}`;
    spec.parameters = { ...spec.parameters, ...(sandboxes ? { SANDBOX_DURATION_MS: '3000' } : {}) };
    const execution = await client.startExecution(request);
    const link = uiUrl
      ? `${uiUrl}/namespaces/${server.namespace}/workflows/${execution.workflowId}/${execution.runId}/history`
      : `npm run cli -- status ${execution.workflowId} --address ${server.address}`;
    say(`Started ${engine} execution ${metadata.name} → ${link}`);
    started.push({ engine, execution, link });
  }
  const results = await Promise.all(
    started.map(async ({ engine, execution, link }) => ({
      engine,
      link,
      result: await client.waitForResult(execution.workflowId, execution.runId),
    })),
  );
  for (const { engine, link, result } of results) {
    const answer = uiUrl
      ? await fetch(link).then(
          (response) => response.status,
          (error: Error) => error.message,
        )
      : undefined;
    say(`  ${engine}: ${result.phase} (${result.reason}) ${link}${answer === undefined ? '' : ` [Web UI answers ${answer}]`}`);
  }
  const completed = results.filter(({ result }) => result.phase === 'Completed').length;
  say(`${completed} executions completed.`);
  if (uiUrl) say(`Web UI: ${uiUrl}/namespaces/${server.namespace}/workflows?query=${encodeURIComponent("WorkflowType='runExecution'")}`);
  if (sandboxes)
    say(`kubectl on the sandbox: kubectl --kubeconfig ${sandboxes.kubeconfigPath} get jobs,pipelineruns,pods -n kubernaut-workflows`);
  say(`CLI: npm run cli -- list --address ${server.address}`);
  if (exitAfterDemo) await shutdown(completed === results.length ? 0 : 1);
  say('Running. Press Ctrl-C to stop.');
} catch (error) {
  say(`npm start failed: ${(error as Error).message}`);
  await shutdown(1);
}
