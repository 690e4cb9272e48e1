/**
 * Salted scrypt hashes for staff PINs and staff ID numbers (the platform's scrypt). Config holds
 * only these strings (`scrypt$N$r$p$<salt b64url>$<hash b64url>`), never a PIN or an ID number in
 * clear. Each entry has its own salt, so two staff with the same PIN have different entries.
 */
import { hashSecret as platformHash, scryptHashPattern } from '@kiosk/platform';

export { verifySecret } from '@kiosk/platform';

/** 2^14 keeps a check near 50 ms on a kiosk PC: slow for guessing, quick for a guide. */
const DEFAULT = { N: 16384, r: 8, p: 1 } as const;

export const hashPattern = scryptHashPattern;

export function hashSecret(secret: string, opts: { N?: number; r?: number; p?: number } = {}): Promise<string> {
  return platformHash(secret, { N: opts.N ?? DEFAULT.N, r: opts.r ?? DEFAULT.r, p: opts.p ?? DEFAULT.p });
}

/** ID numbers are compared in one form: trimmed, upper-case check letter (…042x → …042X). */
export function normalizeIdNumber(id: string): string {
  return id.trim().toUpperCase();
}

/** PINs: 4–12 digits. */
export const pinPattern = /^\d{4,12}$/;
