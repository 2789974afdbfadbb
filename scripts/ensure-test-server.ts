/** Finds or fetches the time-skipping test server (see scripts/lib/test-server.ts); used by .ci/run before the tests. */
import { ensureTestServer } from './lib/test-server.ts';

process.stdout.write(`time-skipping test server: ${ensureTestServer() ?? 'not available'}\n`);
