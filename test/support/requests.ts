import type { Engine, ExecutionRequest } from '../../src/domain/types.ts';

let counter = 0;

/** A unique suffix for names in one test process. */
export function uniqueSuffix(): string {
  counter += 1;
  return `${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}${counter}`;
}

export interface SampleOptions {
  engine?: Engine;
  name?: string;
  target?: string;
  parameters?: Record<string, string>;
  secrets?: readonly string[];
  configMaps?: readonly string[];
  timeout?: string;
  policy?: ExecutionRequest['policy'];
  executionNamespace?: string;
  jobTemplateName?: string;
}

/** A valid request for an engine; options override parts of it. */
export function sampleRequest(options: SampleOptions = {}): ExecutionRequest {
  const engine = options.engine ?? 'job';
  const suffix = uniqueSuffix();
  const request: ExecutionRequest = {
    workflowExecution: {
      apiVersion: 'kubernaut.ai/v1alpha1',
      kind: 'WorkflowExecution',
      metadata: { name: options.name ?? `wfe-test-${suffix}`, namespace: 'kubernaut-system' },
      spec: {
        remediationRequestRef: {
          apiVersion: 'kubernaut.ai/v1alpha1',
          kind: 'RemediationRequest',
          name: 'rr-1',
          namespace: 'kubernaut-system',
        },
        workflowRef: {
          workflowId: 'restart-deployment',
          version: '1.0.0',
          executionBundle: engine === 'ansible' ? 'https://git.example.com/playbooks.git' : 'quay.io/kubernaut/restart@sha256:abc123',
          ...(engine === 'ansible'
            ? { engineConfig: { playbookPath: 'restart.yml', jobTemplateName: options.jobTemplateName ?? 'restart-pod' } }
            : {}),
        },
        targetResource: options.target ?? `default/deployment/app-${suffix}`,
        parameters: options.parameters ?? { NAMESPACE: 'default' },
        executionEngine: engine,
        ...(options.timeout ? { executionConfig: { timeout: options.timeout } } : {}),
      },
    },
    executionNamespace: options.executionNamespace ?? 'kubernaut-workflows',
  };
  if (options.secrets || options.configMaps) {
    request.dependencies = {
      ...(options.secrets ? { secrets: options.secrets.map((name) => ({ name })) } : {}),
      ...(options.configMaps ? { configMaps: options.configMaps.map((name) => ({ name })) } : {}),
    };
  }
  if (options.policy) request.policy = options.policy;
  return request;
}
