// Runs the test files of one suite with node's test runner (Node 20's --test takes no globs).
//   node scripts/run-tests.js unit   every *.test.ts under src/ and test/, but test/e2e/
//   node scripts/run-tests.js e2e    every *.test.ts under test/e2e/ (whole-process, real clients)
// With BERTH_TEST_DATABASE_URL or BERTH_TEST_STORAGE_URL set, the unit suite runs twice: on the
// embedded backends (SQLite, memory/fs), then with BERTH_TEST_BACKEND=scale-out on PostgreSQL and S3.
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
function run(label, env) {
  process.stdout.write(`# berth: ${suite} tests on ${label}\n`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...extra, ...files], { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  return result.status ?? 1;
}

const { BERTH_TEST_DATABASE_URL: database, BERTH_TEST_STORAGE_URL: storage } = process.env;
let status = run(suite === 'e2e' ? 'real clients and server processes' : 'the embedded backends (SQLite, memory and fs storage)', { BERTH_TEST_BACKEND: '' });
if (suite === 'unit' && (database || storage)) {
  const backends = [database ? 'PostgreSQL' : 'SQLite', storage ? 'S3' : 'memory and fs storage'].join(', ');
  status = run(`the scale-out backends (${backends})`, { BERTH_TEST_BACKEND: 'scale-out' }) || status;
}
process.exit(status);
