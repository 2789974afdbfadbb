/** Execution requests of the benchmark: one per engine, the sandbox told how long to run through its parameters. */
import type { ExecutionRequest } from '../../src/domain/types.ts';

export type KubeEngine = 'job' | 'tekton';

export function benchRequest(
  name: string,
  parameters: Record<string, string>,
  policy: ExecutionRequest['policy'] | undefined,
  engine: KubeEngine = 'job',
): ExecutionRequest {
  const request: ExecutionRequest = {
    workflowExecution: {
      metadata: { name, namespace: 'kubernaut-system' },
      spec: {
        workflowRef: { workflowId: 'bench', executionBundle: 'quay.io/kubernaut/bench:1' },
        targetResource: `bench/Deployment/${name}`,
        parameters,
        executionEngine: engine,
      },
    },
  };
  if (policy) request.policy = policy;
  return request;
}

/** The default policy with every interval divided by `scale`: a run `scale`× shorter takes the same number of polls. */
export function scaledPolicy(scale: number): NonNullable<ExecutionRequest['policy']> {
  return { pollInitialMs: Math.round(2000 / scale), pollMaxMs: Math.round(60_000 / scale), watchedPollMs: Math.round(300_000 / scale) };
}

/** One poll a second, no backoff: the throughput runs end at their first or second poll. */
export const FAST_POLICY = { pollInitialMs: 1000, pollMaxMs: 1000 };
