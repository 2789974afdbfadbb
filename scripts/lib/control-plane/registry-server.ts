/**
 * A small OCI registry (the distribution API's pull and push endpoints) for Tekton bundles: blobs content-addressed
 * under <dir>/blobs, tags under <dir>/tags/<repository>/<tag>. Enough for go-containerregistry (the bundles resolver)
 * to pull and for oci-push.ts to push; every request is logged, so a test can see what the resolver fetched.
 *   node registry-server.ts <port> <dir>
 * Our own rather than `crane registry serve`: no extra Go build or binary, and it runs on the Node the tests use.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';

const [portText, dir] = process.argv.slice(2);
if (!portText || !dir) {
  process.stderr.write('usage: registry-server.ts <port> <dir>\n');
  process.exit(2);
}
const MANIFEST_TYPES = new Set([
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
]);
const uploads = new Map<string, Buffer[]>();

const blobPath = (digest: string) => join(dir, 'blobs', digest.replace(':', '/'));
const tagPath = (repository: string, tag: string) => join(dir, 'tags', repository, tag);
const sha256 = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

function store(path: string, data: Buffer | string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${randomUUID()}`;
  writeFileSync(temporary, data);
  renameSync(temporary, path);
}

const body = (request: IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });

function fail(response: ServerResponse, status: number, code: string, message: string): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ errors: [{ code, message }] }));
}

/** A manifest's digest and media type, by tag or digest. */
function findManifest(repository: string, reference: string): { digest: string; data: Buffer; mediaType: string } | undefined {
  const digest = reference.startsWith('sha256:')
    ? reference
    : existsSync(tagPath(repository, reference))
      ? readFileSync(tagPath(repository, reference), 'utf8')
      : undefined;
  if (!digest || !existsSync(blobPath(digest))) return undefined;
  const data = readFileSync(blobPath(digest));
  const mediaType = (JSON.parse(data.toString('utf8')) as { mediaType?: string }).mediaType ?? 'application/vnd.oci.image.manifest.v1+json';
  return { digest, data, mediaType };
}

async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://registry');
  const method = request.method ?? 'GET';
  response.setHeader('docker-distribution-api-version', 'registry/2.0');
  if (url.pathname === '/v2/' || url.pathname === '/v2') {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{}');
    return;
  }
  const upload = /^\/v2\/(.+)\/blobs\/uploads\/([\w-]*)$/.exec(url.pathname);
  if (upload) {
    const [, repository, id] = upload as unknown as [string, string, string];
    if (method === 'POST') {
      const session = randomUUID();
      uploads.set(session, []);
      response.writeHead(202, { location: `/v2/${repository}/blobs/uploads/${session}`, 'docker-upload-uuid': session, range: '0-0' });
      response.end();
      return;
    }
    const parts = uploads.get(id);
    if (!parts) return fail(response, 404, 'BLOB_UPLOAD_UNKNOWN', 'blob upload unknown');
    parts.push(await body(request));
    if (method === 'PATCH') {
      const size = parts.reduce((total, part) => total + part.length, 0);
      response.writeHead(202, { location: `/v2/${repository}/blobs/uploads/${id}`, range: `0-${Math.max(0, size - 1)}` });
      response.end();
      return;
    }
    if (method === 'PUT') {
      const data = Buffer.concat(parts);
      uploads.delete(id);
      const digest = url.searchParams.get('digest') ?? '';
      if (sha256(data) !== digest) return fail(response, 400, 'DIGEST_INVALID', `digest ${digest} does not match the content`);
      store(blobPath(digest), data);
      response.writeHead(201, { location: `/v2/${repository}/blobs/${digest}`, 'docker-content-digest': digest });
      response.end();
      return;
    }
    return fail(response, 405, 'UNSUPPORTED', `${method} on an upload`);
  }
  const blob = /^\/v2\/(.+)\/blobs\/(sha256:[0-9a-f]{64})$/.exec(url.pathname);
  if (blob && (method === 'GET' || method === 'HEAD')) {
    const digest = blob[2] as string;
    if (!existsSync(blobPath(digest))) return fail(response, 404, 'BLOB_UNKNOWN', `blob ${digest} unknown`);
    const data = readFileSync(blobPath(digest));
    response.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': data.length,
      'docker-content-digest': digest,
    });
    response.end(method === 'HEAD' ? undefined : data);
    return;
  }
  const manifest = /^\/v2\/(.+)\/manifests\/([\w.:-]+)$/.exec(url.pathname);
  if (manifest) {
    const [, repository, reference] = manifest as unknown as [string, string, string];
    if (method === 'PUT') {
      const data = await body(request);
      const mediaType = (request.headers['content-type'] ?? '').split(';')[0] ?? '';
      if (!MANIFEST_TYPES.has(mediaType)) return fail(response, 400, 'MANIFEST_INVALID', `unsupported manifest media type "${mediaType}"`);
      const digest = sha256(data);
      store(blobPath(digest), data);
      if (!reference.startsWith('sha256:')) store(tagPath(repository, reference), digest);
      response.writeHead(201, { location: `/v2/${repository}/manifests/${digest}`, 'docker-content-digest': digest });
      response.end();
      return;
    }
    if (method === 'GET' || method === 'HEAD') {
      const found = findManifest(repository, reference);
      if (!found) return fail(response, 404, 'MANIFEST_UNKNOWN', `manifest ${repository}:${reference} unknown`);
      response.writeHead(200, {
        'content-type': found.mediaType,
        'content-length': found.data.length,
        'docker-content-digest': found.digest,
      });
      response.end(method === 'HEAD' ? undefined : found.data);
      return;
    }
  }
  fail(response, 404, 'NAME_UNKNOWN', `${method} ${url.pathname}: not a registry endpoint`);
}

const server = createServer((request, response) => {
  handle(request, response)
    .catch((error: unknown) => fail(response, 500, 'UNKNOWN', String(error)))
    .finally(() => process.stdout.write(`${new Date().toISOString()} ${request.method} ${request.url} ${response.statusCode}\n`));
});
server.listen(Number(portText), '127.0.0.1', () => process.stdout.write(`registry listening on 127.0.0.1:${portText}\n`));
