import type { OsvRecord } from '../../src/scanning/osv.js';

/** A small valid OSV record affecting `name` in `ecosystem` below `fixed`. */
export function osvRecord(id: string, ecosystem: string, name: string, overrides: Partial<OsvRecord> = {}): OsvRecord {
  return {
    id,
    modified: '2024-01-01T00:00:00Z',
    summary: `${name} is vulnerable (${id})`,
    affected: [{ package: { ecosystem, name }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.2.3' }] }] }],
    ...overrides,
  };
}

const ECOSYSTEMS = ['Debian:12', 'npm', 'PyPI', 'Alpine:v3.19', 'Go', 'Maven'];

/** The `i`-th of a generated set of records: ecosystems in turn, a few hundred bytes each, like OSV's. */
export function generatedRecord(i: number): OsvRecord {
  const ecosystem = ECOSYSTEMS[i % ECOSYSTEMS.length]!;
  return osvRecord(`GEN-${String(i).padStart(7, '0')}`, ecosystem, `package-${i % 5000}`, {
    aliases: [`CVE-2024-${100000 + i}`],
    details: `Generated advisory number ${i}. `.repeat(8),
    references: [{ type: 'ADVISORY', url: `https://example.invalid/advisories/${i}` }],
  });
}
