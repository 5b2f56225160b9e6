import { runCredentialHelper } from './client/credential-helper.js';
import { silenceSdkNodeVersionWarning } from './sdk-warning.js';

/** The `docker-credential-berth` command: one line of JSON (or nothing) on stdout; errors one line on stderr, exit 1. */
export async function runCredentialHelperCli(argv: string[], stdin: string): Promise<number> {
  silenceSdkNodeVersionWarning();
  try {
    const output = await runCredentialHelper(argv[0], stdin, process.env, process.cwd());
    if (output) process.stdout.write(`${output}\n`);
    return 0;
  } catch (err) {
    process.stdout.write(`${(err as Error).message}\n`);
    return 1;
  }
}
