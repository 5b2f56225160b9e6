import type { FileView, OsPackageRecord } from './facts.js';
import { APK_DB_PATHS, languageRootsOf } from './file-kinds.js';
import { osPackage } from './dpkg.js';
import type { FoundPackage } from './found-package.js';
import { normalisePath } from './image-paths.js';

/**
 * Parses apk's `installed` database: one stanza per package, blank-line separated, `X:value` lines.
 * P: name, V: version, o: origin (the source package), F: a directory, R: a file in the last F.
 * Returns the packages and the language package roots among their files.
 */
export function parseApkDb(text: string): { packages: OsPackageRecord[]; owns: string[] } {
  const packages: OsPackageRecord[] = [];
  const files: string[] = [];
  let fields = new Map<string, string>();
  let directory = '';
  const flush = (): void => {
    const name = fields.get('P');
    const version = fields.get('V');
    const origin = fields.get('o');
    if (name && version) packages.push(origin ? { name, version, source: origin } : { name, version });
    fields = new Map();
    directory = '';
  };
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '') {
      flush();
      continue;
    }
    if (line[1] !== ':') continue;
    const key = line[0]!;
    const value = line.slice(2);
    if (key === 'F') {
      directory = normalisePath(value);
      files.push(directory);
    } else if (key === 'R') {
      files.push(normalisePath(`${directory}/${value}`));
    } else if (!fields.has(key)) {
      fields.set(key, value);
    }
  }
  flush();
  return { packages, owns: languageRootsOf(files) };
}

/** The apk packages of the image's database (the first of its known locations that is there). */
export function detectApk(view: FileView): FoundPackage[] {
  for (const path of APK_DB_PATHS) {
    const entry = view.lookup(path);
    if (entry?.fact.kind === 'apk-db') return entry.fact.packages.map((pkg) => osPackage('apk', pkg, path));
  }
  return [];
}
