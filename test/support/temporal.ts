/** Temporal plumbing for tests: the global dev server's client and Workers on per-test task queues. */
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { createJsonLogger } from '../../src/logging.ts';
import { uniqueSuffix } from './requests.ts';

let runtimeInstalled = false;

/** Installs a quiet runtime logger once per test process (worker noise would bury the test output). */
export function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({ logger: new DefaultLogger('ERROR') });
}

/** Installs a runtime with the given options (metrics, logging) in place of the quiet one. */
export function installTestRuntime(options: Parameters<typeof Runtime.install>[0]): void {
  if (runtimeInstalled) throw new Error('the Temporal runtime is already installed in this process');
  runtimeInstalled = true;
  Runtime.install(options);
}

/** Installs a runtime whose every log line (DEBUG and up, as JSON) is kept in `lines`, for leak scans. */
export function installCapturingRuntime(lines: string[]): void {
  if (runtimeInstalled) throw new Error('the Temporal runtime is already installed in this process');
  runtimeInstalled = true;
  Runtime.install({
    logger: createJsonLogger('DEBUG', (line) => lines.push(line)),
    telemetryOptions: { logging: { forward: {}, filter: { core: 'DEBUG', other: 'DEBUG' } } },
  });
}

export function testServerAddress(): string {
  const address = process.env.TEST_TEMPORAL_ADDRESS;
  if (!address) throw new Error('TEST_TEMPORAL_ADDRESS is not set: run the tests through `npm test` (its global setup starts Temporal)');
  return address;
}

export const testNamespace = (): string => process.env.TEST_TEMPORAL_NAMESPACE ?? 'default';

export async function connectTestClient(address = testServerAddress()): Promise<{ client: Client; close(): Promise<void> }> {
  const connection = await Connection.connect({ address });
  return { client: new Client({ connection, namespace: testNamespace() }), close: () => connection.close() };
}

export function testTaskQueue(prefix = 'test'): string {
  return `${prefix}-${uniqueSuffix()}`;
}

/** A Worker on the test server running the shared workflow bundle (built once by the global setup). */
export async function createTestWorker(
  options: Omit<WorkerOptions, 'connection' | 'namespace'> & { address?: string },
): Promise<{ worker: Worker; connection: NativeConnection }> {
  installQuietRuntime();
  const connection = await NativeConnection.connect({ address: options.address ?? testServerAddress() });
  const bundlePath = process.env.TEST_WORKFLOW_BUNDLE;
  const { address: _address, ...rest } = options;
  const worker = await Worker.create({
    connection,
    namespace: testNamespace(),
    ...(options.workflowsPath || options.workflowBundle || !bundlePath ? {} : { workflowBundle: { codePath: bundlePath } }),
    ...rest,
  });
  return { worker, connection };
}
