#!/usr/bin/env node

/**
 * kubernaut-exec: start, inspect, wait for, cancel and list executions from a terminal or a script.
 * Exit codes: 0 ok (and Completed for wait), 1 the execution failed, 2 bad usage or invalid request,
 * 3 target locked by a running execution, 4 execution not found, 5 connection or other error.
 */
import './runtime-support.ts';
import { readFileSync } from 'node:fs';
import { WorkflowNotFoundError } from '@temporalio/client';
import { Command, CommanderError, Option } from 'commander';
import { parse as parseYaml } from 'yaml';
import { type ConnectOptions, ExecutionClient, ExecutionLockedError, InvalidExecutionRequestError, type ListFilter } from './client.ts';
import { parseDuration } from './domain/duration.ts';
import {
  ENGINES,
  type Engine,
  type ExecutionRequest,
  type ExecutionResult,
  PHASES,
  type Phase,
  type WorkflowExecution,
} from './domain/types.ts';
import { isEntryPoint } from './entry-point.ts';

export const EXIT = { ok: 0, failed: 1, usage: 2, locked: 3, notFound: 4, error: 5 } as const;

interface GlobalOptions {
  address: string;
  namespace: string;
  taskQueue: string;
  output: 'text' | 'json';
  tls?: boolean;
  tlsCaFile?: string;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  apiKey?: string;
}

class UsageError extends Error {}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** An ExecutionRequest from a file (a request, or a bare WorkflowExecution manifest) and/or flags. */
export function requestFrom(file: string | undefined, flags: Record<string, unknown>): ExecutionRequest {
  let request: ExecutionRequest | undefined;
  if (file) {
    const text = file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
    const document = parseYaml(text) as Record<string, unknown> | null;
    if (!document || typeof document !== 'object') throw new UsageError(`${file}: not a YAML or JSON object`);
    if ('workflowExecution' in document) request = document as unknown as ExecutionRequest;
    else if (document.kind === 'WorkflowExecution') request = { workflowExecution: document as unknown as WorkflowExecution };
    else
      throw new UsageError(
        `${file}: expected an ExecutionRequest (with "workflowExecution") or a WorkflowExecution manifest (kind: WorkflowExecution)`,
      );
  }
  if (!request) {
    if (!flags.name || !flags.target) throw new UsageError('give a request file, or at least --name and --target (see --help)');
    request = {
      workflowExecution: {
        apiVersion: 'kubernaut.ai/v1alpha1',
        kind: 'WorkflowExecution',
        metadata: { name: String(flags.name), namespace: String(flags.wfeNamespace ?? 'kubernaut-system') },
        spec: { workflowRef: { workflowId: String(flags.workflowId ?? flags.name) }, targetResource: String(flags.target) },
      },
    };
  }
  const { spec, metadata } = request.workflowExecution;
  if (flags.name && file) metadata.name = String(flags.name);
  if (flags.target && file) spec.targetResource = String(flags.target);
  if (flags.engine) spec.executionEngine = flags.engine as Engine;
  if (flags.bundle) spec.workflowRef.executionBundle = String(flags.bundle);
  if (flags.jobTemplate || flags.playbook) {
    spec.workflowRef.engineConfig = {
      ...((spec.workflowRef.engineConfig as object | undefined) ?? {}),
      ...(flags.jobTemplate ? { jobTemplateName: String(flags.jobTemplate) } : {}),
      ...(flags.playbook ? { playbookPath: String(flags.playbook) } : {}),
    };
  }
  for (const pair of (flags.param as string[] | undefined) ?? []) {
    const index = pair.indexOf('=');
    if (index <= 0) throw new UsageError(`--param ${pair}: expected KEY=VALUE`);
    spec.parameters = { ...spec.parameters, [pair.slice(0, index)]: pair.slice(index + 1) };
  }
  if (flags.timeout) spec.executionConfig = { ...spec.executionConfig, timeout: String(flags.timeout) };
  if (flags.executionNamespace) request.executionNamespace = String(flags.executionNamespace);
  const secrets = (flags.secret as string[] | undefined) ?? [];
  const configMaps = (flags.configmap as string[] | undefined) ?? [];
  if (secrets.length > 0 || configMaps.length > 0) {
    request.dependencies = {
      secrets: [...(request.dependencies?.secrets ?? []), ...secrets.map((name) => ({ name }))],
      configMaps: [...(request.dependencies?.configMaps ?? []), ...configMaps.map((name) => ({ name }))],
    };
  }
  return request;
}

function connectOptions(options: GlobalOptions): ConnectOptions {
  const tls = options.tls || options.tlsCaFile || options.tlsCertFile || options.apiKey;
  return {
    address: options.address,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(tls
      ? {
          tls: {
            ...(options.tlsCaFile ? { caFile: options.tlsCaFile } : {}),
            ...(options.tlsCertFile ? { certFile: options.tlsCertFile } : {}),
            ...(options.tlsKeyFile ? { keyFile: options.tlsKeyFile } : {}),
          },
        }
      : {}),
    ...(options.apiKey ? { apiKey: options.apiKey } : {}),
  };
}

function printResult(output: GlobalOptions['output'], workflowId: string, result: ExecutionResult, write: (text: string) => void): number {
  if (output === 'json') write(`${JSON.stringify({ workflowId, ...result }, null, 2)}\n`);
  else {
    write(`${workflowId}: ${result.phase} (${result.reason}) ${result.message}\n`);
    if (result.cleanup) write(`cleanup incomplete, left for the orphan sweeper: ${result.cleanup.left.join(', ')}\n`);
  }
  return result.phase === 'Completed' ? EXIT.ok : EXIT.failed;
}

/** The installed package's version (package.json sits one level above src/ and dist/). */
function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Runs the CLI with the given arguments; resolves to the exit code. */
export async function runCli(
  argv: string[],
  io: { out: (text: string) => void; err: (text: string) => void } = {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
  },
): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = new Command('kubernaut-exec')
    .description('Start and follow kubernaut remediation executions on the Temporal worker.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .addOption(new Option('--address <host:port>', 'Temporal frontend').env('TEMPORAL_ADDRESS').default('localhost:7233'))
    .addOption(new Option('--namespace <name>', 'Temporal namespace').env('TEMPORAL_NAMESPACE').default('default'))
    .addOption(new Option('--task-queue <name>', 'task queue of the worker').env('TEMPORAL_TASK_QUEUE').default('kubernaut-executions'))
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .addOption(new Option('--tls', 'use TLS').env('TEMPORAL_TLS'))
    .addOption(new Option('--tls-ca-file <path>', 'server CA').env('TEMPORAL_TLS_CA_FILE'))
    .addOption(new Option('--tls-cert-file <path>', 'mTLS client certificate').env('TEMPORAL_TLS_CERT_FILE'))
    .addOption(new Option('--tls-key-file <path>', 'mTLS client key').env('TEMPORAL_TLS_KEY_FILE'))
    .addOption(new Option('--api-key <key>', 'API key (Temporal Cloud)').env('TEMPORAL_API_KEY'))
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError()
    .addHelpText(
      'after',
      `
Exit codes: 0 ok / Completed, 1 execution failed, 2 bad usage or invalid request, 3 target locked,
            4 execution not found, 5 connection or other error.

Examples:
  kubernaut-exec start examples/job-execution.json --wait
  kubernaut-exec start wfe.yaml --secret db-creds --param REPLICAS=3 -o json
  kubernaut-exec start --name wfe-restart-1 --target prod/Deployment/api --engine job \\
      --bundle quay.io/kubernaut/restart:1.0 --param NAMESPACE=prod --timeout 15m
  kubernaut-exec status wfe-041822837d0914fa
  kubernaut-exec wait wfe-041822837d0914fa && echo remediated
  kubernaut-exec list --engine ansible --phase Running -o json
  kubernaut-exec cancel wfe-041822837d0914fa`,
    );

  const withClient = async (fn: (client: ExecutionClient, options: GlobalOptions) => Promise<number>): Promise<void> => {
    const options = program.opts<GlobalOptions>();
    const client = await ExecutionClient.connect(connectOptions(options));
    try {
      exitCode = await fn(client, options);
    } finally {
      await client.close();
    }
  };

  program
    .command('start')
    .description('start an execution from an ExecutionRequest or WorkflowExecution file (YAML or JSON; - for stdin), and/or flags')
    .argument('[file]', 'request file')
    .option('--name <name>', 'WorkflowExecution name (metadata.name)')
    .option('--wfe-namespace <namespace>', 'WorkflowExecution namespace (metadata.namespace)')
    .option('--target <resource>', 'target resource: namespace/Kind/name or Kind/name')
    .addOption(new Option('--engine <engine>', 'execution engine').choices([...ENGINES]))
    .option('--workflow-id <id>', 'workflowRef.workflowId')
    .option('--bundle <ref>', 'workflowRef.executionBundle (Job image / Tekton bundle)')
    .option('--job-template <name>', 'ansible: AWX job template name')
    .option('--playbook <path>', 'ansible: playbookPath')
    .option('--param <KEY=VALUE>', 'parameter (repeatable)', collect)
    .option('--secret <name>', 'dependency Secret (repeatable)', collect)
    .option('--configmap <name>', 'dependency ConfigMap (repeatable)', collect)
    .option('--timeout <duration>', 'executionConfig.timeout, e.g. 30m')
    .option('--execution-namespace <namespace>', 'namespace the execution runs in')
    .option('--wait', 'wait for the result (exit code 1 when it fails)')
    .action(async (file: string | undefined, flags: Record<string, unknown>) =>
      withClient(async (client, options) => {
        const request = requestFrom(file, flags);
        const started = await client.startExecution(request);
        if (!flags.wait) {
          io.out(options.output === 'json' ? `${JSON.stringify(started)}\n` : `started ${started.workflowId} (run ${started.runId})\n`);
          return EXIT.ok;
        }
        return printResult(options.output, started.workflowId, await client.waitForResult(started.workflowId, started.runId), io.out);
      }),
    );

  program
    .command('status')
    .description("show an execution: Temporal status, search attributes and the workflow's status query")
    .argument('<workflowId>')
    .action(async (workflowId: string) =>
      withClient(async (client, options) => {
        const view = await client.getExecution(workflowId);
        if (options.output === 'json') io.out(`${JSON.stringify(view, null, 2)}\n`);
        else {
          const status = view.status;
          io.out(
            [
              `${view.workflowId}  ${view.workflowStatus}  engine=${view.engine} phase=${view.phase} wfe=${view.workflowExecutionName}`,
              `target:   ${view.targetResource}`,
              ...(status
                ? [
                    `status:   ${status.phase} (${status.reason}) ${status.message}`,
                    `resource: ${status.handle ? `${status.handle.executionNamespace}/${status.handle.resourceName}` : '-'}   polls: ${status.polls}   cleanup: ${status.cleanup?.state ?? '-'}`,
                    ...(status.cleanup?.left?.length
                      ? [`left:     ${status.cleanup.left.join(', ')} (the orphan sweeper removes it)`]
                      : []),
                  ]
                : []),
              `started:  ${view.startTime.toISOString()}${view.closeTime ? `   closed: ${view.closeTime.toISOString()}` : ''}`,
            ].join('\n') + '\n',
          );
        }
        return EXIT.ok;
      }),
    );

  program
    .command('wait')
    .description('wait for an execution to end; exit code 0 when Completed, 1 when it failed')
    .argument('<workflowId>')
    .action(async (workflowId: string) =>
      withClient(async (client, options) => printResult(options.output, workflowId, await client.waitForResult(workflowId), io.out)),
    );

  program
    .command('cancel')
    .description('cancel an execution: the backend is stopped and cleaned up before the workflow ends')
    .argument('<workflowId>')
    .action(async (workflowId: string) =>
      withClient(async (client, options) => {
        await client.cancelExecution(workflowId);
        io.out(
          options.output === 'json' ? `${JSON.stringify({ workflowId, cancelRequested: true })}\n` : `cancel requested for ${workflowId}\n`,
        );
        return EXIT.ok;
      }),
    );

  program
    .command('list')
    .description('list executions by engine, target or phase (search attributes)')
    .addOption(new Option('--engine <engine>').choices([...ENGINES]))
    .option('--target <resource>')
    .addOption(new Option('--phase <phase>').choices([...PHASES]))
    .option('--running', 'only executions still running')
    .option('--limit <n>', 'at most n', (value) => Number.parseInt(value, 10), 50)
    .action(async (flags: { engine?: Engine; target?: string; phase?: Phase; running?: boolean; limit: number }) =>
      withClient(async (client, options) => {
        const filter: ListFilter = {
          ...(flags.engine ? { engine: flags.engine } : {}),
          ...(flags.target ? { targetResource: flags.target } : {}),
          ...(flags.phase ? { phase: flags.phase } : {}),
          ...(flags.running ? { running: true } : {}),
          limit: flags.limit,
        };
        const views = await client.listExecutions(filter);
        if (options.output === 'json') io.out(`${JSON.stringify(views, null, 2)}\n`);
        else
          for (const view of views)
            io.out(
              `${view.workflowId}  ${view.workflowStatus.padEnd(10)} ${String(view.engine).padEnd(8)} ${String(view.phase).padEnd(10)} ${view.workflowExecutionName}  ${view.targetResource}\n`,
            );
        return EXIT.ok;
      }),
    );

  program
    .command('sweep')
    .description('run one orphan sweep now: remove what executions without an open run left behind, and print the report')
    .option('--grace <duration>', 'leave anything younger than this alone (e.g. 10m; 0s takes everything)', '10m')
    .action(async (flags: { grace: string }) =>
      withClient(async (client, options) => {
        const graceMs = parseDuration(flags.grace);
        if (graceMs === undefined) throw new UsageError(`--grace: "${flags.grace}" is not a duration such as 10m or 0s`);
        const report = await client.sweepOrphans({ graceMs });
        if (options.output === 'json') io.out(`${JSON.stringify(report, null, 2)}\n`);
        else {
          io.out(
            `examined ${report.examined}: removed ${report.removed.length}, failed ${report.failed.length}, owned by open runs ${report.ownedByOpenRuns}, too young ${report.tooYoung}${report.truncated ? ' (more left for the next sweep)' : ''}\n`,
          );
          for (const item of report.removed) io.out(`removed ${item.kind} ${item.name} (execution ${item.workflowId})\n`);
          for (const item of report.failed) io.out(`failed  ${item.kind} ${item.name}: ${item.error}\n`);
        }
        return report.failed.length > 0 ? EXIT.failed : EXIT.ok;
      }),
    );

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    const message = (error as Error).message;
    if (error instanceof UsageError || error instanceof InvalidExecutionRequestError) {
      io.err(`${message}\n`);
      return EXIT.usage;
    }
    if (error instanceof ExecutionLockedError) {
      io.err(`${message}\n`);
      return EXIT.locked;
    }
    if (error instanceof WorkflowNotFoundError) {
      io.err(`execution not found: ${message}\n`);
      return EXIT.notFound;
    }
    io.err(`error: ${message}\n`);
    return EXIT.error;
  }
}

if (isEntryPoint(import.meta.url)) {
  process.exitCode = await runCli(process.argv.slice(2));
}
