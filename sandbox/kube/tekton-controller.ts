/**
 * A simulated Tekton controller: a PipelineRun resolves, starts, runs two TaskRuns one after the other, and ends
 * Succeeded or Failed by the sandbox conventions (conventions.ts). spec.status Cancelled / CancelledRunFinally stops it,
 * timeouts.pipeline times it out, with the reasons and messages Tekton writes (reference B4). A bundle reference
 * containing UNRESOLVABLE_BUNDLE never resolves: the run stays Unknown / ResolvingPipelineRef, as Tekton v1.10.1 leaves
 * a PipelineRun whose bundle is missing or unreachable.
 */
import { parseDuration } from '../../src/domain/duration.ts';
import { nowToTheSecond, TimerGroup } from '../clock.ts';
import { DURATION_PARAMETER, durationFrom, OUTCOME_PARAMETER, outcomeFrom, type SandboxOutcome } from '../conventions.ts';
import { HeldRuns } from '../held-runs.ts';
import { type KubeObject, resourceByKind } from './resources.ts';
import type { ObjectStore, StoreEvent } from './store.ts';

const PIPELINE_RUNS = resourceByKind('PipelineRun');
const TASK_RUNS = resourceByKind('TaskRun');
const TASKS = ['prepare', 'remediate'];
/** A bundle reference containing this (e.g. `registry.invalid/x/unresolvable:v1`) never resolves. */
export const UNRESOLVABLE_BUNDLE = '/unresolvable:';
/** What Tekton writes on a TaskRun whose step exited non-zero. */
export const STEP_FAILED_MESSAGE = '"step-run" exited with code 1: Error';

const condition = (status: string, reason: string, message: string) => [
  { type: 'Succeeded', status, reason, message, lastTransitionTime: nowToTheSecond() },
];

export class TektonController {
  private readonly timers = new TimerGroup();
  private readonly held = new HeldRuns<string>();
  private readonly cancelling = new Set<string>();
  startDelayMs = 20;
  /** When false the controller ignores new objects, so a test can write status itself as a controller would. */
  enabled = true;

  private readonly store: ObjectStore;

  constructor(store: ObjectStore) {
    this.store = store;
    store.onChange((event) => this.onEvent(event));
  }

  release(outcome: SandboxOutcome = 'success', filter: (name: string) => boolean = () => true): number {
    return this.held.release(outcome, (key) => filter(key.split('/')[1] ?? ''));
  }

  stop(): void {
    this.timers.cancelAll();
  }

  private keyOf(run: KubeObject): string {
    return `${run.metadata.namespace}/${run.metadata.name}/${run.metadata.uid}`;
  }

  private onEvent(event: StoreEvent): void {
    if (event.resource !== PIPELINE_RUNS || (!this.enabled && event.type !== 'DELETED')) return;
    const run = event.object;
    const key = this.keyOf(run);
    if (event.type === 'DELETED') {
      this.timers.cancel(key);
      this.cancelling.delete(key);
      this.held.forget(`${run.metadata.namespace}/${run.metadata.name}`);
      return;
    }
    const requested = run.spec?.status as string | undefined;
    const finished = this.isFinished(run);
    if (
      event.type === 'MODIFIED' &&
      !finished &&
      (requested === 'Cancelled' || requested === 'CancelledRunFinally') &&
      !this.cancelling.has(key)
    ) {
      this.cancelling.add(key);
      this.cancel(run, requested);
      return;
    }
    if (event.type === 'ADDED') {
      if (requested === 'PipelineRunPending') {
        this.timers.after(key, 0, () =>
          this.writeStatus(run, { conditions: condition('Unknown', 'PipelineRunPending', 'PipelineRun is pending') }),
        );
        return;
      }
      this.timers.after(key, this.startDelayMs, () => this.start(run));
    }
  }

  private isFinished(run: KubeObject): boolean {
    const conditions = (run.status?.conditions ?? []) as { status: string }[];
    return conditions.some((entry) => entry.status === 'True' || entry.status === 'False');
  }

  private current(run: KubeObject): KubeObject | undefined {
    const stored = this.store.tryGet(PIPELINE_RUNS, run.metadata.namespace, run.metadata.name);
    return stored && stored.metadata.uid === run.metadata.uid && !stored.metadata.deletionTimestamp ? stored : undefined;
  }

  private writeStatus(run: KubeObject, status: Record<string, unknown>): KubeObject | undefined {
    const stored = this.current(run);
    if (!stored || this.isFinished(stored)) return undefined;
    return this.store.update(
      PIPELINE_RUNS,
      run.metadata.namespace,
      run.metadata.name,
      { ...stored, status: { ...stored.status, ...status } },
      'status',
    );
  }

  private setTaskRun(run: KubeObject, task: string, status: string, reason: string, message = reason): string {
    const name = `${run.metadata.name}-${task}`;
    const conditions = [{ type: 'Succeeded', status, reason, message, lastTransitionTime: nowToTheSecond() }];
    const existing = this.store.tryGet(TASK_RUNS, run.metadata.namespace, name);
    if (existing) {
      this.store.update(TASK_RUNS, run.metadata.namespace, name, { ...existing, status: { ...existing.status, conditions } }, 'status');
    } else {
      const created = this.store.create(TASK_RUNS, run.metadata.namespace, {
        metadata: {
          name,
          namespace: run.metadata.namespace,
          labels: { 'tekton.dev/pipelineRun': run.metadata.name, 'tekton.dev/pipelineTask': task },
          ownerReferences: [
            { apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', name: run.metadata.name, uid: run.metadata.uid ?? '', controller: true },
          ],
        },
        spec: { serviceAccountName: (run.spec?.taskRunTemplate as { serviceAccountName?: string } | undefined)?.serviceAccountName },
      });
      this.store.update(
        TASK_RUNS,
        run.metadata.namespace,
        name,
        { ...created, status: { conditions, startTime: nowToTheSecond() } },
        'status',
      );
    }
    return name;
  }

  private start(run: KubeObject): void {
    const ref = (run.spec?.pipelineRef ?? {}) as { params?: { name: string; value: string }[] };
    const bundle = ref.params?.find((param) => param.name === 'bundle')?.value ?? '';
    if (bundle.includes(UNRESOLVABLE_BUNDLE)) {
      const message = `PipelineRun ${run.metadata.namespace}/${run.metadata.name} awaiting remote resource`;
      this.writeStatus(run, { conditions: condition('Unknown', 'ResolvingPipelineRef', message) });
      return;
    }
    const params = Object.fromEntries(
      ((run.spec?.params ?? []) as { name: string; value: string }[]).map((param) => [param.name, param.value]),
    );
    const outcome = outcomeFrom(params[OUTCOME_PARAMETER]);
    const duration = durationFrom(params[DURATION_PARAMETER]);
    const key = this.keyOf(run);
    if (!this.writeStatus(run, { startTime: nowToTheSecond(), conditions: condition('Unknown', 'Started', '') })) return;
    const timeout = parseDuration(String((run.spec?.timeouts as { pipeline?: string } | undefined)?.pipeline ?? '1h'));
    if (timeout && timeout > 0) {
      this.timers.after(key, timeout, () => {
        const timeoutText = (run.spec?.timeouts as { pipeline?: string } | undefined)?.pipeline ?? '1h0m0s';
        this.finish(run, 'False', 'PipelineRunTimeout', `PipelineRun "${run.metadata.name}" failed to finish within "${timeoutText}"`);
      });
    }
    const children: { apiVersion: string; kind: string; name: string; pipelineTaskName: string }[] = [];
    const runTask = (index: number, result: SandboxOutcome): void => {
      const task = TASKS[index];
      if (!task || !this.current(run)) return;
      const name = this.setTaskRun(run, task, 'Unknown', 'Running');
      children.push({ apiVersion: 'tekton.dev/v1', kind: 'TaskRun', name, pipelineTaskName: task });
      this.writeStatus(run, {
        childReferences: [...children],
        conditions: condition(
          'Unknown',
          'Running',
          `Tasks Completed: ${index} (Failed: 0, Cancelled 0), Incomplete: ${TASKS.length - index}, Skipped: 0`,
        ),
      });
      const last = index === TASKS.length - 1;
      const complete = (final: SandboxOutcome): void => {
        const failed = last && (final === 'failure' || final === 'error');
        if (failed) this.setTaskRun(run, task, 'False', 'Failed', STEP_FAILED_MESSAGE);
        else this.setTaskRun(run, task, 'True', 'Succeeded');
        if (!last) {
          runTask(index + 1, final);
          return;
        }
        if (failed) this.finish(run, 'False', 'Failed', `Tasks Completed: ${TASKS.length} (Failed: 1, Cancelled 0), Skipped: 0`);
        else this.finish(run, 'True', 'Succeeded', `Tasks Completed: ${TASKS.length} (Failed: 0, Cancelled 0), Skipped: 0`);
      };
      if (last && result === 'hold') this.held.hold(`${run.metadata.namespace}/${run.metadata.name}`, complete);
      else this.timers.after(key, duration / TASKS.length, () => complete(result));
    };
    runTask(0, outcome);
  }

  private finish(run: KubeObject, status: string, reason: string, message: string): void {
    const stored = this.current(run);
    if (!stored || this.isFinished(stored)) return;
    this.timers.cancel(this.keyOf(run));
    this.held.forget(`${run.metadata.namespace}/${run.metadata.name}`);
    this.writeStatus(run, { completionTime: nowToTheSecond(), conditions: condition(status, reason, message) });
  }

  private cancel(run: KubeObject, mode: string): void {
    this.timers.cancel(this.keyOf(run));
    this.held.forget(`${run.metadata.namespace}/${run.metadata.name}`);
    for (const child of (run.status?.childReferences ?? []) as { name: string; pipelineTaskName: string }[]) {
      const taskRun = this.store.tryGet(TASK_RUNS, run.metadata.namespace, child.name);
      const done = ((taskRun?.status?.conditions ?? []) as { status: string }[]).some((entry) => entry.status !== 'Unknown');
      if (taskRun && !done) this.setTaskRun(run, child.pipelineTaskName, 'False', 'TaskRunCancelled');
    }
    const message = `PipelineRun "${run.metadata.name}" was cancelled`;
    if (mode === 'CancelledRunFinally') {
      this.writeStatus(run, { conditions: condition('Unknown', 'CancelledRunningFinally', 'running finally tasks') });
      this.timers.after(this.keyOf(run), 50, () => this.finish(run, 'False', 'Cancelled', message));
    } else {
      this.finish(run, 'False', 'Cancelled', message);
    }
  }
}
