/**
 * Salted scrypt hashes for staff PINs and staff ID numbers. Config holds only these strings
 * (`scrypt$N$r$p$<salt b64url>$<hash b64url>`), never a PIN or an ID number in clear. Each entry
 * has its own salt, so two staff with the same PIN have different entries.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const PREFIX = 'scrypt';
/** 2^14 keeps a check near 50 ms on a kiosk PC: slow for guessing, quick for a guide. */
const DEFAULT = { N: 16384, r: 8, p: 1 } as const;
const KEY_LEN = 32;

export const hashPattern = /^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9_-]{16,}\$[A-Za-z0-9_-]{40,}$/;

function scrypt(secret: string, salt: Buffer, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(secret.normalize('NFC'), salt, KEY_LEN, { ...opts, maxmem: 64 * 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export async function hashSecret(secret: string, opts: { N?: number; r?: number; p?: number } = {}): Promise<string> {
  const N = opts.N ?? DEFAULT.N;
  const r = opts.r ?? DEFAULT.r;
  const p = opts.p ?? DEFAULT.p;
  const salt = randomBytes(16);
  const key = await scrypt(secret, salt, { N, r, p });
  return [PREFIX, N, r, p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Constant-time compare; a malformed stored hash never matches (and never throws). */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  if (!hashPattern.test(stored)) return false;
  const [, n, r, p, salt, hash] = stored.split('$') as [string, string, string, string, string, string];
  const expected = Buffer.from(hash, 'base64url');
  // base64 decoding ignores the unused low bits of the last character, so a tampered last
  // character can decode to the same key: only the canonical encoding counts as this hash.
  if (expected.toString('base64url') !== hash) return false;
  try {
    const key = await scrypt(secret, Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(r), p: Number(p) });
    return key.length === expected.length && timingSafeEqual(key, expected);
  } catch {
    return false;
  }
}

/** ID numbers are compared in one form: trimmed, upper-case check letter (…042x → …042X). */
export function normalizeIdNumber(id: string): string {
  return id.trim().toUpperCase();
}

/** PINs: 4–12 digits. */
export const pinPattern = /^\d{4,12}$/;
