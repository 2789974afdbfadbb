/**
 * A command-line tool found on the machine or built with `go install` into .tools/bin (git-ignored; Go's build cache
 * is reused, so a rebuild after deleting .tools takes seconds).
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { TOOLS_BIN } from './paths.ts';

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function onPath(command: string): string | undefined {
  for (const folder of (process.env.PATH ?? '').split(delimiter))
    if (folder && isExecutable(join(folder, command))) return join(folder, command);
  return undefined;
}

/** `$<envVariable>` when it names an executable, else `command` on PATH, else .tools/bin/<command>. */
export function findTool(envVariable: string, command: string): string | undefined {
  const explicit = process.env[envVariable];
  if (explicit && isExecutable(explicit)) return explicit;
  return onPath(command) ?? (isExecutable(join(TOOLS_BIN, command)) ? join(TOOLS_BIN, command) : undefined);
}

/** `go install module@version` into .tools/bin; the built binary's path. */
export async function goInstall(
  go: string,
  tool: { module: string; version: string; command: string; env?: Record<string, string> },
  log: (line: string) => void,
): Promise<string> {
  mkdirSync(TOOLS_BIN, { recursive: true });
  const target = `${tool.module}@${tool.version}`;
  const started = Date.now();
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(go, ['install', target], {
      env: { ...process.env, GOBIN: TOOLS_BIN, CGO_ENABLED: '0', ...tool.env },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', resolve);
  });
  const built = join(TOOLS_BIN, tool.command);
  if (code !== 0 || !isExecutable(built)) throw new Error(`go install ${target} failed (exit code ${code})`);
  log(`Built ${built} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return built;
}
