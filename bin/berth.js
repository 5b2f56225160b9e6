#!/usr/bin/env -S node --max-semi-space-size=6 --initial-old-space-size=64 --max-old-space-size=512
// The `berth` command. Runs the compiled build; `npm start` and `npm run build` make it.
// The flags keep the server's memory flat under a high request rate (`npm start` passes them too):
// --max-semi-space-size=6: a young generation large enough that the objects of 64 requests in flight die
// young instead of being promoted and collected by major GCs (measured, 4 → 16: +8% manifest GETs/s and
// peak RSS +28 MiB; 16 → 8: −5% manifest GETs/s at ~14,000/s, peak RSS over the whole benchmark 202 → 187
// MiB; 8 → 6: −2% manifest GETs/s at ~8,500/s, peak RSS under 45 s of them −10 MiB, where 8 reached
// 200 MiB); --max-old-space-size=512: V8 lets garbage pile up in proportion to this limit,
// by default a quarter of the RAM (measured: peak RSS 180 → 118 MiB at 6,000 manifest GETs/s, same
// throughput; the live heap is ~30 MiB); --initial-old-space-size=64: while the old generation's headroom is
// smaller than the young one, V8 marks the old generation again and again even when nothing is allocated
// there (measured during a 1 GiB push: 45 major GCs with a ~22 MiB heap, and 4–5 s of CPU on its helper
// threads per 2 GiB pushed; with this: about a third of the major GCs, and that CPU halved; peak RSS
// +10–20 MiB under mixed load; 96 would save more CPU but peaked at 209 MiB).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
if (!existsSync(entry)) {
  process.stderr.write('berth: the build is missing: run `npm run build` (or `npm start`) first\n');
  process.exit(1);
}
const { runCli } = await import(entry);
process.exitCode = await runCli(process.argv.slice(2));
