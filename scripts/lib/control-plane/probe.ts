/** The control plane's readiness check: it is ready when it works. */
import { type KubeApi, StopWaiting } from './kube-api.ts';

/**
 * Ready means working: a Job and a PipelineRun (from the test bundle) run to success in a namespace of their own,
 * which is then deleted. Catches a controller that started but cannot act (no node, no service account, no resolver).
 */
export async function probe(api: KubeApi, bundle: string): Promise<void> {
  const namespace = 'control-plane-probe';
  await api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  // The service account controller creates "default" in every namespace; pods wait for it.
  await api.until('the default ServiceAccount', async () =>
    (await api.call('GET', `/api/v1/namespaces/${namespace}/serviceaccounts/default`)).status === 200 ? true : undefined,
  );
  await api.create({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'probe', namespace },
    spec: {
      backoffLimit: 0,
      template: { spec: { restartPolicy: 'Never', containers: [{ name: 'probe', image: 'registry.invalid/probe:v1' }] } },
    },
  });
  await api.create({
    apiVersion: 'tekton.dev/v1',
    kind: 'PipelineRun',
    metadata: { name: 'probe', namespace },
    spec: {
      pipelineRef: {
        resolver: 'bundles',
        params: [
          { name: 'bundle', value: bundle },
          { name: 'name', value: 'workflow' },
          { name: 'kind', value: 'pipeline' },
        ],
      },
      params: [{ name: 'TARGET_RESOURCE', value: 'default/deployment/probe' }],
    },
  });
  const condition = async (path: string, type: string) => {
    const { json } = await api.call('GET', path);
    const found = (
      (json.status as { conditions?: { type: string; status: string; reason?: string; message?: string }[] })?.conditions ?? []
    ).find((entry) => entry.type === type);
    if (found?.status === 'False') throw new StopWaiting(`probe ${path}: ${found.reason}: ${found.message}`);
    return found?.status === 'True' ? true : undefined;
  };
  await Promise.all([
    api.until('the probe Job complete', () => condition(`/apis/batch/v1/namespaces/${namespace}/jobs/probe`, 'Complete'), 120_000),
    api.until(
      'the probe PipelineRun succeeded',
      () => condition(`/apis/tekton.dev/v1/namespaces/${namespace}/pipelineruns/probe`, 'Succeeded'),
      120_000,
    ),
  ]);
  await api.call('DELETE', `/api/v1/namespaces/${namespace}`);
}
