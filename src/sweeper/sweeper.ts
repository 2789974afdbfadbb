/**
 * The orphan sweeper: removes what an execution could not undo itself (a terminated or reset run, a cleanup that gave
 * up, workers gone for days). It never touches what an open run owns — the owner is asked of Temporal for every
 * candidate — nor anything younger than the grace period (a create may still be in flight). Bounded work per sweep.
 */
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { AwxClient } from '../clients/awx-types.ts';
import type { KubeClients } from '../clients/kube.ts';
import { awxOrphanCandidates, kubeOrphanCandidates, type OrphanCandidate, type OrphanKind } from './orphans.ts';

export interface SweepOptions {
  /** Leave anything younger than this alone. */
  graceMs: number;
  /** At most this many removals per sweep; the next sweep goes on. */
  maxActions: number;
}

export interface SweepReport {
  examined: number;
  /** Left alone: their execution has an open run. */
  ownedByOpenRuns: number;
  /** Left alone: younger than the grace period. */
  tooYoung: number;
  removed: { kind: OrphanKind; name: string; workflowId: string }[];
  failed: { kind: OrphanKind | 'listing'; name: string; error: string }[];
  /** More orphans than maxActions: the next sweep continues. */
  truncated: boolean;
}

export interface SweeperDependencies {
  temporal: Client;
  kube?: KubeClients;
  awx?: AwxClient;
  namespaces: string[];
}

/** Removal order: running AWX jobs are cancelled before the credentials they use are deleted. */
const ORDER: OrphanKind[] = ['AwxJob', 'Job', 'PipelineRun', 'AwxCredential'];

export class OrphanSweeper {
  private readonly dependencies: SweeperDependencies;

  constructor(dependencies: SweeperDependencies) {
    this.dependencies = dependencies;
  }

  async sweep(options: SweepOptions, progress: () => void = () => {}): Promise<SweepReport> {
    const report: SweepReport = { examined: 0, ownedByOpenRuns: 0, tooYoung: 0, removed: [], failed: [], truncated: false };
    const candidates = await this.candidates(report);
    candidates.sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind));
    report.examined = candidates.length;
    const open = new Map<string, Promise<boolean>>();
    const now = Date.now();
    for (const candidate of candidates) {
      progress();
      if (candidate.createdAt && now - Date.parse(candidate.createdAt) < options.graceMs) {
        report.tooYoung++;
        continue;
      }
      let ownerOpen: boolean;
      try {
        if (!open.has(candidate.workflowId)) open.set(candidate.workflowId, this.hasOpenRun(candidate.workflowId));
        ownerOpen = await (open.get(candidate.workflowId) as Promise<boolean>);
      } catch (error) {
        report.failed.push({ kind: candidate.kind, name: candidate.name, error: `owner lookup: ${(error as Error).message}` });
        continue;
      }
      if (ownerOpen) {
        report.ownedByOpenRuns++;
        continue;
      }
      if (report.removed.length + report.failed.length >= options.maxActions) {
        report.truncated = true;
        break;
      }
      try {
        await candidate.remove();
        report.removed.push({ kind: candidate.kind, name: candidate.name, workflowId: candidate.workflowId });
      } catch (error) {
        report.failed.push({ kind: candidate.kind, name: candidate.name, error: (error as Error).message });
      }
    }
    return report;
  }

  private async candidates(report: SweepReport): Promise<OrphanCandidate[]> {
    const { kube, awx, namespaces } = this.dependencies;
    const all: OrphanCandidate[] = [];
    const collect = async (what: string, list: () => Promise<OrphanCandidate[]>) => {
      try {
        all.push(...(await list()));
      } catch (error) {
        report.failed.push({ kind: 'listing', name: what, error: (error as Error).message });
      }
    };
    if (kube) for (const namespace of namespaces) await collect(`Kubernetes ${namespace}`, () => kubeOrphanCandidates(kube, namespace));
    if (awx) await collect('AWX', () => awxOrphanCandidates(awx, 20));
    return all;
  }

  /** Whether the execution's latest run is still open (only one run of a workflow ID can be). */
  private async hasOpenRun(workflowId: string): Promise<boolean> {
    try {
      const description = await this.dependencies.temporal.workflow.getHandle(workflowId).describe();
      return description.status.name === 'RUNNING';
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return false;
      throw error;
    }
  }
}
