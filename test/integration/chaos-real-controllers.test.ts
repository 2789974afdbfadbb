/**
 * A chaos slice on the real control plane: worker processes SIGKILLed at random moments and right after a Job or
 * PipelineRun is created, while the real Job controller, garbage collector and Tekton controller run the executions
 * (kwok runs the pods). The invariants are the sandbox chaos run's: nothing lost, one backend resource per execution,
 * nothing left behind, the asked-for outcome, no secret value in any history or log. Skipped when the control plane is
 * not built (`node scripts/ensure-control-plane.ts`).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runChaos } from '../../scripts/lib/chaos.ts';
import { controlPlaneChaosKube } from '../../scripts/lib/chaos-kube.ts';
import { createKubeClients, loadKubeConfig } from '../../src/clients/kube.ts';
import { LABEL_WORKFLOW_EXECUTION } from '../../src/domain/constants.ts';
import { assertNoViolations, printChaosReport } from '../support/chaos-report.ts';
import { eventually } from '../support/kube-sandbox.ts';
import { testNamespace, testServerAddress } from '../support/temporal.ts';

const ADMIN_KUBECONFIG = process.env.TEST_CONTROL_PLANE_ADMIN_KUBECONFIG ?? '';
const WORKER_KUBECONFIG = process.env.TEST_CONTROL_PLANE_WORKER_KUBECONFIG ?? '';
const BUNDLES = JSON.parse(process.env.TEST_CONTROL_PLANE_BUNDLES ?? '{}') as { workflow?: string };
const SKIP = !ADMIN_KUBECONFIG && !process.env.TEST_CONTROL_PLANE_ERROR && (process.env.TEST_CONTROL_PLANE_SKIPPED || 'no control plane');

describe('chaos on the real control plane: SIGKILLed workers lose nothing, duplicate nothing, leave nothing behind', { skip: SKIP }, () => {
  const plane = () => ({
    adminKubeconfigPath: ADMIN_KUBECONFIG,
    workerKubeconfigPath: WORKER_KUBECONFIG,
    tektonBundle: BUNDLES.workflow ?? assert.fail('the control plane pushed no test pipeline bundle'),
  });

  test('the invariants can fail: a Job created twice under one name counts as two creates, one not deleted as left behind', async () => {
    if (process.env.TEST_CONTROL_PLANE_ERROR) throw new Error(`the control plane did not start: ${process.env.TEST_CONTROL_PLANE_ERROR}`);
    const namespace = 'kubernaut-workflows';
    const kube = await controlPlaneChaosKube(namespace, plane());
    const admin = createKubeClients(loadKubeConfig({ kubeconfigPath: ADMIN_KUBECONFIG }));
    const name = `chaos-probe-${Date.now().toString(36)}`;
    const job = {
      metadata: { name, labels: { [LABEL_WORKFLOW_EXECUTION]: name } },
      spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'probe', image: 'quay.io/kubernaut/probe:1' }] } } },
    };
    try {
      await admin.batch.createNamespacedJob({ namespace, body: job });
      await eventually(() => kube.creates('Job', name) === 1 || undefined);
      await admin.batch.deleteNamespacedJob({ namespace, name, body: { propagationPolicy: 'Background' } });
      await eventually(async () => (await kube.leftovers([name], 0)) === 0 || undefined);
      await admin.batch.createNamespacedJob({ namespace, body: job });
      await eventually(() => kube.creates('Job', name) === 2 || undefined);
      assert.equal(await kube.leftovers([name], 0), 1);
    } finally {
      await admin.batch.deleteNamespacedJob({ namespace, name, body: { propagationPolicy: 'Background' } }).catch(() => undefined);
      await kube.stop();
    }
  });

  const seed = Number(process.env.CHAOS_SEED ?? Date.now() % 100_000);

  test(`Jobs and PipelineRuns on the real controllers, kill -9 at random moments and right after a create (seed ${seed})`, async () => {
    if (process.env.TEST_CONTROL_PLANE_ERROR) throw new Error(`the control plane did not start: ${process.env.TEST_CONTROL_PLANE_ERROR}`);
    const report = await runChaos({
      temporalAddress: testServerAddress(),
      namespace: testNamespace(),
      workflowBundlePath: process.env.TEST_WORKFLOW_BUNDLE ?? assert.fail('run through npm test'),
      controlPlane: plane(),
      engines: ['job', 'tekton'],
      perEngine: 3,
      seed,
      minKillMs: 1500,
      maxKillMs: 4000,
      targetedKillChance: 0.4,
      timeoutMs: 300_000,
      log: () => {},
    });
    printChaosReport(report);
    assert.equal(report.executions, 6);
    assert.ok(report.kills >= 2, 'the worker was killed');
    assertNoViolations(report);
  });
});
