// Records when the build was made; build-if-stale.js compares source times against it.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
writeFileSync(path.join(root, 'dist', '.build-stamp'), String(Date.now()));
