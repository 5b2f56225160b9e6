import type { ContentFact } from './facts.js';
import { DPKG_STATUS_PATH, type FileKind } from './file-kinds.js';
import { parseApkDb } from './apk.js';
import { parseDpkgFileList, parseDpkgStatus } from './dpkg.js';
import { parsePackageJson, parsePythonMetadata } from './language.js';
import { parseOsRelease } from './os-release.js';
import { readRpmDb } from './rpmdb.js';

/**
 * Parses one detector-relevant file into the compact fact a layer keeps. `bytes` is the whole file
 * (the layer reader has already bounded its size). Never throws for bad content: an unreadable file
 * becomes a fact with nothing in it (or, for an rpmdb, an `error`).
 */
export async function parseFile(kind: FileKind, path: string, bytes: Uint8Array): Promise<ContentFact> {
  if (kind === 'rpmdb') return readRpmDb(bytes);
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  switch (kind) {
    case 'os-release': {
      const os = parseOsRelease(text);
      return os ? { kind, os } : { kind };
    }
    case 'dpkg-status':
      return { kind, packages: parseDpkgStatus(text, path !== DPKG_STATUS_PATH) };
    case 'dpkg-files':
      return { kind, owns: parseDpkgFileList(text, path.endsWith('.md5sums')) };
    case 'apk-db':
      return { kind, ...parseApkDb(text) };
    case 'npm':
      return { kind, ...parsePackageJson(text) };
    case 'python':
      return { kind, ...parsePythonMetadata(text) };
  }
}
