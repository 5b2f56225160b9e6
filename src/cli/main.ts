import path from 'node:path';
import { ConfigError } from '../config/config.js';
import { flagName, loadConfig, SETTING_NAMES } from '../config/load-config.js';
import { serve } from '../main.js';
import { clientTarget } from './client/endpoint.js';
// The client commands load the AWS SDK (~20 MiB of RSS): imported where they run, not by `berth serve`.
import { ClientUsageError } from './client/usage-error.js';
import { formatGarbageReport } from './gc-report.js';
import { formatLifecycleRuns } from './lifecycle-report.js';
import { silenceSdkNodeVersionWarning } from './sdk-warning.js';

const USAGE = `usage: berth <command> [flags]

commands:
  serve      run the registry (flags: ${[...SETTING_NAMES.map((s) => `--${flagName(s)}`), '--config'].join(' ')})
  migrate    bring the database schema up to date and exit
  gc         [--dry-run] run garbage collection once and report what it freed (the server's flags)
  lifecycle  run [REPOSITORY] [--dry-run]   apply the lifecycle policies now and report what they expire
  vulndb     import PATH   load OSV vulnerability records (a directory, an OSV all.zip, a .json file)
  sbom       REPOSITORY REFERENCE [--attach]   a scanned image's CycloneDX 1.6 SBOM (--attach: as a referrer)
  login      [REGISTRY] [--endpoint URL] [--docker-config DIR]
             docker login with a fresh ECR token (AWS credentials from the standard chain)
  users      list | create NAME | delete NAME                              [--endpoint URL]
  keys       list USER | create USER | delete|activate|deactivate USER KEY_ID   [--endpoint URL]
  help       show this text

Every flag also reads from the environment as BERTH_<NAME> (see the README).`;

class UsageError extends Error {}

/** The server commands' flags: `--name value` or `--name=value`, only setting names, nothing else. */
export function parseFlags(args: string[]): Record<string, string> {
  const { flags, positional } = parseArgs(args, [...SETTING_NAMES.map(flagName), 'config']);
  if (positional.length > 0) throw new UsageError(`unexpected argument "${positional[0]}"`);
  return flags;
}

export async function runCli(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  silenceSdkNodeVersionWarning();
  try {
    switch (command) {
      case 'serve': {
        const config = loadConfig({ flags: parseFlags(rest), env: process.env, cwd: process.cwd() });
        await serve(config);
        return 0;
      }
      case 'migrate': {
        const config = loadConfig({ flags: parseFlags(rest), env: process.env, cwd: process.cwd() });
        const { migrateDatabase } = await import('../server-commands.js');
        await migrateDatabase(config);
        process.stdout.write('database schema is up to date\n');
        return 0;
      }
      case 'gc': {
        const dryRun = rest.includes('--dry-run');
        const config = loadConfig({ flags: parseFlags(rest.filter((arg) => arg !== '--dry-run')), env: process.env, cwd: process.cwd() });
        const { runGarbageCollection } = await import('../server-commands.js');
        const report = await runGarbageCollection(config, dryRun);
        if (!report) throw new Error('another garbage collection is running right now (on this or another node); try again later');
        process.stdout.write(`${formatGarbageReport(report)}\n`);
        return 0;
      }
      case 'lifecycle': {
        const [subcommand, ...args] = rest;
        if (subcommand !== 'run') throw new UsageError('usage: berth lifecycle run [REPOSITORY] [--dry-run] [flags]');
        const dryRun = args.includes('--dry-run');
        const { flags, positional } = parseArgs(args.filter((arg) => arg !== '--dry-run'), [...SETTING_NAMES.map(flagName), 'config']);
        if (positional.length > 1) throw new UsageError('usage: berth lifecycle run [REPOSITORY] [--dry-run] [flags]');
        const config = loadConfig({ flags, env: process.env, cwd: process.cwd() });
        const { runLifecycle } = await import('../server-commands.js');
        process.stdout.write(`${formatLifecycleRuns(await runLifecycle(config, positional[0], dryRun), dryRun)}\n`);
        return 0;
      }
      case 'vulndb': {
        const [subcommand, ...args] = rest;
        const { flags, positional } = parseArgs(args, [...SETTING_NAMES.map(flagName), 'config']);
        if (subcommand !== 'import' || positional.length !== 1) throw new UsageError('usage: berth vulndb import PATH [flags]');
        const config = loadConfig({ flags, env: process.env, cwd: process.cwd() });
        const { importVulnerabilityData } = await import('../server-commands.js');
        const summary = await importVulnerabilityData(config, path.resolve(positional[0]!), (line) => process.stderr.write(`${line}\n`));
        process.stdout.write(`${summary}\n`);
        return 0;
      }
      case 'sbom': {
        const attach = rest.includes('--attach');
        const { flags, positional } = parseArgs(rest.filter((arg) => arg !== '--attach'), [...SETTING_NAMES.map(flagName), 'config']);
        if (positional.length !== 2) throw new UsageError('usage: berth sbom REPOSITORY REFERENCE [--attach] [flags]');
        const config = loadConfig({ flags, env: process.env, cwd: process.cwd() });
        const { sbomOf } = await import('../server-commands.js');
        process.stdout.write(`${await sbomOf(config, positional[0]!, positional[1]!, attach)}\n`);
        return 0;
      }
      case 'login': {
        const { flags, positional } = parseArgs(rest, ['endpoint', 'docker-config']);
        if (positional.length > 1) throw new UsageError('usage: berth login [REGISTRY] [--endpoint URL] [--docker-config DIR]');
        const target = clientTarget(flags.endpoint, process.env, process.cwd());
        const { login } = await import('./client/login.js');
        process.stdout.write(`${await login(target, positional[0], flags['docker-config'] ?? process.env.DOCKER_CONFIG)}\n`);
        return 0;
      }
      case 'users':
      case 'keys': {
        const { flags, positional } = parseArgs(rest, ['endpoint']);
        const { runIamCommand } = await import('./client/iam-commands.js');
        const output = await runIamCommand(clientTarget(flags.endpoint, process.env, process.cwd()), command, positional);
        if (output) process.stdout.write(`${output}\n`);
        return 0;
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(`${USAGE}\n`);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (err) {
    if (err instanceof UsageError || err instanceof ClientUsageError) {
      process.stderr.write(`berth: ${err.message}\n${USAGE}\n`);
      return 2;
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`berth: ${err.message}\n`);
      return 1;
    }
    process.stderr.write(`berth: ${(err as Error).message}\n`);
    return 1;
  }
}

/** `--name value` and `--name=value` flags (only `known` names) and the positional arguments. */
function parseArgs(args: string[], known: readonly string[]): { flags: Record<string, string>; positional: string[] } {
  const flags: Record<string, string> = {};
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (!known.includes(name)) throw new UsageError(`unknown flag --${name}`);
    const value = eq < 0 ? args[++i] : arg.slice(eq + 1);
    if (value === undefined) throw new UsageError(`flag --${name} needs a value`);
    flags[name] = value;
  }
  return { flags, positional };
}
