// Runs the test files of one suite with node's test runner (Node 20's --test takes no globs).
//   node scripts/run-tests.js unit   every *.test.ts under src/ and test/, but test/e2e/
//   node scripts/run-tests.js e2e    every *.test.ts under test/e2e/ (whole-process, real clients)
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const suite = process.argv[2] ?? 'unit';
const extra = process.argv.slice(3);

function find(dir) {
  const out = [];
  let entries = [];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...find(full));
    else if (entry.name.endsWith('.test.ts')) out.push(path.relative(root, full));
  }
  return out;
}

const e2eDir = path.join('test', 'e2e');
const all = [...find(path.join(root, 'src')), ...find(path.join(root, 'test'))].sort();
const files = suite === 'e2e' ? all.filter((f) => f.startsWith(e2eDir)) : all.filter((f) => !f.startsWith(e2eDir));
if (files.length === 0) {
  process.stderr.write(`no ${suite} test files found\n`);
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...extra, ...files], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
