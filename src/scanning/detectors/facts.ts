import type { OsRelease } from '../inventory.js';

/**
 * What one detector-relevant file holds, parsed when its layer is read so that a layer's facts stay
 * small (package lists, not raw files) and JSON-serialisable (they are cached by layer digest).
 */
export type FileFact = ContentFact | LinkFact | HiddenFact;

/** A regular file a detector understands. */
export type ContentFact = OsReleaseFact | DpkgStatusFact | DpkgFilesFact | ApkDbFact | RpmDbFact | LanguagePackageFact;

export interface OsReleaseFact {
  readonly kind: 'os-release';
  /** Absent when the file has no usable content. */
  readonly os?: OsRelease;
}

/** One installed OS package as its database records it. */
export interface OsPackageRecord {
  readonly name: string;
  readonly version: string;
  /** The source package (Debian `Source:`, Alpine `o:`, the rpm's SOURCERPM name), when it is named. */
  readonly source?: string;
  /** The source package's version, when it is given and differs from `version`. */
  readonly sourceVersion?: string;
}

/** `var/lib/dpkg/status` or a distroless `var/lib/dpkg/status.d/*` file: its installed packages only. */
export interface DpkgStatusFact {
  readonly kind: 'dpkg-status';
  readonly packages: readonly OsPackageRecord[];
}

/**
 * `var/lib/dpkg/info/*.list` (or a distroless `status.d/*.md5sums`): the package's files, kept only
 * where they are language package roots (see languagePackageRoot), since that is all ownership needs.
 */
export interface DpkgFilesFact {
  readonly kind: 'dpkg-files';
  readonly owns: readonly string[];
}

/** `lib/apk/db/installed`: the packages, and the language package roots their `R:` files include. */
export interface ApkDbFact {
  readonly kind: 'apk-db';
  readonly packages: readonly OsPackageRecord[];
  readonly owns: readonly string[];
}

/** `rpmdb.sqlite`: the packages, and the language package roots their file lists include. */
export interface RpmDbFact {
  readonly kind: 'rpmdb';
  readonly packages: readonly OsPackageRecord[];
  readonly owns: readonly string[];
  /** Why the database could not be read; the scan fails if this file is still there in the final image. */
  readonly error?: string;
}

/** An npm `package.json` at a package root, or Python `METADATA` / `PKG-INFO`; name and version absent when unreadable. */
export interface LanguagePackageFact {
  readonly kind: 'npm' | 'python';
  readonly name?: string;
  readonly version?: string;
}

/** A symlink or hardlink at a relevant path; `target` is a normalised path inside the image. */
export interface LinkFact {
  readonly kind: 'symlink' | 'hardlink';
  readonly target: string;
}

/** Something other than a file or link (a directory, a device) at a relevant path: it hides lower layers' file. */
export interface HiddenFact {
  readonly kind: 'other';
}

/** A file found in the merged filesystem view, with the index of the layer that wrote it. */
export interface ViewEntry<F extends FileFact = FileFact> {
  readonly fact: F;
  readonly layer: number;
}

/** The merged view of the relevant files of an image (or of its bottom layers), as detectors read it. */
export interface FileView {
  /**
   * The content at `path`, following symlinks and hardlinks (a bounded number of hops); undefined
   * when nothing is there, or a link dangles or loops.
   */
  lookup(path: string): ViewEntry<ContentFact> | undefined;
  /** Every regular file in the view (links are not repeated), in no particular order. */
  files(): Iterable<readonly [path: string, entry: ViewEntry<ContentFact>]>;
}
