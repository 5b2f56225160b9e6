import type { OsRelease } from '../inventory.js';
import type { FileView } from './facts.js';
import { OS_RELEASE_PATHS } from './file-kinds.js';

/**
 * Parses os-release(5): `KEY=value` lines, values optionally in single or double quotes (with
 * backslash escapes inside double quotes), `#` comments. ID defaults to `linux`, as the man page says.
 */
export function parseOsRelease(text: string): OsRelease | undefined {
  const fields = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    fields.set(line.slice(0, eq).trim(), unquote(line.slice(eq + 1).trim()));
  }
  if (fields.size === 0) return undefined;
  const os: Mutable<OsRelease> = { id: fields.get('ID') || 'linux' };
  const versionId = fields.get('VERSION_ID');
  const versionCodename = fields.get('VERSION_CODENAME');
  const prettyName = fields.get('PRETTY_NAME');
  if (versionId) os.versionId = versionId;
  if (versionCodename) os.versionCodename = versionCodename;
  if (prettyName) os.prettyName = prettyName;
  return os;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function unquote(value: string): string {
  const quote = value[0];
  if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
    const inner = value.slice(1, -1);
    return quote === '"' ? inner.replace(/\\(["\\`$])/g, '$1') : inner;
  }
  return value;
}

/** The image's OS: `etc/os-release` (often a symlink to ../usr/lib/os-release) wins over `usr/lib/os-release`. */
export function detectOs(view: FileView): OsRelease | undefined {
  for (const path of OS_RELEASE_PATHS) {
    const entry = view.lookup(path);
    if (entry?.fact.kind === 'os-release' && entry.fact.os) return entry.fact.os;
  }
  return undefined;
}
