import { chmodSync, writeFileSync } from 'node:fs';
import type { KeyPair } from './access-keys.service.js';

/** Writes the key pair as an AWS shared credentials file (profile `default`), mode 0600. */
export function writeCredentialsFile(file: string, pair: KeyPair): void {
  const text = `[default]\naws_access_key_id = ${pair.accessKeyId}\naws_secret_access_key = ${pair.secretAccessKey}\n`;
  writeFileSync(file, text, { mode: 0o600 });
  chmodSync(file, 0o600);
}
