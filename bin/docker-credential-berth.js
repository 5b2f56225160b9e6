#!/usr/bin/env node
// Docker's credential helper for Berth: put `"credHelpers": {"HOST:PORT": "berth"}` in ~/.docker/config.json.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('../dist/cli/credential-helper-main.js', import.meta.url));
if (!existsSync(entry)) {
  process.stderr.write('docker-credential-berth: the build is missing: run `npm run build` first\n');
  process.exit(1);
}
let stdin = '';
if (process.argv[2] === 'get' || process.argv[2] === 'store' || process.argv[2] === 'erase') {
  for await (const chunk of process.stdin) stdin += chunk;
}
const { runCredentialHelperCli } = await import(entry);
process.exitCode = await runCredentialHelperCli(process.argv.slice(2), stdin);
