/** The ExecutionRequest a `start` command means: from a file (a request, or a bare WorkflowExecution manifest) and flags. */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { Engine, ExecutionRequest, WorkflowExecution } from '../domain/types.ts';

/** Bad usage: reported in one line, exit code 2, before anything connects. */
export class UsageError extends Error {}

export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function readRequestFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new UsageError(`${file}: not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`);
  }
  if (!document || typeof document !== 'object' || Array.isArray(document)) throw new UsageError(`${file}: not a YAML or JSON object`);
  return document as Record<string, unknown>;
}

/** An ExecutionRequest from a file (a request, or a bare WorkflowExecution manifest) and/or flags. */
export function requestFrom(file: string | undefined, flags: Record<string, unknown>): ExecutionRequest {
  let request: ExecutionRequest | undefined;
  if (file) {
    const document = readRequestFile(file);
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
