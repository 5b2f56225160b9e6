// `npm run bench:scan`: the scanner's throughput in MiB of compressed layer per second, on an image of
// at least 200 MiB (gzip layers) that this script builds, and its memory while it reads (target: at least
// 100 MiB/s, memory flat). Then the OSV import benchmark (bench/vulndb-import.ts, 100,000 records).
// Berth alone: Distribution does not scan. Not a test: figures are printed, never asserted.
//
//   BENCH_SCAN_MIB=200   compressed size of the image
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';
import { inventoryOf } from '../src/scanning/layers/inventory-of.js';

const MiB = 1024 * 1024;
const TARGET_MIB = Number(process.env.BENCH_SCAN_MIB ?? 200);
const LAYERS = 4;
const here = path.dirname(fileURLToPath(import.meta.url));

/** A gzip layer of about `mib` MiB: incompressible files (as real binaries mostly are), a dpkg status, npm packages. */
async function writeLayer(file: string, index: number, mib: number): Promise<void> {
  const pack = tar.pack();
  const written = pipeline(pack, createGzip({ level: 1 }), createWriteStream(file));
  const status = Array.from({ length: 200 }, (_, i) => `Package: pkg${index}-${i}\nStatus: install ok installed\nVersion: 1.${i}-1\nArchitecture: amd64\n`).join('\n');
  pack.entry({ name: 'var/lib/dpkg/status', mtime: new Date(0) }, status);
  for (let i = 0; i < 200; i++) pack.entry({ name: `app/node_modules/dep${index}-${i}/package.json`, mtime: new Date(0) }, JSON.stringify({ name: `dep${index}-${i}`, version: `1.0.${i}` }));
  const files = mib; // 1 MiB each
  for (let i = 0; i < files; i++) {
    await new Promise<void>((resolve, reject) => {
      const entry = pack.entry({ name: `usr/lib/blob${index}/${i}.bin`, size: MiB, mtime: new Date(0) }, (err) => (err ? reject(err) : resolve()));
      entry.end(randomBytes(MiB));
    });
  }
  pack.finalize();
  await written;
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'berth-bench-scan-'));
try {
  const files = Array.from({ length: LAYERS }, (_, i) => path.join(tmp, `layer${i}.tar.gz`));
  for (const [i, file] of files.entries()) await writeLayer(file, i, Math.ceil(TARGET_MIB / LAYERS));
  const sizes = files.map((file) => statSync(file).size);
  const compressed = sizes.reduce((a, b) => a + b, 0);
  const layers = files.map((file, i) => ({ digest: `sha256:${String(i).padStart(64, '0')}`, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', open: async () => createReadStream(file, { highWaterMark: MiB }) }));

  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const t0 = performance.now();
  const inventory = await inventoryOf(layers, {});
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  const mibps = compressed / MiB / seconds;
  process.stdout.write(`Berth scan bench: ${LAYERS} gzip layers, ${(compressed / MiB).toFixed(0)} MiB compressed, ${os.cpus().length} CPUs, load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}\n`);
  process.stdout.write(`  found ${inventory.packages.length} packages in ${seconds.toFixed(2)} s; RSS ${(rssBefore / MiB).toFixed(0)} MiB before, ${(peak / MiB).toFixed(0)} MiB at peak\n\n`);
  process.stdout.write(
    ['| scenario | Berth | target |', '|---|---|---|', `| scan ${(compressed / MiB).toFixed(0)} MiB of gzip layers (MiB/s compressed) | ${mibps.toFixed(0)} | ≥ 100 ${mibps >= 100 ? '✔' : '✘'} |`, `| scanner memory growth while reading (MiB) | ${((peak - rssBefore) / MiB).toFixed(0)} | flat |`].join('\n') + '\n\n',
  );
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

// The OSV import figure, from its own script (a process of its own, so its memory is its own).
const imported = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, 'vulndb-import.ts')], { stdio: 'inherit', cwd: path.dirname(here) });
process.exitCode = imported.status ?? 1;
