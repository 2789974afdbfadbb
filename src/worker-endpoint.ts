/**
 * The worker's HTTP endpoint wired to a running worker: readiness from the worker's state and Temporal's health
 * check, and the running-executions gauge from Temporal's visibility (one count per engine, cached briefly).
 */
import { createServer } from 'node:net';
import type { Client, Connection } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { ENGINES } from './domain/types.ts';
import { type HealthServer, startHealthServer } from './health.ts';
import { WORKFLOW_TYPE } from './workflows/definitions.ts';

/** A free port on loopback for the runtime's own Prometheus exporter (served outward through /metrics). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** kubernaut_executions_running{engine}: the executions still running, from visibility (the same on every worker). */
function runningGauge(client: Client): () => Promise<string> {
  let cached: { at: number; text: string } | undefined;
  return async () => {
    if (cached && Date.now() - cached.at < 15_000) return cached.text;
    const lines = [
      '# HELP kubernaut_executions_running Executions still running, by engine (from Temporal visibility).',
      '# TYPE kubernaut_executions_running gauge',
    ];
    for (const engine of ENGINES) {
      const { count } = await client.workflow.count(
        `WorkflowType = '${WORKFLOW_TYPE}' AND ExecutionStatus = 'Running' AND ExecutionEngine = '${engine}'`,
      );
      lines.push(`kubernaut_executions_running{engine="${engine}"} ${count}`);
    }
    cached = { at: Date.now(), text: `${lines.join('\n')}\n` };
    return cached.text;
  };
}

export function startWorkerEndpoint(options: {
  bindAddress: string;
  metricsUpstream?: string;
  worker: Worker;
  client: Client;
  connection: Connection;
}): Promise<HealthServer> {
  const { worker, client, connection } = options;
  return startHealthServer({
    bindAddress: options.bindAddress,
    ...(options.metricsUpstream ? { metricsUpstream: options.metricsUpstream } : {}),
    extraMetrics: runningGauge(client),
    readiness: async () => {
      const state = worker.getState();
      if (state !== 'RUNNING') return { ready: false, reason: `worker is ${state.toLowerCase()}, not polling` };
      try {
        await connection.withDeadline(Date.now() + 3000, () => connection.healthService.check({}));
      } catch (error) {
        return { ready: false, reason: `Temporal unreachable: ${(error as Error).message}` };
      }
      return { ready: true };
    },
  });
}
