import { randomBytes, scryptSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashSecret, scryptHashPattern, verifySecret } from '@kiosk/platform';
import { expectTamperedHashesRefused } from '../helpers/tampered-hashes.js';

const cheap = { N: 1024, r: 8, p: 1 };

/** A hash in the standard-base64 form central's old `hash-password` printed. */
function legacyBase64(secret: string): string {
  const salt = randomBytes(16);
  const key = scryptSync(secret, salt, 32, cheap);
  return `scrypt$1024$8$1$${salt.toString('base64')}$${key.toString('base64')}`;
}

describe('scrypt hashes', () => {
  it('new hashes are base64url, salted, and verify only the same secret', async () => {
    const a = await hashSecret('135790', cheap);
    const b = await hashSecret('135790', cheap);
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).toMatch(scryptHashPattern);
    expect(a).not.toBe(b);
    expect(await verifySecret('135790', a)).toBe(true);
    expect(await verifySecret('135791', a)).toBe(false);
  });
  it('hashes stored in the old standard-base64 encoding still verify', async () => {
    const old = legacyBase64('kiosk-ops-demo');
    expect(old).toContain('=');
    expect(old).toMatch(scryptHashPattern);
    expect(await verifySecret('kiosk-ops-demo', old)).toBe(true);
    expect(await verifySecret('kiosk-ops-dem0', old)).toBe(false);
  });
  it('a malformed, tampered or too costly hash never matches and never throws', async () => {
    const h = await hashSecret('2468', cheap);
    await expectTamperedHashesRefused(verifySecret, '2468', h);
    expect(await verifySecret('2468', h.replace('$1024$', `$${1 << 22}$`))).toBe(false);
  });
  it('secrets compare in NFC (é typed precomposed or decomposed)', async () => {
    const h = await hashSecret('caf\u00e9-pass', cheap);
    expect(await verifySecret('cafe\u0301-pass', h)).toBe(true);
  });
});
