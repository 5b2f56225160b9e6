import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { Keyring, loadMasterKey } from './keyring.js';

const keyring = new Keyring(Buffer.alloc(32, 1));

test('a sealed secret opens with the same key and context only', () => {
  const sealed = keyring.seal('wJalrXUtnFEMI/K7MDENG', 'AKIA1');
  assert.ok(!sealed.includes('wJalrXUtnFEMI'));
  assert.equal(keyring.unseal(sealed, 'AKIA1'), 'wJalrXUtnFEMI/K7MDENG');
  assert.throws(() => keyring.unseal(sealed, 'AKIA2'));
  assert.throws(() => new Keyring(Buffer.alloc(32, 2)).unseal(sealed, 'AKIA1'));
  const tampered = sealed.slice(0, -2) + (sealed.endsWith('A') ? 'BB' : 'AA');
  assert.throws(() => keyring.unseal(tampered, 'AKIA1'));
});

test('token MACs verify only for the same payload and key', () => {
  const mac = keyring.mac('payload');
  assert.ok(keyring.verifyMac('payload', mac));
  assert.ok(!keyring.verifyMac('payload!', mac));
  assert.ok(!new Keyring(Buffer.alloc(32, 2)).verifyMac('payload', mac));
  assert.ok(!keyring.verifyMac('payload', mac.subarray(1)));
});

test('the master key file is made once, mode 0600, and read back after', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'berth-key-'));
  const first = loadMasterKey(undefined, dir);
  assert.equal(first.length, 32);
  assert.equal(statSync(path.join(dir, 'master.key')).mode & 0o777, 0o600);
  assert.deepEqual(loadMasterKey(undefined, dir), first);
  assert.equal(Buffer.from(readFileSync(path.join(dir, 'master.key'), 'utf8').trim(), 'base64').length, 32);
  assert.deepEqual(loadMasterKey(Buffer.alloc(32, 9), dir), Buffer.alloc(32, 9));
});
