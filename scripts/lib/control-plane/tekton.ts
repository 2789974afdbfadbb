/**
 * Tekton Pipelines on the control plane: its namespaces, CRDs and ConfigMaps from the module's config/ folder (copied
 * by build-tekton.ts), and its controller and resolvers as processes in the namespace, configured as their Deployments
 * configure them. Not the webhook: it needs an address that is not loopback, and the controller runs every PipelineRun
 * without it (it applies defaults itself; no admission validation). The CRDs' conversion webhook is turned off to
 * match (every object is read and written as its stored version, v1).
 *
 * The resolvers elect a leader per resolver, and on promotion Tekton (v1.10.1, resolver framework's LeaderAwareFuncs)
 * hands every ResolutionRequest that exists to every resolver, whatever its type label: a request pending at that moment
 * can be taken by the wrong resolver (the cluster resolver looking for a Pipeline named "workflow") and failed,
 * CouldntGetPipeline. So nothing is resolved before every resolver leads, and leases are long enough that a loaded
 * machine never loses one mid-run.
 */
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubeApi, KubeObject } from './kube-api.ts';
import type { NetworkNamespace } from './netns.ts';

export const TEKTON_NAMESPACE = 'tekton-pipelines';
export const RESOLVERS_NAMESPACE = 'tekton-pipelines-resolvers';
/** Leader election of the resolvers: a lease lost and won again would re-deliver pending requests to every resolver. */
const RESOLVERS_LEADER_ELECTION = { 'lease-duration': '600s', 'renew-deadline': '590s', 'retry-period': '5s', buckets: '1' };
const RESOLVERS = ['bundleresolver', 'cluster', 'git', 'http', 'hub'];
/** Images the controller puts in pods; nothing pulls them (kwok runs no containers). */
const IMAGES = ['entrypoint', 'nop', 'sidecarlogresults', 'workingdirinit', 'shell'];

function documents(folder: string): KubeObject[] {
  return readdirSync(folder)
    .filter((name) => name.endsWith('.yaml'))
    .sort()
    .flatMap((name) => parseAllDocuments(readFileSync(join(folder, name), 'utf8')).map((document) => document.toJS() as KubeObject))
    .filter((object): object is KubeObject => Boolean(object?.kind));
}

/** Namespaces, CRDs (established) and ConfigMaps. */
export async function installTekton(api: KubeApi, config: string): Promise<void> {
  const all = ['.', '100-namespace', '300-crds', 'resolvers'].flatMap((folder) => documents(join(config, folder)));
  for (const object of all.filter((entry) => entry.kind === 'Namespace')) await api.create(object);
  const crds = all.filter((entry) => entry.kind === 'CustomResourceDefinition');
  for (const crd of crds) await api.create({ ...crd, spec: { ...(crd.spec as object), conversion: { strategy: 'None' } } });
  for (const object of all.filter((entry) => entry.kind === 'ConfigMap')) {
    const leaderElection = object.metadata.name === 'config-leader-election-resolvers';
    await api.create(leaderElection ? { ...object, data: RESOLVERS_LEADER_ELECTION } : object);
  }
  await api.until('the Tekton CRDs established', async () => {
    for (const crd of crds) {
      const { json } = await api.call('GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`);
      const conditions = ((json.status as { conditions?: { type: string; status: string }[] })?.conditions ?? []).filter(
        (condition) => condition.type === 'Established' && condition.status === 'True',
      );
      if (conditions.length === 0) return undefined;
    }
    // Their storage ready too (the first lists answer 429 "storage is (re)initializing").
    const lists = await Promise.all(
      ['pipelineruns', 'taskruns'].map((plural) => api.call('GET', `/apis/tekton.dev/v1/namespaces/default/${plural}`)),
    );
    return lists.every((list) => list.status === 200) ? true : undefined;
  });
}

/** Until every resolver holds its lease (and has been promoted: its lister was read once, with nothing pending). */
export async function resolversLeading(api: KubeApi): Promise<void> {
  await api.until('the Tekton resolvers leading', async () => {
    const { json } = await api.call('GET', `/apis/coordination.k8s.io/v1/namespaces/${RESOLVERS_NAMESPACE}/leases`);
    const held = ((json.items ?? []) as { metadata: { name: string }; spec?: { holderIdentity?: string } }[])
      .filter((lease) => lease.spec?.holderIdentity)
      .map((lease) => lease.metadata.name);
    return RESOLVERS.every((resolver) => held.some((name) => name.includes(`.${resolver}.`))) ? true : undefined;
  });
}

const common = (namespace: string, ports: { probes: number; profiling: number; metrics: number }) => ({
  SYSTEM_NAMESPACE: namespace,
  KUBERNETES_MIN_VERSION: 'v1.28.0',
  CONFIG_LOGGING_NAME: 'config-logging',
  CONFIG_OBSERVABILITY_NAME: 'config-observability',
  CONFIG_FEATURE_FLAGS_NAME: 'feature-flags',
  PROBES_PORT: String(ports.probes),
  PROFILING_PORT: String(ports.profiling),
  METRICS_PROMETHEUS_PORT: String(ports.metrics),
});

export function startTekton(
  netns: NetworkNamespace,
  binaries: { tektonController: string; tektonResolvers: string },
  adminKubeconfig: string,
  dir: string,
): ChildProcess[] {
  const controller = netns.spawn(
    binaries.tektonController,
    [
      `--kubeconfig=${adminKubeconfig}`,
      '--disable-ha',
      ...IMAGES.flatMap((image) => [`-${image}-image`, `registry.invalid/tekton/${image}:v1`]),
      '-shell-image-win',
      'registry.invalid/tekton/powershell:v1',
    ],
    join(dir, 'tekton-controller.log'),
    {
      ...common(TEKTON_NAMESPACE, { probes: 8080, profiling: 8008, metrics: 9090 }),
      CONFIG_DEFAULTS_NAME: 'config-defaults',
      CONFIG_LEADERELECTION_NAME: 'config-leader-election-controller',
      CONFIG_SPIRE: 'config-spire',
      METRICS_DOMAIN: 'tekton.dev/pipeline',
    },
  );
  const resolvers = netns.spawn(binaries.tektonResolvers, [`--kubeconfig=${adminKubeconfig}`], join(dir, 'tekton-resolvers.log'), {
    ...common(RESOLVERS_NAMESPACE, { probes: 8081, profiling: 8009, metrics: 9091 }),
    CONFIG_LEADERELECTION_NAME: 'config-leader-election-resolvers',
    METRICS_DOMAIN: 'tekton.dev/resolution',
    TEKTON_HUB_API: '',
    ARTIFACT_HUB_API: 'https://artifacthub.io/',
  });
  return [controller, resolvers];
}
