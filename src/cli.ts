#!/usr/bin/env node

/**
 * kubernaut-exec: start, inspect, wait for, cancel, list executions, read their output, sweep orphans and set up a
 * namespace, from a terminal or a script. Exit codes: 0 ok (and Completed for wait), 1 the execution failed, 2 bad usage
 * or invalid request, 3 target locked, 4 execution not found, 5 connection or other error, 6 wait --timeout passed.
 */
import './runtime-support.ts';
import { readFileSync } from 'node:fs';
import { WorkflowNotFoundError } from '@temporalio/client';
import { Command, CommanderError, Option } from 'commander';
import { addControl, addInspect, addStart, type CommandContext, EXIT } from './cli/commands.ts';
import type { OutputFormat } from './cli/output.ts';
import { UsageError } from './cli/request.ts';
import { type ConnectOptions, ExecutionClient, ExecutionLockedError, InvalidExecutionRequestError, SetupRequiredError } from './client.ts';
import { isEntryPoint } from './entry-point.ts';
import { TemporalConfigurationError } from './temporal-connection.ts';

export { requestFrom } from './cli/request.ts';
export { EXIT };

interface GlobalOptions {
  profile?: string;
  address?: string;
  namespace?: string;
  taskQueue: string;
  output: OutputFormat;
  tls?: boolean;
  tlsCaFile?: string;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  tlsServerName?: string;
  apiKey?: string;
}

/** Flags on top of Temporal's environment configuration (profile file, TEMPORAL_* variables). */
function connectOptions(options: GlobalOptions): ConnectOptions {
  return {
    taskQueue: options.taskQueue,
    ...(options.profile ? { profile: options.profile } : {}),
    ...(options.address ? { address: options.address } : {}),
    ...(options.namespace ? { namespace: options.namespace } : {}),
    ...(options.apiKey ? { apiKey: options.apiKey } : {}),
    ...(options.tls === undefined ? {} : { tls: options.tls }),
    ...(options.tlsCaFile ? { caFile: options.tlsCaFile } : {}),
    ...(options.tlsCertFile ? { certFile: options.tlsCertFile } : {}),
    ...(options.tlsKeyFile ? { keyFile: options.tlsKeyFile } : {}),
    ...(options.tlsServerName ? { serverName: options.tlsServerName } : {}),
  };
}

/** The installed package's version (package.json sits one level above src/ and dist/). */
function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function buildProgram(io: { out: (text: string) => void; err: (text: string) => void }, setExitCode: (code: number) => void) {
  const program = new Command('kubernaut-exec')
    .description('Start and follow kubernaut remediation executions on the Temporal worker.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .addOption(new Option('--profile <name>', "profile of Temporal's client configuration file (default: $TEMPORAL_PROFILE or default)"))
    .addOption(new Option('--address <host:port>', 'Temporal frontend (default: $TEMPORAL_ADDRESS, the profile, localhost:7233)'))
    .addOption(new Option('--namespace <name>', 'Temporal namespace (default: $TEMPORAL_NAMESPACE, the profile, default)'))
    .addOption(new Option('--task-queue <name>', 'task queue of the worker').env('TEMPORAL_TASK_QUEUE').default('kubernaut-executions'))
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json', 'yaml']).default('text'))
    .addOption(new Option('--tls', 'use TLS (default: $TEMPORAL_TLS, on with an API key)'))
    .addOption(new Option('--no-tls', 'do not use TLS (refused with an API key)'))
    .addOption(new Option('--tls-ca-file <path>', 'server CA (or $TEMPORAL_TLS_SERVER_CA_CERT_PATH)'))
    .addOption(new Option('--tls-cert-file <path>', 'mTLS client certificate (or $TEMPORAL_TLS_CLIENT_CERT_PATH)'))
    .addOption(new Option('--tls-key-file <path>', 'mTLS client key (or $TEMPORAL_TLS_CLIENT_KEY_PATH)'))
    .addOption(new Option('--tls-server-name <name>', 'TLS server name override (or $TEMPORAL_TLS_SERVER_NAME)'))
    .addOption(new Option('--api-key <key>', 'API key (or $TEMPORAL_API_KEY)'))
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `
Exit codes: 0 ok / Completed, 1 execution failed, 2 bad usage or invalid request, 3 target locked,
            4 execution not found, 5 connection or other error, 6 wait --timeout passed.

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
  const context: CommandContext = {
    out: io.out,
    options: () => {
      const options = program.opts<GlobalOptions>();
      return { connect: connectOptions(options), output: options.output, ...(options.namespace ? { namespace: options.namespace } : {}) };
    },
    async withClient(body) {
      const client = await ExecutionClient.connect(connectOptions(program.opts<GlobalOptions>()));
      try {
        setExitCode(await body(client));
      } finally {
        await client.close();
      }
    },
    setExitCode,
  };
  addStart(program, context);
  addInspect(program, context);
  addControl(program, context);
  return program;
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
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    return exitCodeFor(error, io.err);
  }
}

/** One line saying what went wrong, and the exit code for it. */
function exitCodeFor(error: unknown, err: (text: string) => void): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  const message = (error as Error).message;
  if (error instanceof UsageError || error instanceof InvalidExecutionRequestError || error instanceof TemporalConfigurationError) {
    err(`${message}\n`);
    return EXIT.usage;
  }
  if (error instanceof ExecutionLockedError) {
    err(`${message}\n`);
    return EXIT.locked;
  }
  if (error instanceof WorkflowNotFoundError) {
    err(`execution not found: ${message}\n`);
    return EXIT.notFound;
  }
  err(`error: ${error instanceof SetupRequiredError ? message : message.split('\n')[0]}\n`);
  return EXIT.error;
}

if (isEntryPoint(import.meta.url)) {
  process.exitCode = await runCli(process.argv.slice(2));
}
