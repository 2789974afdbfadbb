/** After `tsc`: the package's bin entries (dist/cli.js) executable, as npm's bin symlinks need. */
import { chmodSync, readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { bin: Record<string, string> };
for (const path of Object.values(pkg.bin)) chmodSync(new URL(`../${path}`, import.meta.url), 0o755);
