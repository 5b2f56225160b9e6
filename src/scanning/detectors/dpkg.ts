import type { DpkgStatusFact, FileView, OsPackageRecord } from './facts.js';
import { DPKG_STATUS_PATH, languageRootsOf } from './file-kinds.js';
import type { FoundPackage } from './found-package.js';
import { normalisePath } from './image-paths.js';

/** The single-line fields of each deb822 stanza (names lower-cased; continuation lines skipped). */
export function parseStanzas(text: string): Map<string, string>[] {
  const stanzas: Map<string, string>[] = [];
  let current = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') {
      if (current.size > 0) stanzas.push(current);
      current = new Map();
      continue;
    }
    if (line.startsWith(' ') || line.startsWith('\t') || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon > 0) current.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  if (current.size > 0) stanzas.push(current);
  return stanzas;
}

/**
 * The installed packages of a dpkg status file. A stanza counts when its Status is
 * `install ok installed` (or `hold ok installed`: a held package is installed too). Distroless
 * `status.d/*` files have no Status line, so `statusOptional` takes their stanzas as installed.
 */
export function parseDpkgStatus(text: string, statusOptional: boolean): OsPackageRecord[] {
  const packages: OsPackageRecord[] = [];
  for (const stanza of parseStanzas(text)) {
    const name = stanza.get('package');
    const version = stanza.get('version');
    if (!name || !version) continue;
    const status = stanza.get('status');
    if (status === undefined ? !statusOptional : !isInstalled(status)) continue;
    packages.push({ name, version, ...sourceOf(stanza.get('source'), version) });
  }
  return packages;
}

function isInstalled(status: string): boolean {
  const [want, flag, state] = status.split(/\s+/);
  return (want === 'install' || want === 'hold') && flag === 'ok' && state === 'installed';
}

/** `Source: name` or `Source: name (version)` (a binNMU, or a binary versioned apart from its source). */
function sourceOf(field: string | undefined, version: string): { source?: string; sourceVersion?: string } {
  const match = field ? /^(\S+)(?:\s+\(([^)]+)\))?$/.exec(field) : null;
  if (!match) return {};
  const sourceVersion = match[2]?.trim();
  return sourceVersion && sourceVersion !== version ? { source: match[1]!, sourceVersion } : { source: match[1]! };
}

/**
 * The language package roots among the paths of a `var/lib/dpkg/info/*.list` file (absolute paths,
 * one a line) or a distroless `status.d/*.md5sums` file (`<md5>  <relative path>`).
 */
export function parseDpkgFileList(text: string, md5sums: boolean): string[] {
  const paths: string[] = [];
  for (const line of text.split('\n')) {
    const path = md5sums ? line.replace(/^\S+\s+/, '') : line;
    if (path.trim() !== '') paths.push(normalisePath(path.trimEnd()));
  }
  return languageRootsOf(paths);
}

/** The dpkg packages of `var/lib/dpkg/status` and of every `var/lib/dpkg/status.d/*` file, each once. */
export function detectDpkg(view: FileView): FoundPackage[] {
  const sources: [string, DpkgStatusFact][] = [];
  const status = view.lookup(DPKG_STATUS_PATH);
  if (status?.fact.kind === 'dpkg-status') sources.push([DPKG_STATUS_PATH, status.fact]);
  for (const [path, entry] of view.files()) {
    if (entry.fact.kind === 'dpkg-status' && path !== DPKG_STATUS_PATH) sources.push([path, entry.fact]);
  }
  sources.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const seen = new Set<string>();
  const found: FoundPackage[] = [];
  for (const [path, fact] of sources) {
    for (const pkg of fact.packages) {
      // Multi-arch packages (libc6:amd64 and libc6:i386) are one name at one version.
      const id = `${pkg.name}\u0000${pkg.version}`;
      if (seen.has(id)) continue;
      seen.add(id);
      found.push(osPackage('dpkg', pkg, path));
    }
  }
  return found;
}

/** An OS package record as a found package: the source is the binary's own name when none is given. */
export function osPackage(type: 'dpkg' | 'apk' | 'rpm', pkg: OsPackageRecord, path: string): FoundPackage {
  const found: FoundPackage = { type, name: pkg.name, version: pkg.version, sourceName: pkg.source ?? pkg.name, path };
  return pkg.sourceVersion ? { ...found, sourceVersion: pkg.sourceVersion } : found;
}
