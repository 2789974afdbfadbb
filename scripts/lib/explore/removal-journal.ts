/**
 * Every removal the backends carried out (a Job / PipelineRun deleted, an AWX credential deleted, an AWX job
 * cancelled), with when its call arrived. Sweeps run while other scenarios close: one may clear what another left
 * between that one's close and its own check; the journal still shows the removal came after the owner had closed.
 */
import type { AwxSandbox } from '../../../sandbox/awx/server.ts';
import type { CallDescription, Interception } from '../../../sandbox/intercept.ts';
import type { KubeSandbox } from '../../../sandbox/kube/server.ts';
import { EXECUTION_NAMESPACE } from './identity.ts';

export interface Removal {
  /** "Job/<name>", "PipelineRun/<name>", "credential <name> (<id>)", "AWX job <id> (cancel)". */
  what: string;
  /** The name or id the scenario's own findings use for it. */
  key: string;
  kubeName?: string;
  credentialName?: string;
  credentialDescription?: string;
  jobTemplateId?: number;
  arrivedAt: number;
}

const KUBE_OBJECT = new RegExp(`^/apis/[^/]+/v1/namespaces/${EXECUTION_NAMESPACE}/(jobs|pipelineruns)/([^/]+)$`);
const AWX_CREDENTIAL = /^\/api\/v2\/credentials\/(\d+)\/$/;
const AWX_CANCEL = /^\/api\/v2\/jobs\/(\d+)\/cancel\/$/;

export class RemovalJournal {
  readonly entries: Removal[] = [];
  private readonly rules: Interception[] = [];

  constructor(kube: KubeSandbox, awx: AwxSandbox) {
    const arrived = new WeakMap<CallDescription, number>();
    const onArrive = (call: CallDescription) => void arrived.set(call, Date.now());
    const record = (call: CallDescription, removal: Omit<Removal, 'arrivedAt'>) =>
      this.entries.push({ ...removal, arrivedAt: arrived.get(call) ?? Date.now() });
    const always = Number.POSITIVE_INFINITY;
    this.rules.push(
      kube.intercept({
        method: 'DELETE',
        times: always,
        match: (call) => KUBE_OBJECT.test(call.path),
        onArrive,
        onAnswered: (call, status) => {
          const [, plural, name] = KUBE_OBJECT.exec(call.path) ?? [];
          if (status >= 200 && status < 300 && name)
            record(call, { what: `${plural === 'jobs' ? 'Job' : 'PipelineRun'}/${name}`, key: name, kubeName: name });
        },
      }),
      awx.intercept({
        method: 'DELETE',
        times: always,
        match: (call) => AWX_CREDENTIAL.test(call.path),
        onArrive,
        onAnswered: (call, status) => {
          if (status !== 204) return;
          const id = AWX_CREDENTIAL.exec(call.path)?.[1];
          record(call, {
            what: `credential ${call.names.credentialName ?? '?'} (${id})`,
            key: call.names.credentialName ?? String(id),
            credentialName: call.names.credentialName ?? '',
            credentialDescription: call.names.credentialDescription ?? '',
          });
        },
      }),
      awx.intercept({
        method: 'POST',
        times: always,
        // A repeated cancel of a job already winding down removes nothing.
        match: (call) => AWX_CANCEL.test(call.path) && !awx.jobs.get(Number(AWX_CANCEL.exec(call.path)?.[1]))?.canceled_on,
        onArrive,
        onAnswered: (call, status) => {
          const id = Number(AWX_CANCEL.exec(call.path)?.[1]);
          const jobTemplateId = awx.jobs.get(id)?.job_template;
          if (status === 202 && jobTemplateId !== undefined)
            record(call, { what: `AWX job ${id} (cancel)`, key: String(id), jobTemplateId });
        },
      }),
    );
  }

  stop(): void {
    for (const rule of this.rules) rule.remove();
  }
}
