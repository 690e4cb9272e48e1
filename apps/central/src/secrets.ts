import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Kiosk secrets at rest: AES-256-GCM under a master key, with the kiosk id as associated data
 * (a sealed secret copied onto another kiosk's row does not open). Central needs the plain secret
 * to check HMACs, so it is encrypted, not hashed.
 *
 * The master key comes from `CENTRAL_MASTER_KEY` (32 bytes, base64 or hex). Without it, a single
 * central on SQLite keeps a generated key in `<dataDir>/master.key` (0600), beside the database it
 * protects — enough for the demo and a one-machine install. Replicas on PostgreSQL must share one
 * key, so there the environment variable is required.
 */
export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  static fromKey(text: string): SecretBox {
    const t = text.trim();
    const key = /^[0-9a-f]{64}$/i.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
    if (key.length !== 32) throw new Error('the master key must be 32 bytes, as 64 hex digits or base64');
    return new SecretBox(key);
  }

  /** `CENTRAL_MASTER_KEY`, else (if allowed) the key file in the data directory, created on first use. */
  static load(env: NodeJS.ProcessEnv, dataDir: string, allowKeyFile: boolean): SecretBox {
    if (env.CENTRAL_MASTER_KEY) return SecretBox.fromKey(env.CENTRAL_MASTER_KEY);
    if (!allowKeyFile) {
      throw new Error(
        'CENTRAL_MASTER_KEY must be set (32 bytes, hex or base64) when central uses PostgreSQL: all replicas need the same key',
      );
    }
    const file = join(dataDir, 'master.key');
    if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
    return SecretBox.fromKey(readFileSync(file, 'utf8'));
  }

  seal(kioskId: string, secret: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    c.setAAD(Buffer.from(kioskId, 'utf8'));
    const ct = Buffer.concat([c.update(secret, 'utf8'), c.final()]);
    return `v1:${iv.toString('base64')}:${c.getAuthTag().toString('base64')}:${ct.toString('base64')}`;
  }

  /** Throws if the value was not sealed for this kiosk with this key. */
  open(kioskId: string, sealed: string): string {
    const [v, iv, tag, ct] = sealed.split(':');
    if (v !== 'v1' || !iv || !tag || ct === undefined) throw new Error('not a sealed kiosk secret');
    const d = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
    d.setAAD(Buffer.from(kioskId, 'utf8'));
    d.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([d.update(Buffer.from(ct, 'base64')), d.final()]).toString('utf8');
  }
}

/** A fresh kiosk secret: 32 random bytes, base64url (43 characters). */
export function newKioskSecret(): string {
  return randomBytes(32).toString('base64url');
}
