/** What a scan finds in an image: its OS and every installed package, each with the layer that added it. */

/** How a package was installed, which also says how its versions compare. */
export type PackageType = 'dpkg' | 'apk' | 'rpm' | 'npm' | 'python';

export interface InstalledPackage {
  readonly type: PackageType;
  readonly name: string;
  readonly version: string;
  /** OS packages: the source package (Debian `Source:`, Alpine `o:` origin); the binary's own name when none. */
  readonly sourceName?: string;
  /** The source package's version when it differs (a Debian binNMU: `Source: libssh2 (1.10.0-3)`). */
  readonly sourceVersion?: string;
  /** The digest of the layer that introduced this name at this version. */
  readonly layerDigest: string;
  /** The file it was read from, without a leading slash (`var/lib/dpkg/status`, `app/node_modules/semver/package.json`). */
  readonly path: string;
}

/** `os-release` fields (lower-case keys of ID, VERSION_ID, VERSION_CODENAME, PRETTY_NAME). */
export interface OsRelease {
  readonly id: string;
  readonly versionId?: string;
  readonly versionCodename?: string;
  readonly prettyName?: string;
}

export interface Inventory {
  readonly os?: OsRelease;
  readonly packages: readonly InstalledPackage[];
}
