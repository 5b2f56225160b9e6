import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const MASTER_KEY_FILE = 'master.key';
const SEALED_PREFIX = 'v1.';

/**
 * What the master key is used for, each through a key of its own (HKDF): sealing stored secrets
 * (AES-256-GCM) and signing tokens (HMAC-SHA256). Every node of one registry must hold the same
 * master key; it never goes into the database, so a copy of the database reveals no secret.
 */
export class Keyring {
  private readonly sealKey: Buffer;
  private readonly tokenKey: Buffer;

  constructor(masterKey: Buffer) {
    if (masterKey.length !== 32) throw new Error('the master key must be 32 bytes');
    this.sealKey = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'berth secrets v1', 32));
    this.tokenKey = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'berth tokens v1', 32));
  }

  /** Encrypts `plaintext` for storage; `context` (such as the access key id) binds it to its row. */
  seal(plaintext: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.sealKey, iv);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return SEALED_PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  /** The plaintext of `sealed`; throws when it was sealed under another key or context, or altered. */
  unseal(sealed: string, context: string): string {
    if (!sealed.startsWith(SEALED_PREFIX)) throw new Error('not a sealed value');
    const raw = Buffer.from(sealed.slice(SEALED_PREFIX.length), 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', this.sealKey, raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }

  /** The MAC of a token's payload. */
  mac(payload: string): Buffer {
    return createHmac('sha256', this.tokenKey).update(payload).digest();
  }

  /** Whether `mac` is the MAC of `payload`, compared in constant time. */
  verifyMac(payload: string, mac: Buffer): boolean {
    const expected = this.mac(payload);
    return mac.length === expected.length && timingSafeEqual(mac, expected);
  }
}

/**
 * The configured master key, else the one in `<dataDir>/master.key` (base64, mode 0600), made on
 * first start. Throws with a one-line message when the file is unreadable or malformed.
 */
export function loadMasterKey(configured: Buffer | undefined, dataDir: string): Buffer {
  if (configured) return configured;
  const file = path.join(dataDir, MASTER_KEY_FILE);
  if (existsSync(file)) {
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length !== 32) throw new Error(`${file} does not hold a 32-byte base64 key`);
    return key;
  }
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  // 'wx': two processes starting at once never overwrite each other's key.
  try {
    writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadMasterKey(undefined, dataDir);
    throw err;
  }
  chmodSync(file, 0o600);
  return key;
}
