import { wildcardMatcher } from '../core/wildcard.js';
import { findRegistrySetting, putRegistrySetting } from '../metadata/registry-settings.repository.js';
import type { Registry } from '../registry/registry.js';

export type ScanType = 'BASIC' | 'ENHANCED';
export type ScanFrequency = 'SCAN_ON_PUSH' | 'CONTINUOUS_SCAN' | 'MANUAL';

export interface ScanningRule {
  readonly scanFrequency: ScanFrequency;
  readonly repositoryFilters: readonly { readonly filter: string; readonly filterType: 'WILDCARD' }[];
}

/** The registry's scanning configuration (PutRegistryScanningConfiguration). */
export interface RegistryScanning {
  readonly scanType: ScanType;
  readonly rules: readonly ScanningRule[];
}

/** How one repository is scanned, all settings applied (BatchGetRepositoryScanningConfiguration). */
export interface RepositoryScanning {
  readonly scanType: ScanType;
  readonly scanOnPush: boolean;
  readonly scanFrequency: ScanFrequency;
  /** The rule filters that selected this frequency. */
  readonly appliedScanFilters: readonly { readonly filter: string; readonly filterType: 'WILDCARD' }[];
}

const SETTING = 'scanning-configuration';
const DEFAULT: RegistryScanning = { scanType: 'BASIC', rules: [] };

export async function registryScanning(registry: Registry): Promise<RegistryScanning> {
  const text = await findRegistrySetting(registry.metadata.db, SETTING);
  return text ? (JSON.parse(text) as RegistryScanning) : DEFAULT;
}

export async function setRegistryScanning(registry: Registry, config: RegistryScanning): Promise<void> {
  await putRegistrySetting(registry.metadata.db, SETTING, JSON.stringify(config), registry.clock.now().getTime());
}

/**
 * A repository's effective scanning: the first rule (continuous before on-push, as ECR ranks them) whose
 * filters match its name; with BASIC scanning, the repository's own scanOnPush too.
 */
export function repositoryScanning(config: RegistryScanning, repository: string, repositoryScanOnPush: boolean): RepositoryScanning {
  const ranked: ScanFrequency[] = config.scanType === 'ENHANCED' ? ['CONTINUOUS_SCAN', 'SCAN_ON_PUSH'] : ['SCAN_ON_PUSH'];
  for (const frequency of ranked) {
    for (const rule of config.rules.filter((r) => r.scanFrequency === frequency)) {
      const matched = rule.repositoryFilters.filter((f) => wildcardMatcher(f.filter)(repository));
      if (matched.length > 0) return { scanType: config.scanType, scanOnPush: true, scanFrequency: frequency, appliedScanFilters: matched };
    }
  }
  const onPush = config.scanType === 'BASIC' && repositoryScanOnPush;
  return { scanType: config.scanType, scanOnPush: onPush, scanFrequency: onPush ? 'SCAN_ON_PUSH' : 'MANUAL', appliedScanFilters: [] };
}
