/** Finds or builds helm (see scripts/lib/helm.ts); used by .ci/run before the tests. */
import { ensureHelm } from './lib/helm.ts';

const helm = await ensureHelm();
process.stdout.write(`helm: ${helm ?? 'not available'}\n`);
