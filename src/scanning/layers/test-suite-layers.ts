import { fileURLToPath } from 'node:url';
import path from 'node:path';
// Builders for the layer and inventory tests: tars made with tar-stream (mtime 0, so digests are
// stable), compressed with node:zlib or Debian's zstd command, served as counting LayerSources.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import type { LayerSource } from './layer-source.js';

export type TestEntry =
  | { readonly path: string; readonly body: string | Buffer }
  | { readonly path: string; readonly symlink: string }
  | { readonly path: string; readonly hardlink: string }
  | { readonly path: string; readonly directory: true };

export const MEDIA = {
  tar: 'application/vnd.oci.image.layer.v1.tar',
  gzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  zstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  dockerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

/** A tar of `entries`, in order, every mtime 0. */
export async function tarOf(entries: readonly TestEntry[]): Promise<Buffer> {
  const packer = pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    packer.on('data', (chunk) => chunks.push(chunk as Buffer));
    packer.on('end', () => resolve());
    packer.on('error', reject);
  });
  const mtime = new Date(0);
  for (const entry of entries) {
    if ('symlink' in entry) packer.entry({ name: entry.path, type: 'symlink', linkname: entry.symlink, mtime });
    else if ('hardlink' in entry) packer.entry({ name: entry.path, type: 'link', linkname: entry.hardlink, mtime });
    else if ('directory' in entry) packer.entry({ name: entry.path, type: 'directory', mode: 0o755, mtime });
    else packer.entry({ name: entry.path, mode: 0o644, mtime }, Buffer.from(entry.body));
  }
  packer.finalize();
  await done;
  return Buffer.concat(chunks);
}

export function gzip(bytes: Buffer): Buffer {
  return gzipSync(bytes);
}

/** Why a test that needs Debian's `zstd` command is skipped, or false when it is on PATH. */
export const NO_ZSTD_COMMAND: string | false = spawnSync('zstd', ['--version']).status === 0 ? false : 'the zstd command is not installed (apt-get install zstd)';

/** zstd-compressed with Debian's `zstd` command (see NO_ZSTD_COMMAND). */
export function zstd(bytes: Buffer, args: readonly string[] = []): Buffer {
  const result = spawnSync('zstd', ['-q', '-c', '--no-progress', ...args], { input: bytes, maxBuffer: 256 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`zstd failed: ${result.stderr?.toString() ?? String(result.error)}`);
  return result.stdout;
}

export function digestOf(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** A LayerSource over bytes in memory that counts how often it is opened, streaming in 64 KiB chunks. */
export class TestLayer implements LayerSource {
  opens = 0;
  readonly digest: string;

  constructor(
    readonly bytes: Buffer,
    readonly mediaType: string = MEDIA.gzip,
    digest?: string,
  ) {
    this.digest = digest ?? digestOf(bytes);
  }

  async open(): Promise<Readable> {
    this.opens += 1;
    return Readable.from(chunked(this.bytes, 64 * 1024), { objectMode: false });
  }
}

function* chunked(bytes: Buffer, size: number): Generator<Buffer> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

/** A gzip layer of these entries. */
export async function gzipLayer(entries: readonly TestEntry[]): Promise<TestLayer> {
  return new TestLayer(gzip(await tarOf(entries)));
}

/** A LayerSource whose bytes come from a generator (for bombs that are never held in memory whole). */
export function streamedLayer(digest: string, mediaType: string, chunks: () => Iterable<Buffer> | AsyncIterable<Buffer>): LayerSource & { opens: number } {
  const layer = {
    digest,
    mediaType,
    opens: 0,
    open: async () => {
      layer.opens += 1;
      return Readable.from(chunks(), { objectMode: false });
    },
  };
  return layer;
}

/** ../shared/fixtures/scan beside the project, as the other fixtures are found. */
export const SCAN_FIXTURE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../shared/fixtures/scan');
const EGG = 'usr/lib/python3/dist-packages/PyJWT-2.6.0.egg-info';
const pkgInfo = (name: string, version: string): string => `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\nSummary: fixture\n`;

export function fixtureFile(name: string): Buffer {
  return readFileSync(`${SCAN_FIXTURE}/debian12/${name}`);
}

/** The three layers of the scan fixture image (shared/fixtures/scan/README.md): gzip, gzip, zstd. */
export async function fixtureImage(): Promise<TestLayer[]> {
  const [layer1, layer2] = await fixtureTars();
  return [new TestLayer(gzip(layer1!), MEDIA.gzip), new TestLayer(gzip(layer2!), MEDIA.gzip), new TestLayer(FIXTURE_ZSTD_LAYER, MEDIA.zstd)];
}

/**
 * Layer 3 of the fixture, compressed once with `zstd -19` and committed (Node has no zstd encoder), so
 * `npm test` needs no zstd command; fixture-image.test.ts checks it still holds fixtureTars()[2].
 */
export const FIXTURE_ZSTD_LAYER = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'fixture-layer3.tar.zst'));

/** The fixture's three layers as plain tars (an image config lists their digests as diff_ids). */
export async function fixtureTars(): Promise<Buffer[]> {
  const layer1 = await tarOf([
    { path: 'usr/lib/os-release', body: fixtureFile('os-release') },
    { path: 'etc/os-release', symlink: '../usr/lib/os-release' },
    { path: 'var/lib/dpkg/status', body: fixtureFile('status.base') },
  ]);
  const layer2 = await tarOf([
    { path: 'var/lib/dpkg/status', body: fixtureFile('status.layer2') },
    { path: 'var/lib/dpkg/info/python3-jwt.list', body: `/${EGG}\n/${EGG}/PKG-INFO\n` },
    { path: `${EGG}/PKG-INFO`, body: pkgInfo('PyJWT', '2.6.0') },
    { path: 'app/node_modules/lodash/package.json', body: JSON.stringify({ name: 'lodash', version: '4.17.20' }) },
    { path: 'app/package.json', body: JSON.stringify({ name: 'demo-app', version: '1.0.0', dependencies: { semver: '^7.5.0' } }) },
  ]);
  const layer3 = await tarOf([
    { path: 'app/node_modules/.wh.lodash', body: '' },
    { path: 'app/node_modules/semver/package.json', body: JSON.stringify({ name: 'semver', version: '7.5.1' }) },
    { path: 'usr/local/lib/python3.11/site-packages/requests-2.28.1.dist-info/METADATA', body: pkgInfo('requests', '2.28.1') },
  ]);
  return [layer1, layer2, layer3];
}

/** A ustar header block, made by hand so a bomb can claim a body it never holds (size < 8 GiB). */
export function ustarHeader(name: string, size: number, typeflag = '0'): Buffer {
  const block = Buffer.alloc(512);
  block.write(name, 0, 100, 'utf8');
  block.write('0000644\0', 100, 'ascii');
  block.write('0000000\0', 108, 'ascii');
  block.write('0000000\0', 116, 'ascii');
  block.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'ascii');
  block.write('00000000000\0', 136, 'ascii');
  block.write('        ', 148, 'ascii');
  block.write(typeflag, 156, 'ascii');
  block.write('ustar\u000000', 257, 'ascii');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return block;
}

/** Samples the process's RSS while `work` runs; resolves to its result and the peak growth in bytes. */
export async function peakRssGrowth<T>(work: () => Promise<T>): Promise<{ result: T | undefined; error: unknown; growth: number }> {
  const start = process.memoryUsage().rss;
  let peak = start;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 5);
  try {
    return { result: await work(), error: undefined, growth: Math.max(peak, process.memoryUsage().rss) - start };
  } catch (error) {
    return { result: undefined, error, growth: Math.max(peak, process.memoryUsage().rss) - start };
  } finally {
    clearInterval(timer);
  }
}
