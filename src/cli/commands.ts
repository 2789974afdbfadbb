/** The CLI's commands; each returns its exit code. Requests are parsed and validated before anything connects. */
import { type Command, Option } from 'commander';
import {
  type ConnectOptions,
  type ExecutionClient,
  InvalidExecutionRequestError,
  type ListFilter,
  type SetupReport,
  type SweepReport,
} from '../client.ts';
import { parseDuration } from '../domain/duration.ts';
import { executionIdOf } from '../domain/execution-id.ts';
import { ENGINES, type Engine, PHASES, type Phase } from '../domain/types.ts';
import { validateExecutionRequest } from '../domain/validate.ts';
import { listText, type OutputFormat, resultText, statusText, structured } from './output.ts';
import { collect, requestFrom, UsageError } from './request.ts';

export const EXIT = { ok: 0, failed: 1, usage: 2, locked: 3, notFound: 4, error: 5, timeout: 6 } as const;

export interface CommandContext {
  out: (text: string) => void;
  /** The global options as Temporal connect options and the output format. */
  options(): { connect: ConnectOptions; output: OutputFormat; namespace?: string };
  /** Runs with a connected client; the exit code is what the body returns. */
  withClient(body: (client: ExecutionClient) => Promise<number>): Promise<void>;
  setExitCode(code: number): void;
}

function print(context: CommandContext, value: unknown, text: () => string): void {
  const { output } = context.options();
  context.out(output === 'text' ? text() : structured(output, value));
}

function durationFlag(flag: string, value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined) throw new UsageError(`${flag}: "${value}" is not a duration such as 30s, 10m or 1h`);
  return ms;
}

export function addStart(program: Command, context: CommandContext): void {
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
    .option('--dry-run', 'print the request and the workflow ID it would start, and start nothing')
    .option('--wait', 'wait for the result (exit code 1 when it fails)')
    .action(async (file: string | undefined, flags: Record<string, unknown>) => {
      const request = requestFrom(file, flags);
      const problems = validateExecutionRequest(request);
      if (problems.length > 0) throw new InvalidExecutionRequestError(problems);
      if (flags.dryRun) {
        const workflowId = executionIdOf(request.workflowExecution.spec.targetResource);
        print(context, { workflowId, request }, () => `would start ${workflowId}:\n${structured('yaml', request)}`);
        return;
      }
      await context.withClient(async (client) => {
        const started = await client.startExecution(request);
        if (!flags.wait) {
          print(context, started, () => `started ${started.workflowId} (run ${started.runId})\n`);
          return EXIT.ok;
        }
        const result = await client.waitForResult(started.workflowId, started.runId);
        print(context, { workflowId: started.workflowId, ...result }, () => resultText(started.workflowId, result));
        return result.phase === 'Completed' ? EXIT.ok : EXIT.failed;
      });
    });
}

export function addInspect(program: Command, context: CommandContext): void {
  program
    .command('status')
    .description("show an execution: Temporal status, search attributes and the workflow's status query")
    .argument('<workflowId>')
    .action((workflowId: string) =>
      context.withClient(async (client) => {
        const view = await client.getExecution(workflowId);
        print(context, view, () => statusText(view, view.statusError));
        return EXIT.ok;
      }),
    );

  program
    .command('wait')
    .description('wait for an execution to end; exit code 0 when Completed, 1 when it failed, 6 when --timeout passed first')
    .argument('<workflowId>')
    .option('--timeout <duration>', 'give up waiting after this long (the execution goes on)')
    .action(async (workflowId: string, flags: { timeout?: string }) => {
      const timeoutMs = flags.timeout === undefined ? undefined : durationFlag('--timeout', flags.timeout);
      await context.withClient(async (client) => {
        const result =
          timeoutMs === undefined ? await client.waitForResult(workflowId) : await client.waitForResultWithin(workflowId, timeoutMs);
        if (!result) {
          context.out(`${workflowId}: still running after ${flags.timeout}\n`);
          return EXIT.timeout;
        }
        print(context, { workflowId, ...result }, () => resultText(workflowId, result));
        return result.phase === 'Completed' ? EXIT.ok : EXIT.failed;
      });
    });

  program
    .command('logs')
    .description("show the remediation's output (Job pod logs, PipelineRun TaskRun pod logs, AWX job output), secrets masked")
    .argument('<workflowId>')
    .option('--max-bytes <n>', 'at most this much output', (value) => Number.parseInt(value, 10), 16 * 1024)
    .action((workflowId: string, flags: { maxBytes: number }) =>
      context.withClient(async (client) => {
        const output = await client.executionOutput(workflowId, { maxBytes: flags.maxBytes });
        print(context, output, () => (output.text ? `${output.text.trimEnd()}\n` : `(${output.note ?? 'no output'})\n`));
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
    .action((flags: { engine?: Engine; target?: string; phase?: Phase; running?: boolean; limit: number }) =>
      context.withClient(async (client) => {
        const filter: ListFilter = {
          engine: flags.engine,
          targetResource: flags.target,
          phase: flags.phase,
          running: flags.running,
          limit: flags.limit,
        };
        const views = await client.listExecutions(filter);
        print(context, views, () => listText(views));
        return EXIT.ok;
      }),
    );
}

export function addControl(program: Command, context: CommandContext): void {
  program
    .command('cancel')
    .description('cancel an execution: the backend is stopped and cleaned up before the workflow ends')
    .argument('<workflowId>')
    .action((workflowId: string) =>
      context.withClient(async (client) => {
        await client.cancelExecution(workflowId);
        print(context, { workflowId, cancelRequested: true }, () => `cancel requested for ${workflowId}\n`);
        return EXIT.ok;
      }),
    );

  program
    .command('sweep')
    .description('run one orphan sweep now: remove what executions without an open run left behind, and print the report')
    .option('--grace <duration>', 'leave anything younger than this alone (e.g. 10m; 0s takes everything)', '10m')
    .action(async (flags: { grace: string }) => {
      const graceMs = durationFlag('--grace', flags.grace);
      await context.withClient(async (client) => {
        const report = await client.sweepOrphans({ graceMs });
        print(context, report, () => sweepText(report));
        return report.failed.length > 0 ? EXIT.failed : EXIT.ok;
      });
    });

  program
    .command('setup')
    .description('prepare the Temporal namespace (idempotent): register the search attributes, create the orphan sweeper schedule')
    .option('--no-sweeper', 'do not create the sweeper schedule (the workers create it at start unless SWEEPER_SCHEDULE=false)')
    .action((flags: { sweeper: boolean }) =>
      context.withClient(async (client) => {
        const report = await client.setup({
          namespace: client.client.options.namespace,
          ...(flags.sweeper ? {} : { sweeper: false as const }),
        });
        print(context, report, () => setupText(client.client.options.namespace, report));
        return EXIT.ok;
      }),
    );
}

function sweepText(report: SweepReport): string {
  const lines = [
    `examined ${report.examined}: removed ${report.removed.length}, failed ${report.failed.length}, owned by open runs ${report.ownedByOpenRuns}, too young ${report.tooYoung}${report.truncated ? ' (more left for the next sweep)' : ''}`,
    ...report.removed.map((item) => `removed ${item.kind} ${item.name} (execution ${item.workflowId})`),
    ...report.failed.map((item) => `failed  ${item.kind} ${item.name}: ${item.error}`),
  ];
  return `${lines.join('\n')}\n`;
}

function setupText(namespace: string, report: SetupReport): string {
  const lines = [
    `namespace ${namespace}:`,
    ...report.searchAttributes.map((entry) => `  search attribute ${entry.name} (Keyword): ${entry.result}`),
    `  orphan sweeper schedule: ${report.sweeperSchedule}`,
  ];
  return `${lines.join('\n')}\n`;
}
