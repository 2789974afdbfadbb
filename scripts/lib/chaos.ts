/**
 * Chaos run: N executions across the three engines (mixed outcomes and dependency Secrets) on one or more workers
 * running as child processes on the same task queue, killed with SIGKILL at random moments and right after one
 * creates a credential, launches an AWX job or creates a Job / PipelineRun; optionally with faults injected into a
 * share of Kubernetes and AWX requests, and with a disruption (a restart of the Temporal server, of PostgreSQL, a
 * rolling restart of the workers) once executions are running. Then the invariants: every execution reached the
 * outcome its sandbox convention asked for, exactly one backend resource per execution, no ephemeral credential or
 * Job / PipelineRun left, and no secret value in any history or log line (the workers', and any log file named).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AwxSandbox } from '../../sandbox/awx/server.ts';
import { seededRandom } from '../../sandbox/faults.ts';
import { ExecutionClient } from '../../src/client.ts';
import type { Engine, ExecutionRequest, ExecutionResult } from '../../src/domain/types.ts';
import { type ChaosKube, controlPlaneChaosKube, type RealControlPlane, sandboxChaosKube } from './chaos-kube.ts';
import { PROJECT_ROOT } from './paths.ts';
import { startWorkerPool, type WorkerPool } from './temporal-postgres/worker-pool.ts';
import { childWorkerEnv } from './worker-env.ts';

export interface ChaosOptions {
  temporalAddress: string;
  namespace?: string;
  /** Prebuilt workflow bundle, so a restarted worker is polling within a second or two. */
  workflowBundlePath: string;
  perEngine: number;
  seed: number;
  /** Share of Kubernetes and AWX requests answered with a 500, a reset connection or a 2 s delay. */
  faultRate?: number;
  kills?: boolean;
  /** Random kills every minKillMs..maxKillMs. */
  minKillMs?: number;
  maxKillMs?: number;
  /** Probability of a kill right after a credential create, an AWX launch or a Job / PipelineRun create. */
  targetedKillChance?: number;
  timeoutMs?: number;
  log?: (line: string) => void;
  /** Worker processes on the task queue (default 1); a kill picks one of them. */
  workers?: number;
  /** How long each execution's backend run lasts, min and max (default 300–2,800 ms). */
  durationMs?: [number, number];
  /**
   * A disruption under running executions, started once `disruptWhenRunning` backend resources are live (default: a
   * third of the executions): restart the Temporal server or the database, roll the workers. Its result says what it did.
   */
  disrupt?: (context: ChaosContext) => Promise<string>;
  disruptWhenRunning?: number;
  /** Further log files scanned for secret values (the Temporal server's, PostgreSQL's). */
  logFiles?: string[];
  /** The engines run (default all three). */
  engines?: Engine[];
  /**
   * Run the Job and Tekton engines on a real control plane (the real Job controller, garbage collector and Tekton
   * controller) instead of the Kubernetes sandbox; AWX stays the sandbox. Faults cannot be injected there.
   */
  controlPlane?: RealControlPlane;
}

export interface ChaosContext {
  workers: WorkerPool;
  /** Backend resources live now: Jobs and PipelineRuns, running AWX jobs. */
  running(): number;
  log: (line: string) => void;
}

export interface ChaosReport {
  seed: number;
  executions: number;
  completed: number;
  failedAsExpected: number;
  workers: number;
  kills: number;
  targetedKills: number;
  /** Workers that exited without being killed (e.g. could not reach Temporal at start) and were started again. */
  workerRestarts: number;
  /** What the disruption did, and how many backend resources were live when it began. */
  disruption?: string;
  runningAtDisruption?: number;
  faultsInjected: number;
  duplicates: number;
  orphans: number;
  lost: number;
  wrongOutcome: number;
  secretLeaks: number;
  durationMs: number;
  problems: string[];
}

interface Planned {
  engine: Engine;
  request: ExecutionRequest;
  expectFailure: boolean;
  workflowId?: string;
  result?: ExecutionResult;
}

const run = promisify(execFile);
const FAILURE_REASONS: Record<Engine, string> = { job: 'BackoffLimitExceeded', tekton: 'Failed', ansible: 'AWXJobFailed' };
const NAMESPACE = 'kubernaut-workflows';

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const random = seededRandom(options.seed);
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'chaos-'));
  const kube: ChaosKube = options.controlPlane
    ? await controlPlaneChaosKube(NAMESPACE, options.controlPlane)
    : await sandboxChaosKube(NAMESPACE, join(dir, 'kubeconfig'));
  const awx = await AwxSandbox.start({ tls: true, templates: [{ id: 10, name: 'restart-pod', credentials: [100, 200] }] });
  const caFile = join(dir, 'awx-ca.pem');
  writeFileSync(caFile, awx.caPem);
  if (options.faultRate) {
    kube.configureFaults(options.faultRate, options.seed);
    awx.faults.configure({ rate: options.faultRate, seed: options.seed + 1 });
  }
  const secretValues: string[] = [];
  const secretNames: string[] = [];
  for (let index = 0; index < 3; index++) {
    const value = `chaos-secret-${options.seed}-${index}-${random().toString(36).slice(2)}`;
    secretValues.push(value);
    // Named per run: a real cluster keeps the Secrets of earlier runs.
    const secretName = `chaos-creds-${options.seed}-${index}-${Date.now().toString(36)}`;
    secretNames.push(secretName);
    await kube.createSecret(NAMESPACE, secretName, { password: value, username: `user${index}` });
  }
  const taskQueue = `chaos-${options.seed}-${Date.now().toString(36)}`;
  const workerEnv = childWorkerEnv(
    {
      temporalAddress: options.temporalAddress,
      namespace: options.namespace ?? 'default',
      kubeconfigPath: kube.kubeconfigPath,
      awx,
      awxCaFile: caFile,
      workflowBundlePath: options.workflowBundlePath,
    },
    { TEMPORAL_TASK_QUEUE: taskQueue },
  );
  const logLines: string[] = [];
  let workers: WorkerPool | undefined;
  let kills = 0;
  let targetedKills = 0;
  let lastKill = 0;
  const kill = (targeted: boolean): void => {
    if (!workers || Date.now() - lastKill < 1500) return;
    lastKill = Date.now();
    // One worker: always it (and the seeded sequence of choices stays what it was with a single worker).
    workers.kill(workers.size > 1 ? Math.floor(random() * workers.size) : 0);
    kills++;
    if (targeted) targetedKills++;
  };
  let killing = options.kills ?? true;
  const targetedChance = options.targetedKillChance ?? 0.15;
  const aimedKill = () => {
    if (killing && random() < targetedChance) kill(true);
  };
  kube.onCreate(aimedKill);
  awx.afterRequest = (method, path, status) => {
    if (method === 'POST' && status === 201 && /\/credentials\/$|\/launch\/$/.test(path)) aimedKill();
  };

  const client = await ExecutionClient.connect({ address: options.temporalAddress, namespace: options.namespace ?? 'default', taskQueue });
  const planned: Planned[] = [];
  const problems: string[] = [];
  let waiting = true;
  try {
    workers = startWorkerPool({
      size: options.workers ?? 1,
      entry: join(PROJECT_ROOT, 'src/worker.ts'),
      env: workerEnv,
      readyPattern: /worker polling/,
      onOutput: (chunk) => logLines.push(chunk),
      stopTimeoutMs: 5000,
    });
    const [minDuration, maxDuration] = options.durationMs ?? [300, 2800];
    for (let index = 0; index < options.perEngine; index++) {
      for (const engine of options.engines ?? (['job', 'tekton', 'ansible'] as const)) {
        const expectFailure = random() < 0.3;
        const secrets =
          engine === 'ansible' ? secretNames.slice(0, Math.floor(random() * 3)) : random() < 0.3 ? [secretNames[0] as string] : [];
        const name = `chaos-${options.seed}-${engine}-${index}`;
        const request: ExecutionRequest = {
          workflowExecution: {
            metadata: { name, namespace: 'kubernaut-system' },
            spec: {
              workflowRef: {
                workflowId: 'chaos',
                executionBundle: engine === 'tekton' ? kube.tektonBundle : 'quay.io/kubernaut/chaos:1',
                ...(engine === 'ansible' ? { engineConfig: { playbookPath: 'chaos.yml', jobTemplateName: 'restart-pod' } } : {}),
              },
              targetResource: `chaos/Deployment/${name}-${taskQueue}`,
              parameters: {
                SANDBOX_DURATION_MS: String(minDuration + Math.floor(random() * (maxDuration - minDuration))),
                ...(expectFailure ? { SANDBOX_OUTCOME: 'failure' } : {}),
              },
              executionEngine: engine,
            },
          },
          ...(secrets.length > 0 ? { dependencies: { secrets: secrets.map((secret) => ({ name: secret })) } } : {}),
          policy: { pollInitialMs: 200, pollMaxMs: 1000, stopGraceMs: 10_000 },
        };
        planned.push({ engine, request, expectFailure });
      }
    }
    for (const execution of planned) execution.workflowId = (await client.startExecution(execution.request)).workflowId;
    log(
      `chaos: seed ${options.seed}, ${planned.length} executions started on ${taskQueue}${options.faultRate ? `, ${options.faultRate * 100}% faults` : ''}`,
    );

    const killer = (async () => {
      const [min, max] = [options.minKillMs ?? 2000, options.maxKillMs ?? 6000];
      while (killing) {
        await new Promise((resolve) => setTimeout(resolve, min + random() * (max - min)));
        if (killing) kill(false);
      }
    })();
    const liveResources = () =>
      kube.live() + [...awx.jobs.values()].filter((job) => ['pending', 'waiting', 'running'].includes(job.status)).length;
    let disruption: string | undefined;
    let runningAtDisruption: number | undefined;
    const disrupted = (async () => {
      if (!options.disrupt || !workers) return;
      const wanted = Math.min(options.disruptWhenRunning ?? Math.ceil(planned.length / 3), planned.length);
      const until = Date.now() + 120_000;
      while (liveResources() < wanted && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 100));
      runningAtDisruption = liveResources();
      try {
        disruption = await options.disrupt({ workers, running: liveResources, log });
      } catch (error) {
        disruption = `failed: ${(error as Error).message}`;
        problems.push(`the disruption failed: ${(error as Error).message}`);
      }
    })();
    const deadline = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), options.timeoutMs ?? 600_000).unref());
    // The wait rides out a Temporal server or database outage: a failed call is retried until the deadline.
    const results = Promise.all(
      planned.map(async (execution) => {
        while (waiting && !execution.result) {
          try {
            execution.result = await client.waitForResult(execution.workflowId ?? '');
          } catch {
            await new Promise((resolve) => setTimeout(resolve, 1000));
          }
        }
      }),
    );
    const finished = await Promise.race([results, deadline]);
    waiting = false;
    killing = false;
    await killer;
    await disrupted;
    if (finished === 'timeout') problems.push('timed out waiting for executions');

    // Invariants.
    let duplicates = 0;
    let lost = 0;
    let wrongOutcome = 0;
    let completed = 0;
    let failedAsExpected = 0;
    for (const execution of planned) {
      const id = execution.workflowId ?? '';
      if (!execution.result) {
        lost++;
        problems.push(`${id} (${execution.engine}) never finished`);
        continue;
      }
      const { phase, reason } = execution.result;
      const expected = execution.expectFailure ? ['Failed', FAILURE_REASONS[execution.engine]] : ['Completed'];
      if (phase !== expected[0] || (execution.expectFailure && reason !== expected[1])) {
        wrongOutcome++;
        problems.push(`${id} (${execution.engine}) ended ${phase}/${reason}: ${execution.result.message}; expected ${expected.join('/')}`);
      } else if (phase === 'Completed') completed++;
      else failedAsExpected++;
      const creates =
        execution.engine === 'ansible'
          ? awx
              .jobsOf(10)
              .filter((job) =>
                String((JSON.parse(job.extra_vars) as Record<string, unknown>).KUBERNAUT_EXECUTION_MARKER ?? '').startsWith(`${id}/`),
              ).length
          : kube.creates(execution.engine === 'job' ? 'Job' : 'PipelineRun', id);
      if (creates === 0) {
        wrongOutcome++;
        problems.push(`${id} (${execution.engine}) ended without a backend resource ever being seen`);
      } else if (creates !== 1) {
        duplicates += creates - 1;
        problems.push(`${id} (${execution.engine}) created ${creates} backend resources`);
      }
    }
    for (const [name, count] of awx.credentialCreates) {
      if (count > 1) {
        duplicates += count - 1;
        problems.push(`credential ${name} created ${count} times`);
      }
    }
    const orphanCredentials = awx.liveEphemeralCredentials();
    // A real garbage collector finishes a delete after the workflow has closed: it gets a moment.
    const kubeIds = planned.filter((execution) => execution.engine !== 'ansible').map((execution) => execution.workflowId ?? '');
    const leftover = await kube.leftovers(kubeIds, options.controlPlane ? 60_000 : 0);
    const runningAwxJobs = [...awx.jobs.values()].filter((job) => ['pending', 'waiting', 'running'].includes(job.status)).length;
    const orphans = orphanCredentials.length + leftover + runningAwxJobs;
    if (orphans > 0)
      problems.push(
        `left behind: ${orphanCredentials.length} ephemeral credentials, ${leftover} Jobs/PipelineRuns, ${runningAwxJobs} running AWX jobs`,
      );

    // Secret leaks: every run's history and every worker log line.
    const histories: string[] = [];
    for await (const execution of client.client.workflow.list({ query: `TaskQueue = '${taskQueue}'` })) {
      const { stdout } = await run(
        process.env.TEMPORAL_CLI_PATH ?? 'temporal',
        [
          'workflow',
          'show',
          '--address',
          options.temporalAddress,
          '--namespace',
          options.namespace ?? 'default',
          '--workflow-id',
          execution.workflowId,
          '--run-id',
          execution.runId,
          '--output',
          'json',
        ],
        { maxBuffer: 64 * 1024 * 1024 },
      );
      histories.push(stdout);
    }
    const logFiles = (options.logFiles ?? []).filter((file) => existsSync(file)).map((file) => readFileSync(file, 'utf8'));
    const haystacks = [...histories, ...logLines, ...logFiles];
    const needles = [...secretValues, ...secretValues.map((value) => Buffer.from(value).toString('base64')), awx.token];
    const secretLeaks = haystacks.filter((text) => needles.some((needle) => text.includes(needle))).length;
    if (secretLeaks > 0) problems.push(`${secretLeaks} histories or log chunks hold a secret value`);
    return {
      seed: options.seed,
      executions: planned.length,
      completed,
      failedAsExpected,
      workers: workers.size,
      kills,
      targetedKills,
      workerRestarts: workers.unexpectedExits,
      ...(disruption === undefined ? {} : { disruption }),
      ...(runningAtDisruption === undefined ? {} : { runningAtDisruption }),
      faultsInjected: kube.faultsInjected() + Object.values(awx.faults.injected).reduce((a, b) => a + b, 0),
      duplicates,
      orphans,
      lost,
      wrongOutcome,
      secretLeaks,
      durationMs: Date.now() - started,
      problems,
    };
  } finally {
    killing = false;
    waiting = false;
    await workers?.stop();
    await client.close();
    await kube.stop();
    await awx.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function formatChaosReport(report: ChaosReport): string {
  return [
    `seed ${report.seed}: ${report.executions} executions (${report.completed} completed, ${report.failedAsExpected} failed as asked) in ${(report.durationMs / 1000).toFixed(1)} s`,
    `${report.workers} worker${report.workers === 1 ? '' : 's'}: kills ${report.kills} (${report.targetedKills} right after a credential / launch / resource create), ${report.workerRestarts} other exits restarted, faults injected ${report.faultsInjected}`,
    ...(report.disruption === undefined
      ? []
      : [`disruption with ${report.runningAtDisruption} backend resources live: ${report.disruption}`]),
    `lost ${report.lost}, duplicates ${report.duplicates}, orphans ${report.orphans}, wrong outcome ${report.wrongOutcome}, secret leaks ${report.secretLeaks}`,
    ...report.problems.slice(0, 20).map((problem) => `  problem: ${problem}`),
  ].join('\n');
}
