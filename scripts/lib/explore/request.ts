/** The ExecutionRequest of a scenario: its names, its Secrets, a run profile and the short policy that keeps it quick. */
import type { ExecutionRequest } from '../../../src/domain/types.ts';
import { type Boundary, profileParameters } from './boundaries.ts';
import { EXECUTION_NAMESPACE, type ScenarioIdentity } from './identity.ts';

export const EXPLORE_POLICY = { pollInitialMs: 100, pollMaxMs: 500, stopGraceMs: 2000 } as const;

export function scenarioRequest(identity: ScenarioIdentity, boundary: Boundary): ExecutionRequest {
  const engine = boundary.engine;
  return {
    workflowExecution: {
      apiVersion: 'kubernaut.ai/v1alpha1',
      kind: 'WorkflowExecution',
      metadata: { name: identity.wfeName, namespace: 'kubernaut-system' },
      spec: {
        remediationRequestRef: {
          apiVersion: 'kubernaut.ai/v1alpha1',
          kind: 'RemediationRequest',
          name: 'rr-explore',
          namespace: 'kubernaut-system',
        },
        workflowRef: {
          workflowId: 'explore',
          version: '1.0.0',
          executionBundle: engine === 'ansible' ? 'https://git.example.com/playbooks.git' : 'quay.io/kubernaut/explore:1',
          ...(engine === 'ansible' ? { engineConfig: { playbookPath: 'explore.yml', jobTemplateName: identity.templateName } } : {}),
        },
        targetResource: identity.target,
        parameters: profileParameters(engine, boundary.profile),
        executionEngine: engine,
      },
    },
    executionNamespace: EXECUTION_NAMESPACE,
    dependencies: { secrets: identity.secrets.map((secret) => ({ name: secret.name })) },
    policy: { ...EXPLORE_POLICY },
  };
}
