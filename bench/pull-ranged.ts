// Pulls the first layer of REPO:REF in 16 MiB Range requests over one keep-alive connection per host (as a
// resuming client does), hashes it, and prints one JSON line. The scenario regbench.mjs lacks.
//   node --import tsx bench/pull-ranged.ts URL REPO REF [AUTHORIZATION]
import { createHash } from 'node:crypto';
import http from 'node:http';

const [base = '', repo = '', ref = '', authorization = ''] = process.argv.slice(2);
const CHUNK = 16 << 20;
const MiB = 1 << 20;
const ACCEPT = 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json';
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
let redirects = 0;

/**
 * GETs a path of the registry, following redirects (a registry on S3 answers blob GETs with 307 to a presigned
 * URL) with the same headers, but the Authorization header only to the registry's own origin.
 */
function get(target: string | URL, headers: Record<string, string>, sink: (c: Buffer) => void, hops = 0): Promise<http.IncomingMessage> {
  const url = new URL(target, base);
  const own = url.origin === new URL(base).origin;
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, headers: authorization && own ? { ...headers, authorization } : headers }, (res) => {
      const location = res.headers.location;
      if (REDIRECTS.has(res.statusCode ?? 0) && location && hops < 5) {
        redirects++;
        res.resume();
        res.on('end', () => get(new URL(location, url), headers, sink, hops + 1).then(resolve, reject));
        return;
      }
      res.on('data', sink);
      res.on('end', () => resolve(res));
      res.on('error', reject);
    });
    req.setTimeout(120_000, () => req.destroy(new Error(`timeout GET ${url.pathname}`)));
    req.on('error', reject);
  });
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

try {
  const parts: Buffer[] = [];
  const mpath = `/v2/${repo}/manifests/${ref}`;
  const mres = await get(mpath, { accept: ACCEPT }, (c) => parts.push(c));
  if (mres.statusCode !== 200) throw new Error(`GET ${mpath}: HTTP ${mres.statusCode} ${Buffer.concat(parts).toString().slice(0, 300)}`);
  const layer = (JSON.parse(Buffer.concat(parts).toString()) as { layers: { digest: string; size: number }[] }).layers[0];
  if (!layer) throw new Error(`${repo}:${ref} has no layers`);
  const hash = createHash('sha256');
  const lat: number[] = [];
  const bpath = `/v2/${repo}/blobs/${layer.digest}`;
  const t0 = performance.now();
  for (let off = 0; off < layer.size; off += CHUNK) {
    const end = Math.min(layer.size, off + CHUNK) - 1;
    let got = 0;
    const t = performance.now();
    const res = await get(bpath, { range: `bytes=${off}-${end}` }, (c) => {
      got += c.length;
      hash.update(c);
    });
    lat.push(performance.now() - t);
    const cr = res.headers['content-range'];
    if (res.statusCode !== 206 || got !== end - off + 1 || cr !== `bytes ${off}-${end}/${layer.size}`) {
      throw new Error(`GET ${bpath} Range: bytes=${off}-${end}: HTTP ${res.statusCode}, Content-Range ${cr}, ${got} bytes`);
    }
  }
  const s = (performance.now() - t0) / 1000;
  if (`sha256:${hash.digest('hex')}` !== layer.digest) throw new Error('ranged pull: digest mismatch');
  lat.sort((a, b) => a - b);
  const r2 = (x: number) => Math.round(x * 100) / 100;
  const out = { scenario: 'pull-ranged', size_mib: r2(layer.size / MiB), chunk_mib: CHUNK / MiB, requests: lat.length, mibps: r2(layer.size / MiB / s), s: r2(s), p50_ms: r2(pct(lat, 50)), p99_ms: r2(pct(lat, 99)), verified: true, ...(redirects ? { redirects } : {}) };
  process.stdout.write(JSON.stringify(out) + '\n');
  agent.destroy();
} catch (err) {
  process.stdout.write(JSON.stringify({ scenario: 'pull-ranged', error: String(err instanceof Error ? err.message : err) }) + '\n');
  agent.destroy();
  process.exitCode = 1;
}
