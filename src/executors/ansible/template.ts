/** Which AWX job template an execution launches, found by name or id (reference §6.1). */
import type { AwxClient, AwxJobTemplate } from '../../clients/awx-types.ts';
import { ConfigurationError } from '../../domain/errors.ts';
import type { ExecutionRequest } from '../../domain/types.ts';
import { withContext } from './credentials.ts';

interface AnsibleEngineConfig {
  playbookPath?: string;
  jobTemplateName?: string;
  jobTemplateId?: number;
  inventoryName?: string;
}

export async function resolveTemplate(awx: AwxClient, request: ExecutionRequest): Promise<AwxJobTemplate> {
  const config = (request.workflowExecution.spec.workflowRef.engineConfig ?? {}) as AnsibleEngineConfig;
  if (config.jobTemplateId === undefined && !config.jobTemplateName) {
    throw new ConfigurationError('resolve AWX job template: jobTemplateName is required in ansible engineConfig for v1.0');
  }
  try {
    const template =
      config.jobTemplateId !== undefined
        ? await awx.getJobTemplate(config.jobTemplateId)
        : await awx.findJobTemplateByName(config.jobTemplateName ?? '');
    if (!template) {
      const which = config.jobTemplateId !== undefined ? `with id ${config.jobTemplateId}` : `"${config.jobTemplateName}"`;
      throw new ConfigurationError(`resolve AWX job template: AWX job template ${which} not found`);
    }
    return template;
  } catch (error) {
    if (error instanceof ConfigurationError) throw error;
    throw withContext('resolve AWX job template', error);
  }
}
