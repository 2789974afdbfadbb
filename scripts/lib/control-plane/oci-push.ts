/**
 * Pushes Tekton bundles over the OCI distribution API: one layer per object, a gzipped tar holding the object as JSON,
 * annotated with what Tekton's bundles resolver looks for (dev.tekton.image.apiVersion / kind / name) — annotations
 * crane cannot set. Works with any registry that accepts a monolithic blob upload.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { fetch } from 'undici';

export interface BundleObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  [field: string]: unknown;
}

const sha256 = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** A one-file ustar archive. */
export function tarFile(name: string, content: Buffer): Buffer {
  const header = Buffer.alloc(512);
  const field = (offset: number, length: number, value: string) => header.write(value.slice(0, length), offset, length, 'ascii');
  const octal = (offset: number, length: number, value: number) =>
    field(offset, length, `${value.toString(8).padStart(length - 1, '0')}\0`);
  field(0, 100, name);
  octal(100, 8, 0o644);
  octal(108, 8, 0);
  octal(116, 8, 0);
  octal(124, 12, content.length);
  octal(136, 12, 0);
  field(148, 8, '        ');
  field(156, 1, '0');
  field(257, 6, 'ustar\0');
  field(263, 2, '00');
  let checksum = 0;
  for (const byte of header) checksum += byte;
  field(148, 8, `${checksum.toString(8).padStart(6, '0')}\0 `);
  const padding = Buffer.alloc((512 - (content.length % 512)) % 512);
  return Buffer.concat([header, content, padding, Buffer.alloc(1024)]);
}

async function pushBlob(base: string, repository: string, data: Buffer): Promise<string> {
  const digest = sha256(data);
  const head = await fetch(`${base}/v2/${repository}/blobs/${digest}`, { method: 'HEAD' });
  if (head.ok) return digest;
  const start = await fetch(`${base}/v2/${repository}/blobs/uploads/`, { method: 'POST' });
  await start.arrayBuffer();
  const location = start.headers.get('location');
  if (start.status !== 202 || !location) throw new Error(`registry refused an upload to ${repository}: HTTP ${start.status}`);
  const target = new URL(location, base);
  target.searchParams.set('digest', digest);
  const put = await fetch(target, { method: 'PUT', body: data, headers: { 'content-type': 'application/octet-stream' } });
  if (put.status !== 201) throw new Error(`registry refused blob ${digest}: HTTP ${put.status} ${await put.text()}`);
  return digest;
}

/**
 * Pushes the objects as a Tekton bundle to `<base>/<repository>:<tag>` (base like http://127.0.0.1:5000); returns the
 * manifest digest.
 */
export async function pushTektonBundle(base: string, repository: string, tag: string, objects: BundleObject[]): Promise<string> {
  const layers = [];
  const diffIds = [];
  for (const object of objects) {
    const tar = tarFile(object.metadata.name, Buffer.from(JSON.stringify(object)));
    const layer = gzipSync(tar);
    diffIds.push(sha256(tar));
    layers.push({
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
      digest: await pushBlob(base, repository, layer),
      size: layer.length,
      annotations: {
        'dev.tekton.image.apiVersion': object.apiVersion.split('/').at(-1) ?? object.apiVersion,
        'dev.tekton.image.kind': object.kind.toLowerCase(),
        'dev.tekton.image.name': object.metadata.name,
      },
    });
  }
  const config = Buffer.from(JSON.stringify({ architecture: '', os: '', rootfs: { type: 'layers', diff_ids: diffIds }, config: {} }));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: await pushBlob(base, repository, config),
        size: config.length,
      },
      layers,
    }),
  );
  const put = await fetch(`${base}/v2/${repository}/manifests/${tag}`, {
    method: 'PUT',
    body: manifest,
    headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
  });
  if (put.status !== 201) throw new Error(`registry refused the manifest of ${repository}:${tag}: HTTP ${put.status} ${await put.text()}`);
  return put.headers.get('docker-content-digest') ?? sha256(manifest);
}
