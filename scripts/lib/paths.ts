import { fileURLToPath } from 'node:url';

/** The project's root folder, wherever the command runs from. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Git-ignored folder for binaries built from the Go module proxy (Temporal CLI, kube-apiserver, etcd). */
export const TOOLS_BIN = `${PROJECT_ROOT}.tools/bin`;
