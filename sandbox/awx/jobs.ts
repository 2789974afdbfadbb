/**
 * Simulated AWX job runs: new → pending → waiting → running → successful / failed / error, with output events, by the
 * sandbox conventions (SANDBOX_OUTCOME / SANDBOX_DURATION_MS extra vars). Cancel requests end a job as canceled.
 */

import { now, TimerGroup } from '../clock.ts';
import {
  CANCEL_DELAY_PARAMETER,
  cancelDelayFrom,
  DURATION_PARAMETER,
  durationFrom,
  OUTCOME_PARAMETER,
  outcomeFrom,
  type SandboxOutcome,
} from '../conventions.ts';
import { HeldRuns } from '../held-runs.ts';
import type { Job } from './model.ts';

const ACTIVE = new Set(['new', 'pending', 'waiting', 'running']);

export class JobRunner {
  private readonly timers = new TimerGroup();
  private readonly held = new HeldRuns<number>();
  /** Jobs launched with "hold" that have not started yet, and the outcome a release named before they started. */
  private readonly starting = new Set<number>();
  private readonly releasedEarly = new Map<number, SandboxOutcome>();
  private readonly credentialExists: (id: number) => boolean;
  private readonly mustWait: (job: Job) => boolean;
  stepMs = 15;
  /** How long after a job ends its last events stay unsaved (AWX saves them after the status); 0 = at once. */
  eventProcessingMs = 0;

  /** `mustWait`: whether a pending job has to stay pending for now (AWX: another job of its template runs). */
  constructor(credentialExists: (id: number) => boolean, mustWait: (job: Job) => boolean = () => false) {
    this.credentialExists = credentialExists;
    this.mustWait = mustWait;
  }

  stop(): void {
    this.timers.cancelAll();
  }

  get heldCount(): number {
    return this.held.size;
  }

  /** Ends held jobs with `outcome`; one that has not started yet ends so once it starts (a release never races it). */
  release(outcome: SandboxOutcome = 'success', filter: (job: number) => boolean = () => true): number {
    let early = 0;
    for (const id of this.starting)
      if (filter(id)) {
        this.releasedEarly.set(id, outcome);
        this.starting.delete(id);
        early++;
      }
    return this.held.release(outcome, filter) + early;
  }

  private emit(job: Job, event: string, stdout: string): void {
    job.events.push({ counter: job.events.length + 1, event, stdout, created: now() });
  }

  /** Starts a launched job's lifecycle. */
  run(job: Job): void {
    const key = String(job.id);
    const vars = JSON.parse(job.extra_vars || '{}') as Record<string, unknown>;
    const outcome = outcomeFrom(vars[OUTCOME_PARAMETER]);
    const duration = durationFrom(vars[DURATION_PARAMETER]);
    if (outcome === 'hold') this.starting.add(job.id);
    const leavePending = (): void => {
      if (job.status !== 'pending') return;
      // AWX's task manager leaves a job pending while another job of its template (allow_simultaneous off) is active.
      if (this.mustWait(job)) return void this.timers.after(key, this.stepMs, leavePending);
      job.status = 'waiting';
      this.timers.after(key, this.stepMs, () => this.start(job, outcome, duration));
    };
    this.timers.after(key, this.stepMs, leavePending);
  }

  private start(job: Job, outcome: SandboxOutcome, duration: number): void {
    if (job.status !== 'waiting') return;
    job.status = 'running';
    job.started = now();
    for (const id of job.credentials) job.credentialsAtStart[id] = this.credentialExists(id);
    const missing = job.credentials.filter((id) => !job.credentialsAtStart[id]);
    if (missing.length > 0) {
      job.job_explanation = `Job cannot start because Credential ${missing.join(', ')} does not exist.`;
      this.finish(job, 'error');
      return;
    }
    // AWX 24.6.1: a job that ends in error because its worker died has no events at all.
    if (outcome !== 'error') {
      this.emit(job, 'playbook_on_play_start', 'PLAY [remediation] *************************************************************');
      this.emit(job, 'playbook_on_task_start', 'TASK [Gathering Facts] *********************************************************');
      this.emit(job, 'runner_on_ok', 'ok: [localhost]');
    }
    const finish = (result: SandboxOutcome): void => {
      const saved = job.events.length;
      if (result === 'failure') {
        this.emit(job, 'playbook_on_task_start', 'TASK [remediate] ***************************************************************');
        this.emit(job, 'runner_on_failed', 'fatal: [localhost]: FAILED! => {"changed": false, "msg": "connection refused"}');
        this.emit(
          job,
          'playbook_on_stats',
          'PLAY RECAP *********************************************************************\nlocalhost : ok=1 changed=0 unreachable=0 failed=1',
        );
        this.finish(job, 'failed', saved);
      } else if (result === 'error') {
        // AWX's traceback ends with a newline.
        job.result_traceback = 'Traceback (most recent call last):\n  RuntimeError: receptor work unit failed\n';
        this.finish(job, 'error', saved);
      } else {
        this.emit(job, 'runner_on_ok', 'changed: [localhost]');
        this.emit(
          job,
          'playbook_on_stats',
          'PLAY RECAP *********************************************************************\nlocalhost : ok=2 changed=1 unreachable=0 failed=0',
        );
        this.finish(job, 'successful', saved);
      }
    };
    const early = this.releasedEarly.get(job.id);
    this.releasedEarly.delete(job.id);
    this.starting.delete(job.id);
    if (early) this.timers.after(String(job.id), duration, () => finish(early));
    else if (outcome === 'hold') this.held.hold(job.id, finish);
    else this.timers.after(String(job.id), duration, () => finish(outcome));
  }

  /** `saved`: how many events are in when the status changes (the rest follow after eventProcessingMs). */
  private finish(job: Job, status: string, saved = job.events.length): void {
    if (!ACTIVE.has(job.status)) return;
    this.timers.cancel(String(job.id));
    this.held.forget(job.id);
    this.starting.delete(job.id);
    this.releasedEarly.delete(job.id);
    job.status = status;
    job.failed = ['failed', 'error', 'canceled'].includes(status);
    job.finished = now();
    job.elapsed = job.started ? Number(((Date.parse(job.finished) - Date.parse(job.started)) / 1000).toFixed(3)) : 0;
    if (this.eventProcessingMs <= 0) return;
    job.eventsSaved = saved;
    this.timers.after(`${job.id}/events`, this.eventProcessingMs, () => delete job.eventsSaved);
  }

  /**
   * POST cancel on an active job: canceled shortly after, as the dispatcher stops it; with SANDBOX_CANCEL_DELAY_MS only
   * after that delay (or, with "hold", once released), and a repeated cancel meanwhile is accepted without moving it.
   */
  cancel(job: Job): boolean {
    if (!ACTIVE.has(job.status)) return false;
    const delay = cancelDelayFrom((JSON.parse(job.extra_vars || '{}') as Record<string, unknown>)[CANCEL_DELAY_PARAMETER]);
    if (delay !== undefined && job.canceled_on) return true;
    job.canceled_on = now();
    this.timers.cancel(String(job.id));
    if (delay === 'hold') {
      // Winds down until released, whatever outcome the release names.
      this.held.hold(job.id, () => this.finish(job, 'canceled'));
      return true;
    }
    this.held.forget(job.id);
    this.timers.after(String(job.id), delay ?? this.stepMs, () => this.finish(job, 'canceled'));
    return true;
  }

  static isActive(job: Job): boolean {
    return ACTIVE.has(job.status);
  }
}
