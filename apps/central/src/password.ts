import { hashSecret, verifySecret } from '@kiosk/platform';

// N=2^15, r=8 (OWASP's scrypt minimum is N=2^17 with r=8, p=1 or an equivalent; 2^15 with p=1 keeps a
// login under ~100 ms on a small server while staying memory-hard at 32 MiB).
const defaults = { N: 1 << 15, r: 8, p: 1 };

/** `scrypt$N$r$p$salt$hash` (the platform's scrypt); parameters travel with the hash so they can be raised later. */
export function hashPassword(password: string, params = defaults): Promise<string> {
  return hashSecret(password, params);
}

/** Also accepts the standard-base64 hashes earlier versions printed. */
export const verifyPassword = verifySecret;
