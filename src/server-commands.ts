// The server commands of the `berth` CLI that act on a registry's data and exit (migrate, gc, lifecycle
// run, vulndb import, sbom): each composes what it needs from the same settings as `berth serve`.
import { backgroundContext } from './core/context.js';
import type { Config } from './config/config.js';
import { composeServices, openMetadata } from './compose.js';
import { runAllLifecyclePolicies, runLifecyclePolicy, type LifecycleRun } from './lifecycle/lifecycle.service.js';
import { storageUse, type StorageUse } from './metadata/storage-use.repository.js';
import type { GarbageReport } from './registry/garbage-collection.js';
import { attachSbom, imageSbom } from './scanning/sbom.service.js';
import { formatImportProgress, formatImportResult, importOsv, vulndbState } from './scanning/vulndb/import-osv.js';

/** `berth gc [--dry-run]`: one run now, with the storage use after it; undefined when another run holds the lock. */
export async function runGarbageCollection(config: Config, dryRun: boolean): Promise<(GarbageReport & { storage: StorageUse }) | undefined> {
  const services = await composeServices(config);
  try {
    const report = await services.collector.run({ dryRun, scrub: true });
    return report && { ...report, storage: await storageUse(services.metadata.db) };
  } finally {
    await services.close();
  }
}

/** `berth lifecycle run [REPOSITORY] [--dry-run]`: one repository's policy, or every repository's, now. */
export async function runLifecycle(config: Config, repository: string | undefined, dryRun: boolean): Promise<LifecycleRun[]> {
  const services = await composeServices(config);
  try {
    const { registry } = services;
    const run = async () => (repository ? [await runLifecyclePolicy(registry, repository, { dryRun })] : await runAllLifecyclePolicies(registry, { dryRun }));
    let runs: LifecycleRun[] | undefined;
    const ran = await services.metadata.runExclusive('lifecycle', async () => void (runs = await run()));
    if (!ran || !runs) throw new Error('lifecycle policies are being applied right now (on this or another node); try again later');
    return runs;
  } finally {
    await services.close();
  }
}

/**
 * `berth vulndb import PATH`: OSV records (a directory, a zip as OSV publishes them, or one file) into the
 * database the servers use; they see the new data at their next match without a restart. Progress and
 * warnings go to `report` as lines; returns the summary.
 */
export async function importVulnerabilityData(config: Config, source: string, report: (line: string) => void): Promise<string> {
  const metadata = await openMetadata(config.databaseUrl);
  try {
    const result = await importOsv(metadata, source, {
      onProgress: (progress) => report(formatImportProgress(progress)),
      onWarning: (warning) => report(`skipped ${warning.file}: ${warning.message}`),
    });
    return formatImportResult(result, await vulndbState(metadata.db));
  } finally {
    await metadata.close();
  }
}

/** `berth sbom REPOSITORY REFERENCE [--attach]`: the image's CycloneDX SBOM as JSON, or, attached as a referrer, the digests. */
export async function sbomOf(config: Config, repository: string, reference: string, attach: boolean): Promise<string> {
  const services = await composeServices(config);
  try {
    if (attach) return JSON.stringify(await attachSbom(services.registry, backgroundContext(), repository, reference));
    return JSON.stringify((await imageSbom(services.registry, repository, reference)).sbom, null, 2);
  } finally {
    await services.close();
  }
}

/** `berth migrate`: brings the database's schema to the newest migration (serve does it too, under the same lock). */
export async function migrateDatabase(config: Config): Promise<void> {
  const metadata = await openMetadata(config.databaseUrl);
  await metadata.close();
}
