/**
 * What kwok does with pods (it simulates only the kubelet): our own pod stages, next to kwok's stock node stages.
 * A pod's fate comes from its containers' env, the sandbox conventions, so a request's parameters decide it for a Job
 * and, through the test pipelines, for a TaskRun's pod:
 *   SANDBOX_OUTCOME   success (default) · failure (exit 1) · hold (runs until deleted) · image-pull-backoff (stuck)
 *   SANDBOX_DURATION_MS   how long the pod runs
 * An image named …/stuck:…, or a pod labelled image-pull-backoff.stage.kwok.kubernaut.ai=true (a PipelineRun's labels
 * reach its pods), also stays stuck pulling. Pods of Jobs and of TaskRuns both complete (kwok's stock stage
 * finishes Job pods only); a TaskRun's step writes its declared results in its termination message, as Tekton's
 * entrypoint does, so results pass between tasks. Deleted pods turn terminal first, as the kubelet makes them, then go
 * once no finalizer (the Job controller's job-tracking) holds them.
 */
import { stringify } from 'yaml';

/** jq over the pod (kwok's selectors): the SANDBOX_OUTCOME values of its containers, one per output. */
const OUTCOME = '.spec.containers[].env[]? | select(.name == "SANDBOX_OUTCOME") | .value';
export const STUCK_LABEL = 'image-pull-backoff.stage.kwok.kubernaut.ai';
const STUCK = [
  `(.metadata.labels["${STUCK_LABEL}"] == "true")`,
  '([.spec.containers[].image | test("/stuck:")] | any)',
  '([.spec.containers[].env[]? | select(.name == "SANDBOX_OUTCOME" and .value == "image-pull-backoff")] | length > 0)',
].join(' or ');
/** "<n>ms" from SANDBOX_DURATION_MS, or nothing (no delay). */
const DURATION =
  '[.spec.containers[].env[]? | select(.name == "SANDBOX_DURATION_MS") | .value | select(. != "" and . != "0") | (. + "ms")] | first';

type Expression = { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] };
const is = (key: string, ...values: string[]): Expression => ({ key, operator: 'In', values });
const isNot = (key: string, ...values: string[]): Expression => ({ key, operator: 'NotIn', values });
const exists = (key: string): Expression => ({ key, operator: 'Exists' });
const absent = (key: string): Expression => ({ key, operator: 'DoesNotExist' });

function podStage(
  name: string,
  matchExpressions: Expression[],
  next: { statusTemplate?: string; delete?: boolean; event?: { type: string; reason: string; message: string } },
  delay?: { durationMilliseconds?: number; durationFrom?: { jq: { expression: string } } },
) {
  return {
    apiVersion: 'kwok.x-k8s.io/v1alpha1',
    kind: 'Stage',
    metadata: { name },
    spec: { resourceRef: { apiGroup: 'v1', kind: 'Pod' }, selector: { matchExpressions }, ...(delay ? { delay } : {}), next },
  };
}

const NOT_DELETING = absent('.metadata.deletionTimestamp');

/** Init containers done, each regular container as `state` (a template of $item, the container, and $now). */
const containerStatuses = (state: string, ready: boolean) => `
{{ $now := Now }}
{{ $stuckPod := eq (index (.metadata.labels | default dict) "${STUCK_LABEL}" | default "") "true" }}
initContainerStatuses:
{{ range .spec.initContainers }}
- image: {{ .image | Quote }}
  name: {{ .name | Quote }}
  ready: true
  restartCount: 0
  state:
    terminated: {exitCode: 0, reason: Completed, startedAt: {{ $now | Quote }}, finishedAt: {{ $now | Quote }}}
{{ end }}
containerStatuses:
{{ range $index, $item := .spec.containers }}
{{ $outcome := "" }}{{ range ($item.env | default list) }}{{ if eq .name "SANDBOX_OUTCOME" }}{{ $outcome = .value }}{{ end }}{{ end }}
- image: {{ $item.image | Quote }}
  name: {{ $item.name | Quote }}
  ready: ${ready}
  restartCount: 0
  state:
${state}
{{ end }}`;

const stuckState = (reason: string, message: string) => `
    {{ if or $stuckPod (contains "/stuck:" $item.image) (eq $outcome "image-pull-backoff") }}
    waiting:
      reason: ${reason}
      message: {{ printf "${message}" $item.image | Quote }}
    {{ else }}
    waiting: {reason: PodInitializing}
    {{ end }}`;

const pendingConditions = `
conditions:
- {type: PodScheduled, status: "True", lastTransitionTime: {{ $now | Quote }}}
- {type: Initialized, status: "True", lastTransitionTime: {{ $now | Quote }}}
- {type: Ready, status: "False", reason: ContainersNotReady, lastTransitionTime: {{ $now | Quote }}}
- {type: ContainersReady, status: "False", reason: ContainersNotReady, lastTransitionTime: {{ $now | Quote }}}
phase: Pending
startTime: {{ $now | Quote }}
{{ with NodeIPWith .spec.nodeName }}hostIP: {{ . | Quote }}{{ end }}`;

/** A TaskRun pod's step writes its task's declared results (the entrypoint's -results argument) as the termination message. */
const TERMINATION_MESSAGE = `
    {{ $results := list }}
    {{ range $i, $arg := ($item.args | default list) }}{{ if eq $arg "-results" }}{{ range splitList "," (index $item.args (add1 $i)) }}{{ $results = append $results (dict "key" . "value" "planned" "type" 1) }}{{ end }}{{ end }}{{ end }}`;

const terminated = (exitCode: string, reason: string) => `${TERMINATION_MESSAGE}
    terminated:
      exitCode: ${exitCode}
      reason: ${reason}
      startedAt: {{ $now | Quote }}
      finishedAt: {{ $now | Quote }}
      {{ if $results }}message: {{ toJson $results | Quote }}{{ end }}`;

const endConditions = (phase: string) => `
conditions:
- {type: PodScheduled, status: "True", lastTransitionTime: {{ $now | Quote }}}
- {type: Initialized, status: "True", lastTransitionTime: {{ $now | Quote }}}
- {type: Ready, status: "False", reason: PodCompleted, lastTransitionTime: {{ $now | Quote }}}
- {type: ContainersReady, status: "False", reason: PodCompleted, lastTransitionTime: {{ $now | Quote }}}
phase: ${phase}`;

const FAILS = '(eq $outcome "failure")';

export function podStages() {
  const running = [NOT_DELETING, is('.status.phase', 'Running'), is('.metadata.ownerReferences[]?.kind', 'Job', 'TaskRun')];
  const delay = { durationFrom: { jq: { expression: DURATION } } };
  return [
    podStage(
      'pod-image-pull-error',
      [NOT_DELETING, is('.status.phase', 'Pending'), absent('.status.containerStatuses'), is(STUCK, 'true')],
      {
        statusTemplate:
          containerStatuses(stuckState('ErrImagePull', 'failed to pull and unpack image \\"%s\\": not found'), false) + pendingConditions,
        event: { type: 'Warning', reason: 'Failed', message: 'Failed to pull image: not found' },
      },
    ),
    podStage(
      'pod-image-pull-backoff',
      [NOT_DELETING, is('.status.phase', 'Pending'), is('.status.containerStatuses[]?.state.waiting.reason', 'ErrImagePull')],
      {
        statusTemplate: containerStatuses(stuckState('ImagePullBackOff', 'Back-off pulling image \\"%s\\"'), false) + pendingConditions,
        event: { type: 'Normal', reason: 'BackOff', message: 'Back-off pulling image' },
      },
      { durationMilliseconds: 500 },
    ),
    podStage('pod-ready', [NOT_DELETING, is('.status.phase', 'Pending'), isNot(STUCK, 'true')], {
      statusTemplate: `${containerStatuses('    running: {startedAt: {{ $now | Quote }}}', true)}
conditions:
- {type: PodScheduled, status: "True", lastTransitionTime: {{ $now | Quote }}}
- {type: Initialized, status: "True", lastTransitionTime: {{ $now | Quote }}}
- {type: Ready, status: "True", lastTransitionTime: {{ $now | Quote }}}
- {type: ContainersReady, status: "True", lastTransitionTime: {{ $now | Quote }}}
{{ with NodeIPWith .spec.nodeName }}hostIP: {{ . | Quote }}{{ end }}
{{ with PodIPWith .spec.nodeName ( or .spec.hostNetwork false ) ( or .metadata.uid "" ) ( or .metadata.name "" ) ( or .metadata.namespace "" ) }}podIP: {{ . | Quote }}{{ end }}
phase: Running
startTime: {{ $now | Quote }}`,
    }),
    podStage(
      'pod-complete',
      [...running, isNot(OUTCOME, 'failure', 'hold')],
      { statusTemplate: containerStatuses(terminated('0', 'Completed'), false) + endConditions('Succeeded') },
      delay,
    ),
    podStage(
      'pod-fail',
      [...running, is(OUTCOME, 'failure')],
      {
        statusTemplate:
          containerStatuses(`    {{ if ${FAILS} }}${terminated('1', 'Error')}{{ else }}${terminated('0', 'Completed')}{{ end }}`, false) +
          endConditions('Failed'),
      },
      delay,
    ),
    // The kubelet stops a deleted pod's containers (SIGTERM: exit 143) and reports it terminal before it goes.
    podStage('pod-terminate', [exists('.metadata.deletionTimestamp'), isNot('.status.phase', 'Succeeded', 'Failed')], {
      statusTemplate: containerStatuses(terminated('143', 'Error'), false) + endConditions('Failed'),
    }),
    podStage(
      'pod-remove',
      [exists('.metadata.deletionTimestamp'), is('.status.phase', 'Succeeded', 'Failed'), absent('.metadata.finalizers')],
      { delete: true },
    ),
  ];
}

/** The stages file given to kwok with --config (YAML documents). */
export function podStagesYaml(): string {
  return podStages()
    .map((stage) => stringify(stage, { lineWidth: 0 }))
    .join('---\n');
}

/** The one Node kwok manages: no taints, so every pod may land on it. */
export const KWOK_NODE = {
  apiVersion: 'v1',
  kind: 'Node',
  metadata: {
    name: 'kwok-node-0',
    labels: { 'kubernetes.io/hostname': 'kwok-node-0', 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', type: 'kwok' },
    annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
  },
  spec: {},
};
