import type { FileView, LanguagePackageFact } from './facts.js';
import { languagePackageRoot } from './file-kinds.js';
import type { FoundPackage } from './found-package.js';

/** The name and version of an npm package root's package.json; neither when it is not a JSON object with both. */
export function parsePackageJson(text: string): Omit<LanguagePackageFact, 'kind'> {
  let manifest: unknown;
  try {
    manifest = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    return {};
  }
  if (typeof manifest !== 'object' || manifest === null) return {};
  const { name, version } = manifest as Record<string, unknown>;
  return typeof name === 'string' && name !== '' && typeof version === 'string' && version !== '' ? { name, version } : {};
}

/**
 * Name and Version from Python core metadata (`METADATA`, `PKG-INFO`): RFC 822 style headers up to
 * the first blank line; the description body after it is ignored.
 */
export function parsePythonMetadata(text: string): Omit<LanguagePackageFact, 'kind'> {
  let name: string | undefined;
  let version: string | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') break;
    const colon = line.indexOf(':');
    if (colon <= 0 || line.startsWith(' ') || line.startsWith('\t')) continue;
    const field = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (field === 'name' && name === undefined) name = value;
    else if (field === 'version' && version === undefined) version = value;
  }
  return name && version ? { name, version } : {};
}

/**
 * npm and Python packages, except those whose root directory an OS package owns (Debian's
 * python3-jwt ships PyJWT's egg-info: its advisories are Debian's, not PyPI's).
 */
export function detectLanguagePackages(view: FileView, ownedRoots: ReadonlySet<string>): FoundPackage[] {
  const found: FoundPackage[] = [];
  for (const [path, entry] of view.files()) {
    const fact = entry.fact;
    if (fact.kind !== 'npm' && fact.kind !== 'python') continue;
    if (!fact.name || !fact.version) continue;
    const root = languagePackageRoot(path);
    if (root !== undefined && ownedRoots.has(root)) continue;
    found.push({ type: fact.kind, name: fact.name, version: fact.version, path });
  }
  return found;
}
