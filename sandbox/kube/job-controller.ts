/**
 * A simulated Job controller and kubelet: a Job gets one pod that runs, then the Job completes or fails, written as
 * Kubernetes ≥ 1.31 does (SuccessCriteriaMet then Complete, FailureTarget then Failed). The outcome follows the
 * sandbox conventions (conventions.ts); a missing Secret volume or a bad image leaves the pod stuck until the Job's
 * activeDeadlineSeconds, with the container states and events a real kubelet reports.
 */
import { randomUUID } from 'node:crypto';
import { nowToTheSecond, TimerGroup } from '../clock.ts';
import { DURATION_PARAMETER, durationFrom, OUTCOME_PARAMETER, outcomeFrom, type SandboxOutcome, STUCK_PARAMETER } from '../conventions.ts';
import { HeldRuns } from '../held-runs.ts';
import { type KubeObject, resourceByKind } from './resources.ts';
import type { ObjectStore, StoreEvent } from './store.ts';

const JOBS = resourceByKind('Job');
const PODS = resourceByKind('Pod');
const SECRETS = resourceByKind('Secret');
const EVENTS = resourceByKind('Event');

type Container = { name: string; image?: string; env?: { name: string; value?: string }[] };
type PodSpec = { containers?: Container[]; volumes?: { name: string; secret?: { secretName: string } }[] };

export class JobController {
  private readonly timers = new TimerGroup();
  private readonly held = new HeldRuns<string>();
  /** Delay before the controller first acts on a new Job. */
  startDelayMs = 20;
  /** When false the controller ignores new objects, so a test can write status itself as a controller would. */
  enabled = true;
  /**
   * The TTL-after-finished controller, in scaled time: a finished Job is deleted ttlSecondsAfterFinished × this many
   * milliseconds after it finished (0: never, the default). 1 makes a 600 s TTL last 0.6 s.
   */
  ttlMillisecondsPerSecond = 0;

  private readonly store: ObjectStore;

  constructor(store: ObjectStore) {
    this.store = store;
    store.onChange((event) => this.onEvent(event));
  }

  /** Lets held runs (SANDBOX_OUTCOME=hold) finish, with the given outcome. Returns how many were released. */
  release(outcome: SandboxOutcome = 'success', filter: (jobName: string) => boolean = () => true): number {
    return this.held.release(outcome, (key) => filter(key.split('/')[1] ?? ''));
  }

  get heldCount(): number {
    return this.held.size;
  }

  stop(): void {
    this.timers.cancelAll();
  }

  private onEvent(event: StoreEvent): void {
    if (event.resource !== JOBS || (!this.enabled && event.type === 'ADDED')) return;
    const key = this.keyOf(event.object);
    if (event.type === 'ADDED' && !event.object.spec?.suspend)
      this.timers.after(key, this.startDelayMs, () => this.start(event.object, key));
    if (event.type === 'DELETED') {
      this.timers.cancel(key);
      this.held.forget(`${event.object.metadata.namespace}/${event.object.metadata.name}`);
    }
  }

  /** The Job as stored now, if it is still the same object (a deleted and re-created Job has another uid). */
  private current(job: KubeObject): KubeObject | undefined {
    const stored = this.store.tryGet(JOBS, job.metadata.namespace, job.metadata.name);
    return stored && stored.metadata.uid === job.metadata.uid && !stored.metadata.deletionTimestamp ? stored : undefined;
  }

  private writeJobStatus(job: KubeObject, status: Record<string, unknown>): boolean {
    const stored = this.current(job);
    if (!stored) return false;
    this.store.update(JOBS, job.metadata.namespace, job.metadata.name, { ...stored, status: { ...stored.status, ...status } }, 'status');
    return true;
  }

  private writePodStatus(pod: KubeObject, status: Record<string, unknown>): void {
    const stored = this.store.tryGet(PODS, pod.metadata.namespace, pod.metadata.name);
    if (stored) this.store.update(PODS, pod.metadata.namespace, pod.metadata.name, { ...stored, status }, 'status');
  }

  private recordEvent(pod: KubeObject, reason: string, message: string): void {
    this.store.create(EVENTS, pod.metadata.namespace, {
      metadata: { name: `${pod.metadata.name}.${randomUUID().slice(0, 8)}`, namespace: pod.metadata.namespace },
      involvedObject: { kind: 'Pod', name: pod.metadata.name, namespace: pod.metadata.namespace, uid: pod.metadata.uid },
      reason,
      message,
      type: 'Warning',
      count: 1,
      firstTimestamp: nowToTheSecond(),
      lastTimestamp: nowToTheSecond(),
      source: { component: 'kubelet' },
    });
  }

  private start(job: KubeObject, key: string): void {
    if (!this.current(job)) return;
    const template = (job.spec?.template ?? {}) as { metadata?: { labels?: Record<string, string> }; spec?: PodSpec };
    const container = template.spec?.containers?.[0];
    const env = Object.fromEntries((container?.env ?? []).map((entry) => [entry.name, entry.value]));
    const pod = this.store.create(PODS, job.metadata.namespace, {
      metadata: {
        name: `${job.metadata.name}-${randomUUID().replaceAll('-', '').slice(0, 5)}`,
        namespace: job.metadata.namespace,
        labels: template.metadata?.labels ?? {},
        ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: job.metadata.name, uid: job.metadata.uid ?? '', controller: true }],
      },
      spec: structuredClone(template.spec ?? {}) as Record<string, unknown>,
    });
    const startTime = nowToTheSecond();
    this.writeJobStatus(job, { startTime, active: 1, ready: 0, terminating: 0 });
    const deadlineSeconds = Number(job.spec?.activeDeadlineSeconds ?? 0);
    if (deadlineSeconds > 0)
      this.timers.after(key, deadlineSeconds * 1000, () =>
        this.fail(job, pod, startTime, 'DeadlineExceeded', 'Job was active longer than specified deadline'),
      );

    const missingSecret = (template.spec?.volumes ?? []).find(
      (volume) => volume.secret && !this.store.tryGet(SECRETS, job.metadata.namespace, volume.secret.secretName),
    );
    const outcome = outcomeFrom(env[OUTCOME_PARAMETER]);
    if (missingSecret?.secret) {
      this.writePodStatus(pod, {
        phase: 'Pending',
        containerStatuses: [{ name: container?.name, ready: false, state: { waiting: { reason: 'ContainerCreating' } } }],
      });
      this.recordEvent(
        pod,
        'FailedMount',
        `MountVolume.SetUp failed for volume "${missingSecret.name}" : secret "${missingSecret.secret.secretName}" not found`,
      );
      return;
    }
    if (outcome === 'image-pull-backoff') {
      const message = `Back-off pulling image "${container?.image}"`;
      this.writePodStatus(pod, {
        phase: 'Pending',
        containerStatuses: [{ name: container?.name, ready: false, state: { waiting: { reason: 'ImagePullBackOff', message } } }],
      });
      this.recordEvent(pod, 'Failed', `Failed to pull image "${container?.image}": not found`);
      // A registry blip: the pull succeeds after SANDBOX_STUCK_MS and the run goes on as a success.
      const stuckMs = Number(env[STUCK_PARAMETER]);
      if (env[STUCK_PARAMETER] !== undefined && Number.isFinite(stuckMs))
        this.timers.after(key, stuckMs, () => this.runPod(job, pod, key, startTime, 'success', env));
      return;
    }
    if (outcome === 'config-error') {
      const message = "couldn't find key password in Secret kubernaut-workflows/app-credentials";
      this.writePodStatus(pod, {
        phase: 'Pending',
        containerStatuses: [{ name: container?.name, ready: false, state: { waiting: { reason: 'CreateContainerConfigError', message } } }],
      });
      this.recordEvent(pod, 'Failed', `Error: ${message}`);
      return;
    }
    this.runPod(job, pod, key, startTime, outcome, env);
  }

  /** The pod runs, then the Job ends as the outcome says (or when released, for held runs). */
  private runPod(
    job: KubeObject,
    pod: KubeObject,
    key: string,
    startTime: string,
    outcome: SandboxOutcome,
    env: Record<string, string | undefined>,
  ): void {
    if (!this.current(job)) return;
    this.writePodStatus(pod, {
      phase: 'Running',
      startTime,
      containerStatuses: [{ name: 'workflow', ready: true, state: { running: { startedAt: startTime } } }],
    });
    this.writeJobStatus(job, { ready: 1 });
    const finish = (result: SandboxOutcome): void => {
      if (result === 'failure' || result === 'error')
        this.fail(job, pod, startTime, 'BackoffLimitExceeded', 'Job has reached the specified backoff limit', 1);
      else this.succeed(job, pod, startTime);
    };
    if (outcome === 'hold') {
      this.held.hold(`${job.metadata.namespace}/${job.metadata.name}`, finish);
      return;
    }
    this.timers.after(key, durationFrom(env[DURATION_PARAMETER]), () => finish(outcome));
  }

  private keyOf(job: KubeObject): string {
    return `${job.metadata.namespace}/${job.metadata.name}/${job.metadata.uid}`;
  }

  /** Stops the Job's pending timers; false when the Job is gone or already finished. */
  private settle(job: KubeObject): boolean {
    const stored = this.current(job);
    const conditions = (stored?.status?.conditions ?? []) as { status: string }[];
    if (!stored || conditions.some((condition) => condition.status === 'True')) return false;
    this.timers.cancel(this.keyOf(job));
    this.held.forget(`${job.metadata.namespace}/${job.metadata.name}`);
    return true;
  }

  private succeed(job: KubeObject, pod: KubeObject, startTime: string): void {
    if (!this.settle(job)) return;
    this.writePodStatus(pod, {
      phase: 'Succeeded',
      containerStatuses: [{ name: 'workflow', ready: false, state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
    });
    const condition = (type: string) => jobCondition(type, 'CompletionsReached', 'Reached expected number of succeeded pods');
    // As the real controller: the condition comes first, with the pod not yet counted; then the count and Complete.
    const interim = {
      startTime,
      active: 0,
      ready: 0,
      succeeded: 0,
      uncountedTerminatedPods: { succeeded: [pod.metadata.uid] },
      conditions: [condition('SuccessCriteriaMet')],
    };
    if (!this.writeJobStatus(job, interim)) return;
    this.timers.after(this.keyOf(job), 10, () => {
      if (
        this.writeJobStatus(job, {
          ...interim,
          succeeded: 1,
          uncountedTerminatedPods: {},
          completionTime: nowToTheSecond(),
          conditions: [condition('SuccessCriteriaMet'), condition('Complete')],
        })
      )
        this.expireAfterTtl(job);
    });
  }

  private fail(job: KubeObject, pod: KubeObject, startTime: string, reason: string, message: string, failed = 0): void {
    if (!this.settle(job)) return;
    const stored = this.store.tryGet(PODS, pod.metadata.namespace, pod.metadata.name);
    if (stored && reason === 'DeadlineExceeded') this.store.delete(PODS, pod.metadata.namespace, pod.metadata.name, 'Background');
    else
      this.writePodStatus(pod, {
        phase: 'Failed',
        containerStatuses: [{ name: 'workflow', ready: false, state: { terminated: { exitCode: 1, reason: 'Error' } } }],
      });
    const condition = (type: string) => jobCondition(type, reason, message);
    const interim = { startTime, active: 0, ready: 0, failed, conditions: [condition('FailureTarget')] };
    if (!this.writeJobStatus(job, interim)) return;
    this.timers.after(this.keyOf(job), 10, () => {
      if (this.writeJobStatus(job, { ...interim, conditions: [condition('FailureTarget'), condition('Failed')] })) this.expireAfterTtl(job);
    });
  }

  /** As Kubernetes' ttl-after-finished controller: the finished Job (and, through the GC, its pod) is deleted. */
  private expireAfterTtl(job: KubeObject): void {
    const ttl = (job.spec as { ttlSecondsAfterFinished?: number } | undefined)?.ttlSecondsAfterFinished;
    if (this.ttlMillisecondsPerSecond <= 0 || ttl === undefined) return;
    this.timers.after(this.keyOf(job), ttl * this.ttlMillisecondsPerSecond, () => {
      if (this.current(job)) this.store.delete(JOBS, job.metadata.namespace, job.metadata.name, 'Background');
    });
  }
}

/** A True Job condition, stamped now, as the Job controller writes it. */
function jobCondition(type: string, reason: string, message: string) {
  return { type, status: 'True', reason, message, lastProbeTime: nowToTheSecond(), lastTransitionTime: nowToTheSecond() };
}
