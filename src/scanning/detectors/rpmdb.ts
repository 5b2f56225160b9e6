import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { FileView, OsPackageRecord, RpmDbFact } from './facts.js';
import { languageRootsOf, RPMDB_PATHS } from './file-kinds.js';
import { osPackage } from './dpkg.js';
import type { FoundPackage } from './found-package.js';
import { normalisePath } from './image-paths.js';
import { parseRpmHeader, type RpmHeader } from './rpm-header.js';

/**
 * Reads an rpm 4.16+ SQLite database (`rpmdb.sqlite`: table Packages, one header blob per row).
 * better-sqlite3 cannot open a buffer, so the bytes (at most the scan's maxFileBytes) go to a private
 * temporary file that is removed afterwards. A database left in WAL mode is opened as a rollback-journal
 * one (header bytes 18–19), so no -wal or -shm file is needed; it is read-only either way. A database that
 * cannot be read gives a fact with `error` rather than a throw: the scan fails only if the final image still has it.
 */
export async function readRpmDb(bytes: Uint8Array): Promise<RpmDbFact> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-rpmdb-'));
  try {
    const file = join(dir, 'rpmdb.sqlite');
    await writeFile(file, bytes);
    if (bytes[18] === 2 && bytes[19] === 2) await markRollbackJournal(file);
    return factOf(readHeaders(file));
  } catch (err) {
    return { kind: 'rpmdb', packages: [], owns: [], error: err instanceof Error ? err.message : String(err) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function markRollbackJournal(file: string): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    await handle.write(Buffer.from([1, 1]), 0, 2, 18);
  } finally {
    await handle.close();
  }
}

function readHeaders(file: string): RpmHeader[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    // The schema comes from the image: never let it run functions of ours.
    db.pragma('trusted_schema = OFF');
    const rows = db.prepare('SELECT blob FROM Packages').raw(true).iterate() as IterableIterator<unknown[]>;
    const headers: RpmHeader[] = [];
    for (const [blob] of rows) {
      if (!(blob instanceof Uint8Array)) throw new Error('rpmdb Packages row without a header blob');
      headers.push(parseRpmHeader(blob));
    }
    return headers;
  } finally {
    db.close();
  }
}

function factOf(headers: readonly RpmHeader[]): RpmDbFact {
  const packages: OsPackageRecord[] = [];
  const files: string[] = [];
  for (const header of headers) {
    // Imported signing keys are recorded as packages; nothing is installed.
    if (header.name === 'gpg-pubkey') continue;
    packages.push(recordOf(header));
    for (const file of header.files) files.push(normalisePath(file));
  }
  return { kind: 'rpmdb', packages, owns: languageRootsOf(files) };
}

/** `[epoch:]version-release` (epoch 0 is the same as none); the source name and version from SOURCERPM. */
function recordOf(header: RpmHeader): OsPackageRecord {
  const versionRelease = `${header.version}-${header.release}`;
  const version = header.epoch ? `${header.epoch}:${versionRelease}` : versionRelease;
  const source = header.sourceRpm ? parseSourceRpm(header.sourceRpm) : undefined;
  if (!source) return { name: header.name, version };
  return source.versionRelease === versionRelease ? { name: header.name, version, source: source.name } : { name: header.name, version, source: source.name, sourceVersion: source.versionRelease };
}

/** `openssl-3.0.7-24.el9.src.rpm` → openssl, 3.0.7-24.el9 (names may contain dashes; version and release may not). */
export function parseSourceRpm(file: string): { name: string; versionRelease: string } | undefined {
  const nvr = file.replace(/\.(?:no)?src\.rpm$/, '');
  const releaseDash = nvr.lastIndexOf('-');
  const versionDash = releaseDash > 0 ? nvr.lastIndexOf('-', releaseDash - 1) : -1;
  if (versionDash <= 0) return undefined;
  return { name: nvr.slice(0, versionDash), versionRelease: nvr.slice(versionDash + 1) };
}

/** The rpm packages of the image's database; when both locations hold one, the layer written last wins. */
export function detectRpm(view: FileView): { packages: FoundPackage[]; problems: string[] } {
  let chosen: { path: string; fact: RpmDbFact; layer: number } | undefined;
  for (const path of RPMDB_PATHS) {
    const entry = view.lookup(path);
    if (entry?.fact.kind === 'rpmdb' && (!chosen || entry.layer > chosen.layer)) chosen = { path, fact: entry.fact, layer: entry.layer };
  }
  if (!chosen) return { packages: [], problems: [] };
  const { path, fact } = chosen;
  if (fact.error) return { packages: [], problems: [`${path} is not a readable rpm database: ${fact.error}`] };
  return { packages: fact.packages.map((pkg) => osPackage('rpm', pkg, path)), problems: [] };
}
