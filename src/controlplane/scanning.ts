import type { EcrInput } from '../contracts/ecr-inputs.js';
import { RegistryError } from '../core/errors.js';
import { findImageRows } from '../metadata/images.repository.js';
import { resolveManifest } from '../registry/manifests.service.js';
import { existingRepository, repositorySettings, setScanOnPush } from '../registry/repositories.service.js';
import { severityCounts, type Finding } from '../scanning/findings.js';
import { findingsOfScan, requestScan, scanOf } from '../scanning/scan.service.js';
import { registryScanning, repositoryScanning, setRegistryScanning, type ScanningRule } from '../scanning/scanning-config.js';
import { accountOf, asEcr, checkRegistryId, epochSeconds, repositoryArn, type Call, type ControlPlane } from './control-plane.js';
import { decodeToken, encodeToken, pageLimit } from './pagination.js';

export async function putImageScanningConfiguration(cp: ControlPlane, _call: Call, input: EcrInput<'PutImageScanningConfiguration'>) {
  checkRegistryId(cp, input.registryId);
  const scanOnPush = input.imageScanningConfiguration.scanOnPush ?? false;
  await asEcr(cp, input.repositoryName, () => setScanOnPush(cp.registry, input.repositoryName, scanOnPush));
  return { registryId: accountOf(cp), repositoryName: input.repositoryName, imageScanningConfiguration: { scanOnPush } };
}

export async function putRegistryScanningConfiguration(cp: ControlPlane, _call: Call, input: EcrInput<'PutRegistryScanningConfiguration'>) {
  const scanType = input.scanType ?? 'BASIC';
  const rules = (input.rules ?? []) as ScanningRule[];
  for (const rule of rules) {
    const allowed = scanType === 'BASIC' ? ['SCAN_ON_PUSH', 'MANUAL'] : ['SCAN_ON_PUSH', 'CONTINUOUS_SCAN'];
    if (!allowed.includes(rule.scanFrequency)) {
      throw new RegistryError('VALIDATION', `The scan frequency ${rule.scanFrequency} is not supported for the ${scanType} scan type; use ${allowed.join(' or ')}`);
    }
  }
  await setRegistryScanning(cp.registry, { scanType, rules });
  return { registryScanningConfiguration: { scanType, rules } };
}

export async function getRegistryScanningConfiguration(cp: ControlPlane) {
  const config = await registryScanning(cp.registry);
  return { registryId: accountOf(cp), scanningConfiguration: { scanType: config.scanType, rules: config.rules } };
}

export async function batchGetRepositoryScanningConfiguration(cp: ControlPlane, _call: Call, input: EcrInput<'BatchGetRepositoryScanningConfiguration'>) {
  const config = await registryScanning(cp.registry);
  const scanningConfigurations = [];
  const failures = [];
  for (const name of input.repositoryNames) {
    try {
      const settings = await repositorySettings(cp.registry, name);
      const scanning = repositoryScanning(config, name, settings.scan_on_push === 1);
      scanningConfigurations.push({
        repositoryArn: repositoryArn(cp, name),
        repositoryName: name,
        scanOnPush: scanning.scanOnPush,
        scanFrequency: scanning.scanFrequency,
        appliedScanFilters: scanning.appliedScanFilters,
      });
    } catch (err) {
      if (!(err instanceof RegistryError) || err.code !== 'NAME_UNKNOWN') throw err;
      failures.push({ repositoryName: name, failureCode: 'REPOSITORY_NOT_FOUND', failureReason: 'REPOSITORY_NOT_FOUND' });
    }
  }
  return { scanningConfigurations, failures };
}

export async function startImageScan(cp: ControlPlane, _call: Call, input: EcrInput<'StartImageScan'>) {
  checkRegistryId(cp, input.registryId);
  const digest = await imageDigest(cp, input.repositoryName, input.imageId);
  await requestScan(cp.registry, input.repositoryName, digest);
  return {
    registryId: accountOf(cp),
    repositoryName: input.repositoryName,
    imageId: { imageDigest: digest, ...(input.imageId.imageTag !== undefined ? { imageTag: input.imageId.imageTag } : {}) },
    imageScanStatus: { status: 'IN_PROGRESS', description: 'The scan is in progress.' },
  };
}

export async function describeImageScanFindings(cp: ControlPlane, _call: Call, input: EcrInput<'DescribeImageScanFindings'>) {
  checkRegistryId(cp, input.registryId);
  const digest = await imageDigest(cp, input.repositoryName, input.imageId);
  const scan = await asEcr(cp, input.repositoryName, () => scanOf(cp.registry, input.repositoryName, digest)).catch((err: unknown) => {
    if (err instanceof RegistryError && err.code === 'SCAN_NOT_FOUND') {
      throw new RegistryError('SCAN_NOT_FOUND', `Image scan does not exist for the image with '${describeId(input.imageId)}' in the repository with name '${input.repositoryName}' in the registry with id '${accountOf(cp)}'`);
    }
    throw err;
  });
  const imageId = { imageDigest: digest, ...(input.imageId.imageTag !== undefined ? { imageTag: input.imageId.imageTag } : {}) };
  const base = { registryId: accountOf(cp), repositoryName: input.repositoryName, imageId, imageScanStatus: scanStatus(scan) };
  if (scan.status !== 'COMPLETE') return base;
  const findings = findingsOfScan(scan);
  const start = Number(decodeToken('scan-findings', input.nextToken, 1)?.[0] ?? 0);
  const limit = pageLimit(input.maxResults);
  const page = findings.slice(start, start + limit);
  const repo = await existingRepository(cp.registry, input.repositoryName);
  const [row] = await findImageRows(cp.registry.metadata.db, repo.id, [digest]);
  const completedAt = epochSeconds(scan.completed_at ?? scan.started_at);
  const image = { digest, tags: input.imageId.imageTag ? [input.imageId.imageTag] : [], pushedAt: row?.pushed_at ?? scan.started_at };
  return {
    ...base,
    imageScanFindings: {
      imageScanCompletedAt: completedAt,
      vulnerabilitySourceUpdatedAt: completedAt,
      findingSeverityCounts: severityCounts(findings),
      ...(scan.scan_type === 'ENHANCED'
        ? { enhancedFindings: page.map((f) => enhancedFinding(cp, input.repositoryName, image, f, completedAt)) }
        : { findings: page.map(basicFinding) }),
    },
    ...(start + limit < findings.length ? { nextToken: encodeToken('scan-findings', [String(start + limit)]) } : {}),
  };
}

/** DescribeImages' imageScanStatus and imageScanFindingsSummary of an image, when it has a scan. */
export function scanSummary(scan: Awaited<ReturnType<typeof scanOf>> | undefined) {
  if (!scan) return {};
  const findings = findingsOfScan(scan);
  return {
    imageScanStatus: scanStatus(scan),
    ...(scan.status === 'COMPLETE'
      ? {
          imageScanFindingsSummary: {
            imageScanCompletedAt: epochSeconds(scan.completed_at ?? scan.started_at),
            vulnerabilitySourceUpdatedAt: epochSeconds(scan.completed_at ?? scan.started_at),
            findingSeverityCounts: severityCounts(findings),
          },
        }
      : {}),
  };
}

function scanStatus(scan: { status: string; description: string | null }) {
  return { status: scan.status, ...(scan.description ? { description: scan.description } : {}) };
}

/** ECR's basic finding, with Berth's extra attributes: the fixed version, the file, the layer, the advisory and its aliases. */
function basicFinding(f: Finding) {
  const attributes: { key: string; value: string }[] = [
    { key: 'package_version', value: f.package.version },
    { key: 'package_name', value: f.package.name },
  ];
  if (f.cvss) {
    const version = f.cvss.version === '2' ? 'CVSS2' : f.cvss.version === '4' ? 'CVSS4' : 'CVSS3';
    attributes.push({ key: `${version}_VECTOR`, value: f.cvss.vector }, { key: `${version}_SCORE`, value: String(f.cvss.score) });
  }
  if (f.fixedInVersion !== undefined) attributes.push({ key: 'fixed_in_version', value: f.fixedInVersion });
  attributes.push({ key: 'file_path', value: f.package.path }, { key: 'layer_digest', value: f.package.layerDigest }, { key: 'advisory_id', value: f.advisoryId });
  if (f.aliases.length > 0) attributes.push({ key: 'aliases', value: f.aliases.join(',') });
  if (f.package.sourceName && f.package.sourceName !== f.package.name) attributes.push({ key: 'source_package', value: f.package.sourceName });
  return { name: f.name, description: f.description, uri: f.uri, severity: f.severity, attributes };
}

/** Amazon Inspector's finding shape, as ECR's enhanced scanning returns it. */
function enhancedFinding(cp: ControlPlane, repository: string, image: { digest: string; tags: string[]; pushedAt: number }, f: Finding, observedAt: number) {
  const account = accountOf(cp);
  return {
    awsAccountId: account,
    description: f.description,
    findingArn: `arn:aws:inspector2:${cp.region}:${account}:finding/${Buffer.from(`${repository}@${image.digest}/${f.advisoryId}/${f.package.name}@${f.package.version}`).toString('base64url').slice(0, 64)}`,
    firstObservedAt: observedAt,
    lastObservedAt: observedAt,
    updatedAt: observedAt,
    packageVulnerabilityDetails: {
      vulnerabilityId: f.name,
      source: f.severitySource,
      sourceUrl: f.uri,
      vendorSeverity: f.severity,
      referenceUrls: [f.uri],
      relatedVulnerabilities: f.aliases.filter((a) => a !== f.name),
      cvss: f.cvss ? [{ baseScore: f.cvss.score, scoringVector: f.cvss.vector, source: f.severitySource, version: f.cvss.version === '2' ? '2.0' : f.cvss.version === '4' ? '4.0' : '3.1' }] : [],
      vulnerablePackages: [
        {
          name: f.package.name,
          version: f.package.version,
          packageManager: PACKAGE_MANAGERS[f.package.type],
          filePath: f.package.path,
          sourceLayerHash: f.package.layerDigest,
          ...(f.fixedInVersion !== undefined ? { fixedInVersion: f.fixedInVersion } : {}),
        },
      ],
    },
    remediation: { recommendation: { text: f.fixedInVersion !== undefined ? `Upgrade ${f.package.name} to ${f.fixedInVersion} or later.` : 'None provided' } },
    resources: [
      {
        id: `arn:aws:ecr:${cp.region}:${account}:repository/${repository}/${image.digest}`,
        type: 'AWS_ECR_CONTAINER_IMAGE',
        details: { awsEcrContainerImage: { imageHash: image.digest, imageTags: image.tags, pushedAt: epochSeconds(image.pushedAt), registry: account, repositoryName: repository } },
      },
    ],
    ...(f.cvss ? { score: f.cvss.score, scoreDetails: { cvss: { score: f.cvss.score, scoringVector: f.cvss.vector, scoreSource: f.severitySource, version: f.cvss.version === '4' ? '4.0' : '3.1', adjustments: [] } } } : {}),
    severity: f.severity,
    status: 'ACTIVE',
    title: `${f.name} - ${f.package.name}`,
    type: 'PACKAGE_VULNERABILITY',
    fixAvailable: f.fixedInVersion !== undefined ? 'YES' : 'NO',
  };
}

const PACKAGE_MANAGERS: Record<Finding['package']['type'], string> = { dpkg: 'OS', apk: 'OS', rpm: 'OS', npm: 'NODEPKG', python: 'PYTHONPKG' };

/** The digest an imageId names in the repository (ImageNotFoundException otherwise). */
async function imageDigest(cp: ControlPlane, repository: string, imageId: { imageDigest?: string; imageTag?: string }): Promise<string> {
  const reference = imageId.imageDigest ?? imageId.imageTag;
  if (reference === undefined) throw new RegistryError('INVALID_PARAMETER', 'Invalid parameter: an imageId needs an imageDigest or an imageTag');
  const manifest = await asEcr(cp, repository, () => resolveManifest(cp.registry, repository, reference)).catch((err: unknown) => {
    if (err instanceof RegistryError && (err.code === 'MANIFEST_UNKNOWN' || err.code === 'DIGEST_INVALID' || err.code === 'TAG_INVALID')) {
      throw new RegistryError('MANIFEST_UNKNOWN', `The image with imageId {${describeId(imageId)}} does not exist within the repository with name '${repository}' in the registry with id '${accountOf(cp)}'`);
    }
    throw err;
  });
  if (imageId.imageDigest !== undefined && imageId.imageTag !== undefined) {
    const tagged = await resolveManifest(cp.registry, repository, imageId.imageTag).catch(() => undefined);
    if (tagged?.digest !== manifest.digest) throw new RegistryError('MANIFEST_UNKNOWN', `The image with imageId {${describeId(imageId)}} does not exist within the repository with name '${repository}' in the registry with id '${accountOf(cp)}'`);
  }
  return manifest.digest;
}

function describeId(imageId: { imageDigest?: string; imageTag?: string }): string {
  return [imageId.imageDigest && `imageDigest:'${imageId.imageDigest}'`, imageId.imageTag && `imageTag:'${imageId.imageTag}'`].filter(Boolean).join(', ');
}

