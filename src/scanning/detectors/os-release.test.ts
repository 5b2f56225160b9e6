import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseOsRelease } from './os-release.js';

test('the fixture os-release is Debian 12 bookworm', () => {
  const text = readFileSync('/work/shared/fixtures/scan/debian12/os-release', 'utf8');
  assert.deepEqual(parseOsRelease(text), { id: 'debian', versionId: '12', versionCodename: 'bookworm', prettyName: 'Debian GNU/Linux 12 (bookworm)' });
});

test('os-release syntax: quotes of both kinds, escapes, comments, blank lines, CRLF, unknown keys', () => {
  const text = '# comment\r\nNAME="Alpine Linux"\r\nID=alpine\r\n\r\nVERSION_ID=3.19.1\r\nPRETTY_NAME=\'Alpine Linux v3.19\'\r\nBUG=x\r\n';
  assert.deepEqual(parseOsRelease(text), { id: 'alpine', versionId: '3.19.1', prettyName: 'Alpine Linux v3.19' });
  assert.deepEqual(parseOsRelease('ID="rocky"\nVERSION_ID="9.3"\nPRETTY_NAME="Rocky \\"Blue Onyx\\""\n'), { id: 'rocky', versionId: '9.3', prettyName: 'Rocky "Blue Onyx"' });
});

test('ID defaults to linux (os-release(5)); a file with no fields is no OS', () => {
  assert.deepEqual(parseOsRelease('NAME=Something\n'), { id: 'linux' });
  assert.equal(parseOsRelease(''), undefined);
  assert.equal(parseOsRelease('# only a comment\n\nnot a field\n'), undefined);
});
