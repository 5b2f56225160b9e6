#!/usr/bin/env node
// The `berth` command. Runs the compiled build; `npm start` and `npm run build` make it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
if (!existsSync(entry)) {
  process.stderr.write('berth: the build is missing: run `npm run build` (or `npm start`) first\n');
  process.exit(1);
}
const { runCli } = await import(entry);
process.exitCode = await runCli(process.argv.slice(2));
