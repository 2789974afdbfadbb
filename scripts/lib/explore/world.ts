/**
 * Everything scenarios share: the Kubernetes and AWX sandboxes, a Temporal client, the worker processes (a shared
 * task queue with two workers, and kill lanes with one worker each), the Temporal CLI and the sweeper.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { AwxSandbox } from '../../../sandbox/awx/server.ts';
import { KubeSandbox } from '../../../sandbox/kube/server.ts';
import { ExecutionClient } from '../../../src/client.ts';
import { childWorkerEnv } from '../worker-env.ts';
import { runTag } from './identity.ts';
import { RemovalJournal } from './removal-journal.ts';
import { Sweeper } from './sweep.ts';
import { TemporalCli } from './temporal-cli.ts';
import { KillLane, WorkerFleet } from './workers.ts';

/** Per-call timeouts of the worker's backend clients; a hanging call is held longer than this. */
export const REQUEST_TIMEOUT_MS = 3000;

export interface WorldOptions {
  temporalAddress: string;
  namespace: string;
  workflowBundlePath: string;
  cliPath: string;
  killLanes: number;
  sharedWorkers: number;
}

export interface World {
  tag: string;
  address: string;
  namespace: string;
  kube: KubeSandbox;
  awx: AwxSandbox;
  temporal: Client;
  sharedQueue: string;
  lanes: KillLane[];
  fleet: WorkerFleet;
  cli: TemporalCli;
  sweeper: Sweeper;
  removals: RemovalJournal;
  /** The client library bound to a task queue (starts executions there; sweeps on the shared one). */
  executions(taskQueue: string): ExecutionClient;
  close(): Promise<void>;
}

export async function startWorld(options: WorldOptions): Promise<World> {
  const tag = runTag();
  const dir = mkdtempSync(join(tmpdir(), 'explore-'));
  const kubeconfigPath = join(dir, 'kubeconfig');
  const kube = await KubeSandbox.start({ kubeconfigPath });
  // A token of its own, so that finding it in any output is a leak and never a coincidence.
  const awx = await AwxSandbox.start({ tls: true, token: `xtok-${tag}-${Math.random().toString(36).slice(2)}` });
  const caFile = join(dir, 'awx-ca.pem');
  writeFileSync(caFile, awx.caPem);
  const fleet = new WorkerFleet(
    childWorkerEnv(
      {
        temporalAddress: options.temporalAddress,
        namespace: options.namespace,
        kubeconfigPath,
        awx,
        awxCaFile: caFile,
        workflowBundlePath: options.workflowBundlePath,
      },
      { KUBE_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS), AWX_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS) },
    ),
  );
  const connection = await Connection.connect({ address: options.temporalAddress });
  const temporal = new Client({ connection, namespace: options.namespace });
  const clients = new Map<string, ExecutionClient>();
  const executions = (taskQueue: string): ExecutionClient => {
    let client = clients.get(taskQueue);
    if (!client) {
      client = new ExecutionClient(temporal, { taskQueue });
      clients.set(taskQueue, client);
    }
    return client;
  };
  const sharedQueue = `explore-${tag}`;
  const lanes = Array.from({ length: options.killLanes }, (_, index) => new KillLane(fleet, `explore-${tag}-kill-${index}`));
  const removals = new RemovalJournal(kube, awx);
  const close = async () => {
    removals.stop();
    await fleet.stopAll();
    await connection.close();
    await kube.stop();
    await awx.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await Promise.all([
      ...Array.from({ length: options.sharedWorkers }, () => fleet.start(sharedQueue)),
      ...lanes.map((lane) => lane.start()),
    ]);
  } catch (error) {
    await close();
    throw error;
  }
  return {
    tag,
    address: options.temporalAddress,
    namespace: options.namespace,
    kube,
    awx,
    temporal,
    sharedQueue,
    lanes,
    fleet,
    cli: new TemporalCli({ path: options.cliPath, address: options.temporalAddress, namespace: options.namespace }),
    sweeper: new Sweeper(executions(sharedQueue)),
    removals,
    executions,
    close,
  };
}
