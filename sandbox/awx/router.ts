/** The AWX API v2 endpoints the sandbox serves, each a method and a path pattern ("GET jobs/:id/stdout"). */
import { createCredential, createCredentialType } from './credentials.ts';
import { HttpError, notFound } from './errors.ts';
import { JobRunner } from './jobs.ts';
import { launch, launchInfo, surveySpec } from './launch.ts';
import { savedEvents, showCredentialType, showJob } from './model.ts';
import { page } from './pagination.ts';
import type { AwxStore } from './store.ts';

export type Answer = [status: number, body: unknown, headers?: Record<string, string>];

export function routeCall({ store, runner }: { store: AwxStore; runner: JobRunner }, method: string, url: URL, body: unknown): Answer {
  const [collection, idText, sub] = url.pathname.split('/').filter(Boolean).slice(2); // after api/v2
  const id = idText === undefined ? undefined : Number(idText);
  if (idText !== undefined && !Number.isInteger(id)) throw notFound();
  const showJobOf = (job: Parameters<typeof showJob>[0]) => showJob(job, store.templates.get(job.job_template));
  switch (`${method} ${collection}${id === undefined ? '' : '/:id'}${sub ? `/${sub}` : ''}`) {
    case 'GET ping':
      return [200, { version: '24.6.1-sandbox', active_node: 'sandbox' }];
    case 'GET job_templates':
      return [
        200,
        page(
          url,
          [...store.templates.values()].map((template) => store.templateView(template)),
        ),
      ];
    case 'GET job_templates/:id':
      return [200, store.templateView(store.template(id))];
    case 'GET job_templates/:id/credentials':
      return [
        200,
        page(
          url,
          store.template(id).credentials.map((credentialId) => store.credentialView(store.credentials.get(credentialId))),
        ),
      ];
    case 'GET job_templates/:id/jobs':
      return [200, page(url, store.jobsOf(store.template(id).id).map(showJobOf))];
    case 'GET job_templates/:id/launch':
      return [200, launchInfo(store, store.template(id))];
    case 'GET job_templates/:id/survey_spec':
      return [200, surveySpec(store.template(id))];
    case 'POST job_templates/:id/launch':
      return launch({ store, runner }, store.template(id), body as Record<string, unknown>);
    case 'GET jobs':
      return [200, page(url, [...store.jobs.values()].map(showJobOf))];
    case 'GET jobs/:id':
      return [200, showJobOf(store.job(id))];
    case 'GET jobs/:id/cancel':
      return [200, { can_cancel: JobRunner.isActive(store.job(id)) }];
    case 'POST jobs/:id/cancel':
      if (!runner.cancel(store.job(id))) throw new HttpError(405, { detail: 'Method "POST" not allowed.' });
      return [202, undefined];
    case 'GET jobs/:id/stdout': {
      const text = savedEvents(store.job(id))
        .map((event) => event.stdout)
        .join('\n');
      if (url.searchParams.get('format') === 'json')
        return [200, { range: { start: 0, end: text.length, absolute_end: text.length }, content: text }];
      return [200, text];
    }
    case 'GET jobs/:id/job_events':
      return [
        200,
        page(
          url,
          savedEvents(store.job(id)).map((event) => ({ id: event.counter, type: 'job_event', job: id, ...event })),
        ),
      ];
    case 'GET credential_types':
      return [200, page(url, [...store.credentialTypes.values()].map(showCredentialType))];
    case 'POST credential_types':
      return [201, showCredentialType(createCredentialType(store, body as Record<string, unknown>))];
    case 'GET credential_types/:id':
      return [200, showCredentialType(store.credentialType(id))];
    case 'DELETE credential_types/:id': {
      const type = store.credentialType(id);
      if (type.managed || [...store.credentials.values()].some((credential) => credential.credential_type === type.id)) {
        throw new HttpError(403, { detail: 'Credential types that are in use cannot be deleted' });
      }
      store.credentialTypes.delete(type.id);
      return [204, undefined];
    }
    case 'GET credentials':
      return [
        200,
        page(
          url,
          [...store.credentials.values()].map((credential) => store.credentialView(credential)),
        ),
      ];
    case 'POST credentials':
      return [201, store.credentialView(createCredential(store, body as Record<string, unknown>))];
    case 'GET credentials/:id':
      return [200, store.credentialView(store.credential(id))];
    case 'DELETE credentials/:id': {
      const credential = store.credential(id);
      if (credential.managed) throw new HttpError(403, { detail: 'Deletion not allowed for managed credentials' });
      store.credentials.delete(credential.id);
      store.credentialDeletes++;
      return [204, undefined];
    }
    default:
      throw notFound();
  }
}
