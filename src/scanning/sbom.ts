import { randomUUID } from 'node:crypto';
import { normalisePythonName } from './ecosystems.js';
import type { InstalledPackage, Inventory, OsRelease } from './inventory.js';

export const CYCLONEDX_MEDIA_TYPE = 'application/vnd.cyclonedx+json';

/** A CycloneDX 1.6 JSON SBOM of a scanned image: its OS and every package, with purls, layers and files. */
export function cycloneDx(inventory: Inventory, image: { repository: string; digest: string }, now: Date, tool: { name: string; version: string }) {
  const os = inventory.os;
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: `urn:uuid:${randomUUID()}`,
    version: 1,
    metadata: {
      timestamp: now.toISOString(),
      tools: { components: [{ type: 'application', name: tool.name, version: tool.version }] },
      component: { type: 'container', 'bom-ref': image.digest, name: image.repository, version: image.digest },
    },
    components: [
      ...(os ? [{ type: 'operating-system', 'bom-ref': `os:${os.id}@${os.versionId ?? ''}`, name: os.id, ...(os.versionId ? { version: os.versionId } : {}), ...(os.prettyName ? { description: os.prettyName } : {}) }] : []),
      ...inventory.packages.map((pkg) => {
        const purl = purlOf(pkg, os);
        return {
          type: 'library',
          'bom-ref': `${purl}#${pkg.path}`,
          name: pkg.name,
          version: pkg.version,
          purl,
          properties: [
            { name: 'berth:package_type', value: pkg.type },
            { name: 'berth:layer_digest', value: pkg.layerDigest },
            { name: 'berth:file_path', value: pkg.path },
            ...(pkg.sourceName ? [{ name: 'berth:source_package', value: pkg.sourceName }] : []),
            ...(pkg.sourceVersion ? [{ name: 'berth:source_version', value: pkg.sourceVersion }] : []),
          ],
        };
      }),
    ],
  };
}

/** The package URL (github.com/package-url/purl-spec) of an installed package. */
export function purlOf(pkg: InstalledPackage, os: OsRelease | undefined): string {
  const at = `@${encodeURIComponent(pkg.version)}`;
  const distro = os?.versionId ? `?distro=${encodeURIComponent(`${os.id}-${os.versionId}`)}` : '';
  switch (pkg.type) {
    case 'dpkg':
      return `pkg:deb/${os?.id ?? 'debian'}/${encodeURIComponent(pkg.name)}${at}${distro}`;
    case 'apk':
      return `pkg:apk/${os?.id ?? 'alpine'}/${encodeURIComponent(pkg.name)}${at}${distro}`;
    case 'rpm':
      return `pkg:rpm/${os?.id ?? 'redhat'}/${encodeURIComponent(pkg.name)}${at}${distro}`;
    case 'npm': {
      const [scope, name] = pkg.name.startsWith('@') ? pkg.name.split('/') : [undefined, pkg.name];
      return `pkg:npm/${scope ? `${encodeURIComponent(scope)}/` : ''}${encodeURIComponent(name!)}${at}`;
    }
    case 'python':
      return `pkg:pypi/${encodeURIComponent(normalisePythonName(pkg.name))}${at}`;
  }
}

