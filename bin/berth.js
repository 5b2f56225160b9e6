#!/usr/bin/env -S node --max-semi-space-size=16 --max-old-space-size=512
// The `berth` command. Runs the compiled build; `npm start` and `npm run build` make it.
// The flags keep the server's memory flat under a high request rate (`npm start` passes them too):
// --max-semi-space-size=16: a young generation large enough that the objects of 64 requests in flight die
// young instead of being promoted and collected by major GCs (measured against 4: +8% manifest GETs/s,
// peak RSS +28 MiB, to ~150 MiB); --max-old-space-size=512: V8 lets garbage pile up in proportion to this limit,
// by default a quarter of the RAM (measured: peak RSS 180 → 118 MiB at 6,000 manifest GETs/s, same
// throughput; the live heap is ~30 MiB).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
if (!existsSync(entry)) {
  process.stderr.write('berth: the build is missing: run `npm run build` (or `npm start`) first\n');
  process.exit(1);
}
const { runCli } = await import(entry);
process.exitCode = await runCli(process.argv.slice(2));
