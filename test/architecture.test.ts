import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

// The rooms of ARCHITECTURE.md and whom each may import. Files at the top of src/ (main, compose,
// app) are the composition layer and may import anything.
const LOWER = ['core', 'contracts', 'config', 'storage', 'metadata', 'auth', 'events', 'jobs', 'registry', 'lifecycle', 'scanning', 'replication'];
const ALLOWED: Record<string, string[]> = {
  core: [],
  contracts: ['core'],
  config: ['core', 'contracts'],
  storage: ['core'],
  metadata: ['core'],
  auth: ['core', 'contracts', 'metadata'],
  events: ['core', 'metadata'],
  jobs: ['core', 'metadata'],
  registry: ['core', 'storage', 'metadata', 'events'],
  lifecycle: ['core', 'contracts', 'registry', 'metadata', 'events'],
  scanning: ['core', 'contracts', 'registry', 'metadata', 'events'],
  replication: ['core', 'contracts', 'registry', 'metadata', 'events'],
  controlplane: LOWER,
  http: [...LOWER, 'controlplane'],
  cli: ['core', 'contracts', 'config', '.'],
  web: ['contracts'],
};
// Packages that only one room may touch.
const PACKAGE_OWNERS: Record<string, string[]> = {
  fastify: ['http', '.'],
  kysely: ['metadata'],
  // scanning reads an image's rpmdb.sqlite (read-only, from a private temp copy): src/scanning/detectors/rpmdb.ts.
  'better-sqlite3': ['metadata', 'scanning'],
  pg: ['metadata'],
  '@aws-sdk/client-s3': ['storage'],
  // The client commands (berth login, users, keys, the credential helper) are AWS API clients.
  '@aws-sdk/client-ecr': ['cli'],
  '@aws-sdk/client-iam': ['cli'],
  pino: ['.'],
  yauzl: ['scanning'],
};

const src = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

function roomOf(file: string): string {
  const rel = path.relative(src, file).split(path.sep);
  return rel.length === 1 ? '.' : rel[0]!;
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm), ...text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]!);
}

test('every import respects the room rules of ARCHITECTURE.md', () => {
  const violations: string[] = [];
  for (const file of sourceFiles(src)) {
    const room = roomOf(file);
    for (const spec of importsOf(file)) {
      const where = `${path.relative(src, file)} imports ${spec}`;
      if (spec.startsWith('.')) {
        const target = path.resolve(path.dirname(file), spec);
        const targetRoom = roomOf(target);
        if (targetRoom === room || room === '.') continue;
        if (!(ALLOWED[room] ?? []).includes(targetRoom)) violations.push(`${where}: ${room} may not import ${targetRoom}`);
        // The registry works against the driver interface, never a concrete driver.
        if (room === 'registry' && targetRoom === 'storage' && /storage\/(fs|s3|memory)\//.test(target)) violations.push(`${where}: registry may only use the storage interface`);
        continue;
      }
      const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
      const owners = PACKAGE_OWNERS[pkg];
      if (owners && !owners.includes(room) && !(pkg === '@aws-sdk/client-s3' && file.includes(`${path.sep}storage${path.sep}s3${path.sep}`))) {
        violations.push(`${where}: only ${owners.join(', ')} may use ${pkg}`);
      }
    }
  }
  assert.deepEqual(violations, []);
});

test('the rule checker sees imports (it would catch a violation)', () => {
  const registryFiles = sourceFiles(path.join(src, 'registry'));
  assert.ok(registryFiles.length > 0);
  assert.ok(registryFiles.some((f) => importsOf(f).some((s) => s.includes('/metadata/'))), 'registry imports metadata somewhere');
  assert.equal(roomOf(path.join(src, 'registry', 'x.ts')), 'registry');
  assert.ok(!ALLOWED.registry!.includes('http'));
});
