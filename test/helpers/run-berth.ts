// Runs the `berth` CLI from source (tests spawn this to get a real server process without a build).
import { runCli } from '../../src/cli/main.js';

process.exitCode = await runCli(process.argv.slice(2));
