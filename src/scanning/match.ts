import type { Db } from '../metadata/metadata.js';
import { advisoriesFor } from './vulndb/advisories.js';
import { advisoryKey, normalisePythonName, type AdvisoryKey } from './ecosystems.js';
import { findingOf, sortFindings, type Finding } from './findings.js';
import type { InstalledPackage, Inventory } from './inventory.js';
import type { OsvRecord } from './osv.js';
import { severityOfRecord } from './severity/record-severity.js';
import { affectedBy } from './versions/affected.js';

/**
 * Every (package, advisory) pair where the installed version is affected, from the stored vulnerability
 * data: one lookup per ecosystem for all of the image's package names, then version ranges per package.
 */
export async function findingsFor(db: Db, inventory: Inventory): Promise<Finding[]> {
  const keyed: { pkg: InstalledPackage; key: AdvisoryKey }[] = [];
  for (const pkg of inventory.packages) {
    const key = advisoryKey(pkg, inventory.os);
    if (key) keyed.push({ pkg, key });
  }
  const byEcosystem = new Map<string, Set<string>>();
  for (const { key } of keyed) byEcosystem.set(key.ecosystem, (byEcosystem.get(key.ecosystem) ?? new Set()).add(key.name));
  const records = new Map<string, OsvRecord[]>();
  for (const [ecosystem, names] of byEcosystem) {
    for (const record of await advisoriesFor(db, ecosystem, [...names])) {
      for (const affected of record.affected ?? []) {
        if (affected.package?.ecosystem !== ecosystem) continue;
        const at = `${ecosystem}\u0000${packageName(ecosystem, affected.package.name)}`;
        const list = records.get(at) ?? [];
        if (!list.includes(record)) list.push(record);
        records.set(at, list);
      }
    }
  }
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const { pkg, key } of keyed) {
    for (const record of records.get(`${key.ecosystem}\u0000${key.name}`) ?? []) {
      const match = affectedBy(record, key.ecosystem, key.name, key.version);
      const id = `${record.id}\u0000${pkg.type}\u0000${pkg.name}\u0000${pkg.version}`;
      if (!match.affected || seen.has(id)) continue;
      seen.add(id);
      const affected = record.affected?.find((a) => a.package?.ecosystem === key.ecosystem && packageName(key.ecosystem, a.package.name) === key.name);
      findings.push(findingOf(record, pkg, key.ecosystem, match.fixedIn, severityOfRecord(record, affected)));
    }
  }
  return sortFindings(findings);
}

/** Package names as advisories are looked up: PyPI's normalised (PEP 503), others as they are. */
function packageName(ecosystem: string, name: string): string {
  return ecosystem === 'PyPI' ? normalisePythonName(name) : name;
}
