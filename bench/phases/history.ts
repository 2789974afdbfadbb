/**
 * History size and Kubernetes API requests of a 10-minute run, simulated 30× faster (the run's duration and every
 * interval of the policy divided alike, so the number of polls is the same): a Job and a PipelineRun on each worker
 * pool (watch on, watch off), and a naive workflow polling every 5 s with regular activities. The per-namespace
 * list+watch requests, shared by all executions of a worker, are counted apart (over the whole run, in run.ts).
 */
import { historyShape } from '../lib/history-shape.ts';
import { benchRequest, type KubeEngine, scaledPolicy } from '../lib/requests.ts';
import type { BenchContext } from './context.ts';

const SCALE = 30;
const TEN_MINUTES = String(600_000 / SCALE);

export async function measureHistory(context: BenchContext) {
  const { harness, client, pools, say } = context;
  say(
    `[history] a 10-minute run in ${600 / SCALE} s (scaled ${SCALE}×): Job and PipelineRun, ${pools.map((pool) => pool.name).join(' and ')}…`,
  );
  const requests = harness.apiRequests;
  const started: { pool: string; engine: KubeEngine; workflowId: string }[] = [];
  for (const pool of pools)
    for (const engine of ['job', 'tekton'] as const) {
      const request = benchRequest(
        `history-${pool.name.toLowerCase()}-${engine}`,
        { SANDBOX_DURATION_MS: TEN_MINUTES },
        scaledPolicy(SCALE),
        engine,
      );
      const { workflowId } = await pool.executions.startExecution(request);
      started.push({ pool: pool.name, engine, workflowId });
    }
  await client.workflow.start('naivePollingWorkflow', {
    taskQueue: (pools[0] as (typeof pools)[number]).pool.taskQueue,
    workflowId: 'history-naive',
    args: [benchRequest('history-naive', { SANDBOX_DURATION_MS: TEN_MINUTES }, undefined), Math.round(5000 / SCALE)],
  });
  await harness.waitDrained('history-', 120_000);
  const runs = [];
  for (const { pool, engine, workflowId } of started) {
    const executions = (context.pools.find((entry) => entry.name === pool) as (typeof pools)[number]).executions;
    const view = await executions.getExecution(workflowId);
    const byCall = requests.of(view.status?.handle?.resourceName ?? workflowId);
    runs.push({
      pool,
      engine,
      phase: view.status?.phase,
      polls: view.status?.polls,
      notifications: view.status?.notifications,
      history: await historyShape(client, workflowId),
      apiRequests: Object.values(byCall).reduce((sum, value) => sum + value, 0),
      apiRequestsByCall: byCall,
    });
  }
  return {
    scale: SCALE,
    runs,
    naiveFixed5s: await historyShape(client, 'history-naive'),
    goalEvents: 40,
    goalApiRequests: 8,
  };
}
