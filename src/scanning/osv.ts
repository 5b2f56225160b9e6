/** The parts of an OSV record (https://ossf.github.io/osv-schema/) that matching and findings use. */
export interface OsvRecord {
  readonly id: string;
  readonly modified: string;
  readonly aliases?: readonly string[];
  /** Debian's records name the CVE here. */
  readonly upstream?: readonly string[];
  readonly summary?: string;
  readonly details?: string;
  readonly severity?: readonly OsvSeverity[];
  readonly affected?: readonly OsvAffected[];
  readonly references?: readonly { readonly type: string; readonly url: string }[];
  readonly database_specific?: Record<string, unknown>;
  readonly withdrawn?: string;
}

export interface OsvSeverity {
  /** CVSS_V2, CVSS_V3, CVSS_V4, Ubuntu, … */
  readonly type: string;
  /** A CVSS vector, or a rating for the other types. */
  readonly score: string;
}

export interface OsvAffected {
  readonly package?: { readonly ecosystem: string; readonly name: string; readonly purl?: string };
  readonly ranges?: readonly OsvRange[];
  readonly versions?: readonly string[];
  readonly severity?: readonly OsvSeverity[];
  readonly ecosystem_specific?: Record<string, unknown>;
  readonly database_specific?: Record<string, unknown>;
}

export interface OsvRange {
  readonly type: 'ECOSYSTEM' | 'SEMVER' | 'GIT' | string;
  readonly events: readonly OsvEvent[];
}

export type OsvEvent = { readonly introduced: string } | { readonly fixed: string } | { readonly last_affected: string } | { readonly limit: string };
