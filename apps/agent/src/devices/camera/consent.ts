/**
 * Capture consent. The face-check rules (人脸识别技术应用安全管理办法) require the citizen's
 * separate consent (单独同意) before a face image is taken, so the driver refuses to open the
 * camera without a consent token. A token can only come from `grantCameraConsent`, which the
 * session layer calls after the citizen tapped "同意" on the consent screen (or which an engineer's
 * CLI calls for a maintenance snapshot); `{ consent: true }` or a look-alike object is refused.
 */

type CameraConsentPurpose =
  /** A citizen agreed on screen to a face check for this session. */
  | 'faceVerification'
  /** An engineer or guide tests the camera (CLI snapshot, maintenance panel). */
  | 'maintenance'
  /** A citizen agreed on screen to have a certificate photo taken (自助照相). */
  | 'photoService';

export interface CameraConsent {
  readonly purpose: CameraConsentPurpose;
  /** Opaque session reference for the audit trail; never a name or ID number. */
  readonly sessionId: string | undefined;
  readonly grantedAt: number;
  readonly expiresAt: number;
}

export interface GrantConsentOptions {
  purpose: CameraConsentPurpose;
  sessionId?: string;
  /** How long the consent lasts; the session layer also revokes it when the session ends. */
  ttlMs?: number;
  now?: number;
}

/** Consent lasts for one face step, not the whole day. */
const defaultConsentTtlMs = 5 * 60_000;

// Module-private registries: only tokens made here are recognised, and revocation is final.
const issued = new WeakSet<CameraConsent>();
const revoked = new WeakSet<CameraConsent>();

export function grantCameraConsent(options: GrantConsentOptions): CameraConsent {
  const now = options.now ?? Date.now();
  const ttl = options.ttlMs ?? defaultConsentTtlMs;
  if (!(ttl > 0)) throw new RangeError('consent ttlMs must be positive');
  const token: CameraConsent = Object.freeze({
    purpose: options.purpose,
    sessionId: options.sessionId,
    grantedAt: now,
    expiresAt: now + ttl,
  });
  issued.add(token);
  return token;
}

/** The citizen withdrew consent, or the session ended: the token stops working at once. */
export function revokeCameraConsent(token: CameraConsent): void {
  if (issued.has(token)) revoked.add(token);
}

export type ConsentCheck = { ok: true } | { ok: false; reason: 'missing' | 'notIssued' | 'revoked' | 'expired' };

export function checkCameraConsent(token: unknown, now = Date.now()): ConsentCheck {
  if (token === undefined || token === null) return { ok: false, reason: 'missing' };
  if (typeof token !== 'object' || !issued.has(token as CameraConsent)) return { ok: false, reason: 'notIssued' };
  const t = token as CameraConsent;
  if (revoked.has(t)) return { ok: false, reason: 'revoked' };
  if (now >= t.expiresAt) return { ok: false, reason: 'expired' };
  return { ok: true };
}
