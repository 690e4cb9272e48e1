import { describe, expect, it } from 'vitest';
import { hashPattern, hashSecret, normalizeIdNumber, verifySecret } from '../../apps/agent/src/staff/hash.js';
import { configSchema } from '@kiosk/kiosk-config';
import { loadConfig, defaultConfigPath } from '@kiosk/kiosk-config';
import { demoPin, staffCardId } from './helpers.js';
import { expectTamperedHashesRefused } from '../helpers/tampered-hashes.js';

describe('staff secret hashing', () => {
  it('hashes with a fresh salt and verifies only the same secret', async () => {
    const a = await hashSecret('135790', { N: 1024 });
    const b = await hashSecret('135790', { N: 1024 });
    expect(a).toMatch(hashPattern);
    expect(a).not.toBe(b);
    expect(a).not.toContain('135790');
    expect(await verifySecret('135790', a)).toBe(true);
    expect(await verifySecret('135790', b)).toBe(true);
    expect(await verifySecret('135791', a)).toBe(false);
    expect(await verifySecret('', a)).toBe(false);
  });

  it('never matches (or throws on) a malformed or tampered hash', async () => {
    const h = await hashSecret('2468', { N: 1024 });
    await expectTamperedHashesRefused(verifySecret, '2468', h);
  });

  it('id numbers compare with an upper-case check letter', async () => {
    expect(normalizeIdNumber(' 42122419580923042x ')).toBe('42122419580923042X');
    const h = await hashSecret(normalizeIdNumber('42122419580923042X'), { N: 1024 });
    expect(await verifySecret(normalizeIdNumber('42122419580923042x'), h)).toBe(true);
  });

  it('the default config holds only hashes, and they match the documented demo PIN and staff card', async () => {
    const c = loadConfig(defaultConfigPath);
    const raw = JSON.stringify(c.staff);
    expect(raw).not.toContain(demoPin);
    expect(raw).not.toContain(staffCardId);
    expect(await verifySecret(demoPin, c.staff.pins[0]!.pinHash)).toBe(true);
    expect(await verifySecret(staffCardId, c.staff.idCards[0]!.idHash)).toBe(true);
    expect(c.staff.lockoutAttempts).toBe(5);
    expect(c.staff.lockoutMinutes).toBe(15);
  });

  it('config refuses a PIN in clear', () => {
    const c = structuredClone(loadConfig(defaultConfigPath)) as unknown as { staff: { pins: unknown[] } };
    c.staff.pins = [{ staffNo: 'X1', pinHash: '246810' }];
    expect(configSchema.safeParse(c).success).toBe(false);
  });
});
