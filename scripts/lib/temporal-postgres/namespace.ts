/**
 * The namespace and the project's search attributes, registered with the Temporal CLI's operator commands exactly as
 * docker-compose.yml's one-shot job does it with temporalio/admin-tools (idempotent: only what is missing is created).
 * With SQL visibility each Keyword attribute is mapped onto one of the pre-allocated Keyword columns of
 * executions_visibility, per namespace.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTE_NAMES } from '../../../src/domain/constants.ts';

const run = promisify(execFile);

export const NAMESPACE_RETENTION = '24h';

export async function registerNamespace(cliPath: string, address: string, namespace: string): Promise<{ created: string[] }> {
  const cli = (...args: string[]) =>
    run(cliPath, [...args, '--address', address, '--namespace', namespace], { maxBuffer: 8 * 1024 * 1024 }).then(({ stdout }) => stdout);
  const created: string[] = [];
  const exists = await cli('operator', 'namespace', 'describe', '-o', 'json').then(
    () => true,
    () => false,
  );
  if (!exists) {
    await cli('operator', 'namespace', 'create', '--retention', NAMESPACE_RETENTION);
    created.push(`namespace ${namespace}`);
  }
  // A new namespace reaches every service's namespace cache within seconds.
  await waitUntil(`namespace ${namespace}`, async () => {
    const connection = await Connection.connect({ address });
    try {
      await connection.workflowService.describeNamespace({ namespace });
    } finally {
      await connection.close();
    }
  });
  // The operator service may take a few more seconds than the frontend to see a new namespace: retried.
  await waitUntil('search attribute registration', async () => {
    const listed = JSON.parse(await cli('operator', 'search-attribute', 'list', '-o', 'json')) as {
      customAttributes?: Record<string, unknown>;
    };
    const missing = SEARCH_ATTRIBUTE_NAMES.filter((name) => !(name in (listed.customAttributes ?? {})));
    if (missing.length > 0) {
      await cli('operator', 'search-attribute', 'create', ...missing.flatMap((name) => ['--name', name, '--type', 'Keyword']));
      created.push(...missing.map((name) => `search attribute ${name}`));
    }
  });
  // A visibility query naming every attribute is refused until the frontend knows them.
  await waitUntil('search attributes', async () => {
    const connection = await Connection.connect({ address });
    try {
      await connection.workflowService.countWorkflowExecutions({
        namespace,
        query: SEARCH_ATTRIBUTE_NAMES.map((name) => `${name} = "probe"`).join(' AND '),
      });
    } finally {
      await connection.close();
    }
  });
  return { created };
}

async function waitUntil(what: string, attempt: () => Promise<void>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`${what} not ready after ${timeoutMs} ms: ${(error as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}
