import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const runner = path.join(path.dirname(fileURLToPath(import.meta.url)), 'helpers', 'run-berth.ts');

function berth(args: string[], env: Record<string, string> = {}): { status: number | null; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', runner, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, stderr: result.stderr };
}

test('an invalid setting stops start-up with one line naming it, exit 1', () => {
  const result = berth(['serve'], { BERTH_LISTEN: 'not-an-address' });
  assert.equal(result.status, 1);
  assert.equal(result.stderr.trim().split('\n').length, 1);
  assert.match(result.stderr, /^berth: BERTH_LISTEN: expected host:port/);
});

test('an unknown flag or command is a usage error, exit 2', () => {
  const flag = berth(['serve', '--colour', 'blue']);
  assert.equal(flag.status, 2);
  assert.match(flag.stderr, /^berth: unknown flag --colour/);
  const command = berth(['fly']);
  assert.equal(command.status, 2);
  assert.match(command.stderr, /^berth: unknown command "fly"/);
});

test('a port in use is one clear line, exit 1', async () => {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  try {
    const result = berth(['serve', '--listen', `127.0.0.1:${port}`, '--data-dir', path.join(process.env.TMPDIR ?? '/tmp', `berth-cli-${process.pid}`)]);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /cannot listen on 127\.0\.0\.1:\d+: the address is already in use/);
  } finally {
    server.close();
  }
});

test('berth gc [--dry-run] runs one collection over the data dir and reports it', async () => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(path.join(tmpdir(), 'berth-cli-gc-'));
  try {
    const run = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', runner, 'gc', ...args, '--data-dir', dir], { encoding: 'utf8', timeout: 30_000 });
    const dry = run(['--dry-run']);
    assert.equal(dry.status, 0, dry.stderr);
    assert.match(dry.stdout, /^queued: +0 blobs/m);
    assert.match(dry.stdout, /^dry run: +0 blobs, 0 B; 0 expired uploads \(would free\)$/m);
    const real = run([]);
    assert.equal(real.status, 0, real.stderr);
    assert.match(real.stdout, /^freed: +0 blobs/m);
    assert.match(real.stdout, /^stored: +0 B in all$/m);
    const bad = run(['--dry-run', '--nonsense']);
    assert.equal(bad.status, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
