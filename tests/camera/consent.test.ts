import { describe, expect, it } from 'vitest';
import {
  checkCameraConsent,
  grantCameraConsent,
  revokeCameraConsent,
  type CameraConsent,
} from '../../apps/agent/src/devices/camera/consent.js';

describe('camera consent tokens', () => {
  it('a granted token is valid until it expires', () => {
    const t = grantCameraConsent({ purpose: 'faceVerification', sessionId: 's-1', ttlMs: 1000, now: 10_000 });
    expect(t).toMatchObject({ purpose: 'faceVerification', sessionId: 's-1', grantedAt: 10_000, expiresAt: 11_000 });
    expect(checkCameraConsent(t, 10_999)).toEqual({ ok: true });
    expect(checkCameraConsent(t, 11_000)).toEqual({ ok: false, reason: 'expired' });
  });

  it('is refused when missing', () => {
    expect(checkCameraConsent(undefined)).toEqual({ ok: false, reason: 'missing' });
    expect(checkCameraConsent(null)).toEqual({ ok: false, reason: 'missing' });
  });

  it('refuses flags and look-alike objects that were not granted here', () => {
    expect(checkCameraConsent(true)).toEqual({ ok: false, reason: 'notIssued' });
    const forged: CameraConsent = {
      purpose: 'faceVerification',
      sessionId: undefined,
      grantedAt: 0,
      expiresAt: Number.MAX_SAFE_INTEGER,
    };
    expect(checkCameraConsent(forged)).toEqual({ ok: false, reason: 'notIssued' });
    expect(checkCameraConsent({ ...grantCameraConsent({ purpose: 'maintenance' }) })).toEqual({ ok: false, reason: 'notIssued' });
  });

  it('revocation is immediate and final; tokens cannot be edited', () => {
    const t = grantCameraConsent({ purpose: 'faceVerification' });
    revokeCameraConsent(t);
    expect(checkCameraConsent(t)).toEqual({ ok: false, reason: 'revoked' });
    expect(Object.isFrozen(t)).toBe(true);
  });

  it('rejects a non-positive lifetime', () => {
    expect(() => grantCameraConsent({ purpose: 'maintenance', ttlMs: 0 })).toThrow(RangeError);
  });
});
