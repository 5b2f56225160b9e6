// Writes OCI image layouts by hand (no network, no image builder): random tar+gzip layers, a config, a
// manifest, optionally an image index, index.json and oci-layout.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';

export interface Blob {
  readonly digest: string;
  readonly size: number;
  readonly bytes: Buffer;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { architecture: string; os: string; variant?: string };
  annotations?: Record<string, string>;
}

export interface Image {
  /** The content of /data/payload.bin in the layer. */
  readonly payload: Buffer;
  readonly layers: Blob[];
  readonly config: Blob;
  readonly manifest: Blob;
  readonly descriptor: Descriptor;
}

export interface ImageIndex {
  readonly images: Image[];
  readonly index: Blob;
  readonly descriptor: Descriptor;
}

export const sha256 = (bytes: Buffer): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

export function blob(bytes: Buffer): Blob {
  return { digest: sha256(bytes), size: bytes.length, bytes };
}

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

/** A POSIX ustar archive with regular files. */
export function tar(files: { name: string; content: Buffer }[]): Buffer {
  const parts: Buffer[] = [];
  for (const file of files) {
    const header = Buffer.alloc(512);
    header.write(file.name, 0, 100, 'utf8');
    header.write(octal(0o644, 8), 100, 'ascii');
    header.write(octal(0, 8), 108, 'ascii');
    header.write(octal(0, 8), 116, 'ascii');
    header.write(octal(file.content.length, 12), 124, 'ascii');
    header.write(octal(1_700_000_000, 12), 136, 'ascii');
    header.write('        ', 148, 'ascii');
    header.write('0', 156, 'ascii');
    header.write('ustar\0', 257, 'ascii');
    header.write('00', 263, 'ascii');
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(octal(sum, 7) + ' ', 148, 'ascii');
    parts.push(header, file.content, Buffer.alloc((512 - (file.content.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** A single-layer image whose layer holds `payload` (random bytes unless given) in /data/payload.bin. */
export function makeImage(options: { architecture?: string; os?: string; layerBytes?: number; payload?: Buffer } = {}): Image {
  const payload = options.payload ?? randomBytes(options.layerBytes ?? 1024 * 1024);
  const uncompressed = tar([{ name: 'data/payload.bin', content: payload }]);
  const layer = blob(gzipSync(uncompressed));
  const architecture = options.architecture ?? 'amd64';
  const os = options.os ?? 'linux';
  const config = blob(
    Buffer.from(
      JSON.stringify({
        created: '2024-01-01T00:00:00Z',
        architecture,
        os,
        config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['/data/payload.bin'] },
        rootfs: { type: 'layers', diff_ids: [sha256(uncompressed)] },
        history: [{ created: '2024-01-01T00:00:00Z', created_by: 'berth e2e test' }],
      }),
    ),
  );
  const manifest = blob(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: OCI_CONFIG, digest: config.digest, size: config.size },
        layers: [{ mediaType: OCI_LAYER_GZIP, digest: layer.digest, size: layer.size }],
      }),
    ),
  );
  return {
    payload,
    layers: [layer],
    config,
    manifest,
    descriptor: { mediaType: OCI_MANIFEST, digest: manifest.digest, size: manifest.size, platform: { architecture, os } },
  };
}

/** An image index over one image per platform. */
export function makeIndex(platforms: { architecture: string; os?: string }[], layerBytes = 512 * 1024): ImageIndex {
  const images = platforms.map((p) => makeImage({ architecture: p.architecture, os: p.os ?? 'linux', layerBytes }));
  const index = blob(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: images.map((img) => img.descriptor),
      }),
    ),
  );
  return { images, index, descriptor: { mediaType: OCI_INDEX, digest: index.digest, size: index.size } };
}

async function writeBlob(dir: string, b: Blob): Promise<void> {
  const [algorithm, hex] = b.digest.split(':') as [string, string];
  await mkdir(path.join(dir, 'blobs', algorithm), { recursive: true });
  await writeFile(path.join(dir, 'blobs', algorithm, hex), b.bytes);
}

/** Writes an OCI image layout at `dir` where `tag` names `what` (an image or an image index). */
export async function writeLayout(dir: string, tag: string, what: Image | ImageIndex): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const images = 'images' in what ? what.images : [what];
  for (const img of images) for (const b of [...img.layers, img.config, img.manifest]) await writeBlob(dir, b);
  if ('images' in what) await writeBlob(dir, what.index);
  const { platform: _platform, ...top } = what.descriptor;
  await writeFile(
    path.join(dir, 'index.json'),
    JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ ...top, annotations: { 'org.opencontainers.image.ref.name': tag } }] }),
  );
}

/** The bytes of a blob in a layout. */
export function readLayoutBlob(dir: string, digest: string): Promise<Buffer> {
  const [algorithm, hex] = digest.split(':') as [string, string];
  return readFile(path.join(dir, 'blobs', algorithm, hex));
}

/** The descriptor index.json gives for `tag`. */
export async function layoutRef(dir: string, tag: string): Promise<Descriptor> {
  const index = JSON.parse(await readFile(path.join(dir, 'index.json'), 'utf8')) as { manifests: Descriptor[] };
  const found = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag);
  if (!found) throw new Error(`${dir}/index.json has no manifest named ${tag}: ${JSON.stringify(index)}`);
  return found;
}
