/**
 * The package refuses to load on a runtime that lacks what it needs, instead of misbehaving quietly: JSON.rawJSON keeps
 * big integers exact in AWX extra_vars (without it a bracketed value would silently stay a string), and undici 8 needs
 * Node ≥ 22.19. Imported first by every entry point (the library, the worker, the CLI).
 */
export const MINIMUM_NODE_VERSION = '22.19.0';

/** The reason this runtime cannot run the package, or undefined when it can. */
export function unsupportedRuntime(
  version: string = process.versions.node,
  json: { rawJSON?: unknown } = JSON as unknown as { rawJSON?: unknown },
): string | undefined {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const [needMajor = 0, needMinor = 0] = MINIMUM_NODE_VERSION.split('.').map(Number);
  if (major < needMajor || (major === needMajor && minor < needMinor))
    return `Node.js ${version} is too old: kubernaut-temporal-executor needs Node.js >= ${MINIMUM_NODE_VERSION} (Node 24 LTS recommended)`;
  if (typeof json.rawJSON !== 'function')
    return `this JavaScript runtime has no JSON.rawJSON: kubernaut-temporal-executor needs Node.js >= ${MINIMUM_NODE_VERSION}`;
  return undefined;
}

const problem = unsupportedRuntime();
if (problem) throw new Error(problem);
