import { createHmac } from 'node:crypto';

/**
 * A salted, keyed hash of an identifier (HMAC-SHA256 under a secret salt from config), for links
 * that must work without the identifier: the evaluation platform ties a follow-up call to the
 * same citizen without ever learning the ID number. Deterministic per salt (so it links), useless
 * without the salt (an 18-digit ID number space is small enough to brute-force a plain hash).
 * Not for passwords or PINs: those use the staff module's per-entry salted scrypt.
 */
export function pseudonym(salt: string, value: string): string {
  if (salt.length < 16) throw new Error('the pseudonym salt must be at least 16 characters');
  // ID numbers are compared case-insensitively (check letter X) and without surrounding spaces.
  return createHmac('sha256', salt).update(value.trim().toUpperCase().normalize('NFC')).digest('hex');
}
