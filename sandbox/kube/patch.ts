/** The patch formats the API server accepts: JSON merge patch (RFC 7386) and JSON patch (RFC 6902). */

type Json = unknown;
const isObject = (value: Json): value is Record<string, Json> => typeof value === 'object' && value !== null && !Array.isArray(value);

export class PatchError extends Error {}

/** RFC 7386: objects merge recursively, null deletes, anything else replaces. */
export function applyMergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const result: Record<string, Json> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new PatchError(`invalid JSON pointer ${JSON.stringify(path)}`);
  return path
    .slice(1)
    .split('/')
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/** RFC 6902 add / remove / replace / test / copy / move on a copy of the document. */
export function applyJsonPatch(document: Json, operations: Json): Json {
  if (!Array.isArray(operations)) throw new PatchError('JSON patch must be an array of operations');
  let root = structuredClone(document);
  const parentOf = (parts: string[]): [Record<string, Json> | Json[], string] => {
    let current: Json = root;
    for (const part of parts.slice(0, -1)) {
      current = Array.isArray(current) ? current[Number(part)] : isObject(current) ? current[part] : undefined;
      if (current === undefined) throw new PatchError(`path ${parts.join('/')} does not exist`);
    }
    return [current as Record<string, Json> | Json[], parts.at(-1) ?? ''];
  };
  const read = (path: string): Json => {
    let current: Json = root;
    for (const part of pointer(path))
      current = Array.isArray(current) ? current[Number(part)] : isObject(current) ? current[part] : undefined;
    return current;
  };
  const write = (path: string, value: Json, insert: boolean): void => {
    const parts = pointer(path);
    if (parts.length === 0) {
      root = value;
      return;
    }
    const [parent, key] = parentOf(parts);
    if (Array.isArray(parent)) {
      const index = key === '-' ? parent.length : Number(key);
      if (insert) parent.splice(index, 0, value);
      else parent[index] = value;
    } else parent[key] = value;
  };
  const remove = (path: string): void => {
    const [parent, key] = parentOf(pointer(path));
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else if (key in parent) delete parent[key];
    else throw new PatchError(`unable to remove nonexistent key: ${key}`);
  };
  for (const operation of operations) {
    if (!isObject(operation)) throw new PatchError('JSON patch operation must be an object');
    const path = String(operation.path ?? '');
    switch (operation.op) {
      case 'add':
        write(path, structuredClone(operation.value), true);
        break;
      case 'replace':
        if (read(path) === undefined) throw new PatchError(`replace operation does not apply: doc is missing path: ${path}`);
        write(path, structuredClone(operation.value), false);
        break;
      case 'remove':
        remove(path);
        break;
      case 'test':
        if (JSON.stringify(read(path)) !== JSON.stringify(operation.value)) throw new PatchError(`testing value ${path} failed`);
        break;
      case 'copy':
        write(path, structuredClone(read(String(operation.from))), true);
        break;
      case 'move': {
        const value = read(String(operation.from));
        remove(String(operation.from));
        write(path, value, true);
        break;
      }
      default:
        throw new PatchError(`unknown JSON patch operation ${JSON.stringify(operation.op)}`);
    }
  }
  return root;
}
