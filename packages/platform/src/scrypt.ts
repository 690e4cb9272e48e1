/**
 * Salted scrypt hashes for staff PINs, staff ID numbers and dashboard passwords, as
 * `scrypt$N$r$p$<salt>$<key>`. New hashes encode salt and key as base64url; hashes in standard
 * base64 (what central's `hash-password` printed before) still verify, so stored config stays valid.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

const KEY_LEN = 32;
/** Refuse work factors a tampered config could use to stall the process. */
const MAX_N = 1 << 20;

/** Either encoding: base64url (16+ and 40+ characters) or padded base64. */
export const scryptHashPattern =
  /^scrypt\$\d+\$\d+\$\d+\$(?:[A-Za-z0-9_-]{16,}\$[A-Za-z0-9_-]{40,}|[A-Za-z0-9+/]{16,}={0,2}\$[A-Za-z0-9+/]{40,}={0,2})$/;

function derive(secret: string, salt: Buffer, keyLen: number, { N, r, p }: ScryptParams): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(secret, salt, keyLen, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 } satisfies ScryptOptions, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

/** A fresh salt per hash, so equal secrets give different entries. Secrets are compared in NFC. */
export async function hashSecret(secret: string, params: ScryptParams): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(secret.normalize('NFC'), salt, KEY_LEN, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Constant-time compare; a malformed or tampered stored hash never matches (and never throws). */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  if (!scryptHashPattern.test(stored)) return false;
  const [, n, r, p, salt, key] = stored.split('$') as [string, string, string, string, string, string];
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  if (params.N > MAX_N || params.r > 64 || params.p > 16) return false;
  const encoding = /[+/=]/.test(salt + key) ? 'base64' : 'base64url';
  const expected = Buffer.from(key, encoding);
  // Decoding ignores the unused low bits of the last character, so a tampered last character can
  // decode to the same key: only the canonical encoding counts as this hash.
  if (expected.toString(encoding) !== key) return false;
  const saltBytes = Buffer.from(salt, encoding);
  const matches = async (s: string): Promise<boolean> => {
    const got = await derive(s, saltBytes, expected.length, params);
    return timingSafeEqual(got, expected);
  };
  try {
    if (await matches(secret.normalize('NFC'))) return true;
    // Passwords hashed before NFC was applied were hashed as typed.
    return secret !== secret.normalize('NFC') && (await matches(secret));
  } catch {
    return false;
  }
}
