/**
 * A complete execution environment for integration tests: the sandbox API server(s), real executors over HTTP, a real
 * Worker on the global Temporal dev server (own task queue), and the project's client library.
 */
import type { Client } from '@temporalio/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../../src/activities/index.ts';
import { createOutputActivities } from '../../src/activities/output.ts';
import { ExecutionClient } from '../../src/client.ts';
import type { KubeClients } from '../../src/clients/kube.ts';
import { AnsibleExecutor } from '../../src/executors/ansible/index.ts';
import { JobExecutor } from '../../src/executors/job.ts';
import { ExecutorRegistry } from '../../src/executors/registry.ts';
import { TektonExecutor } from '../../src/executors/tekton.ts';
import { createSweeperActivities } from '../../src/sweeper/activities.ts';
import { OrphanSweeper } from '../../src/sweeper/sweeper.ts';
import { type AwxFixture, startAwxFixture } from './awx-sandbox.ts';
import { type KubeFixture, startKubeFixture } from './kube-sandbox.ts';
import { connectTestClient, createTestWorker, testTaskQueue } from './temporal.ts';

export const EXECUTION_NAMESPACE = 'kubernaut-workflows';

export interface ExecutionEnvironment {
  kube: KubeFixture;
  /** Present when started with `awx: true`. */
  awx?: AwxFixture;
  registry: ExecutorRegistry;
  client: Client;
  executions: ExecutionClient;
  taskQueue: string;
  /** Starts a worker on the environment's task queue (one is started by default). */
  startWorker(): Promise<{ worker: Worker; stop(): Promise<void> }>;
  stop(): Promise<void>;
}

export interface EnvironmentOptions {
  registry?: (kube: KubeFixture) => ExecutorRegistry;
  worker?: boolean;
  /** Also start an AWX sandbox and register the ansible engine. */
  awx?: boolean;
  /** The cluster the orphan sweeper looks at, when the registry's executors use another than the sandbox (default: the sandbox). */
  sweeperKube?: KubeClients;
}

export async function startExecutionEnvironment(options: EnvironmentOptions = {}): Promise<ExecutionEnvironment> {
  const kube = await startKubeFixture();
  const awx = options.awx ? await startAwxFixture() : undefined;
  const registry =
    options.registry?.(kube) ??
    new ExecutorRegistry()
      .register(new JobExecutor({ kube: kube.kube, staleDeleteTimeoutMs: 10_000 }))
      .register(new TektonExecutor({ kube: kube.kube, staleDeleteTimeoutMs: 10_000 }));
  if (awx && !options.registry) registry.register(new AnsibleExecutor({ awx: awx.awx, kube: kube.kube }));
  const taskQueue = testTaskQueue('exec');
  const { client, close } = await connectTestClient();
  const sweeper = new OrphanSweeper({
    temporal: client,
    kube: options.sweeperKube ?? kube.kube,
    namespaces: [EXECUTION_NAMESPACE],
    ...(awx ? { awx: awx.awx } : {}),
  });
  const workers = new Set<{ stop(): Promise<void> }>();

  const startWorker = async () => {
    const { worker, connection }: { worker: Worker; connection: NativeConnection } = await createTestWorker({
      taskQueue,
      activities: {
        ...createActivities({ registry, defaultExecutionNamespace: EXECUTION_NAMESPACE }),
        ...createSweeperActivities(sweeper, { graceMs: 0, maxActions: 1000 }),
        ...createOutputActivities({ registry, temporal: client }),
      },
      shutdownGraceTime: '1s',
    });
    const running = worker.run();
    const entry = {
      worker,
      async stop() {
        workers.delete(entry);
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running.catch(() => undefined);
        await connection.close();
      },
    };
    workers.add(entry);
    return entry;
  };
  if (options.worker !== false) await startWorker();

  return {
    kube,
    ...(awx ? { awx } : {}),
    registry,
    client,
    executions: new ExecutionClient(client, { taskQueue }),
    taskQueue,
    startWorker,
    async stop() {
      for (const worker of [...workers]) await worker.stop();
      await close();
      await kube.stop();
      await awx?.stop();
    },
  };
}
