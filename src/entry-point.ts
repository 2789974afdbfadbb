import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Whether the module at `moduleUrl` is the program node was started with — however it was invoked: by path, through
 * npm's bin symlink (`npx kubernaut-exec`, a global install), or by `node dist/cli.js`. Symlinks are resolved on both
 * sides; comparing the raw paths made the installed command a silent no-op.
 */
export function isEntryPoint(moduleUrl: string, argv1: string | undefined = process.argv[1]): boolean {
  if (!argv1) return false;
  try {
    return realpathSync(argv1) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}
