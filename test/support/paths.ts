import { fileURLToPath } from 'node:url';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../../src/workflows/index.ts', import.meta.url));

/** Dev server flags for tests: precise short timers. */
export const TEST_SERVER_ARGS = ['--dynamic-config-value', 'history.timerProcessorMaxTimeShift="100ms"'];
