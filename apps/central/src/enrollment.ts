import { newKioskSecret, type SecretBox } from './secrets.js';
import type { CentralConfig } from './config.js';
import type { CentralStore, EnrolledKiosk } from './store/store.js';

const unassignedSite = '未分组 Unassigned';
const kioskId = /^[A-Za-z0-9._-]{1,64}$/;

class EnrollmentError extends Error {}

/**
 * Kiosk enrollment: kiosks and their secrets live in the store, sealed with the master key.
 * Used by the `kiosk-central` CLI and, for the kiosks a config file still lists (the demo kiosk),
 * at central's start.
 */
export class Enrollment {
  constructor(
    private readonly store: CentralStore,
    private readonly box: SecretBox,
  ) {}

  /** Enrolls a new kiosk and returns its fresh secret (shown once, stored only sealed). */
  async add(k: { id: string; site?: string | undefined; name?: string | undefined }, now = Date.now()): Promise<string> {
    if (!kioskId.test(k.id)) throw new EnrollmentError(`kiosk id must be 1–64 letters, digits, dot, dash or underscore: ${k.id}`);
    const existing = await this.store.credentials(k.id);
    if (existing?.secret_enc) throw new EnrollmentError(`kiosk ${k.id} is already enrolled (use rotate-secret for a new secret)`);
    const secret = newKioskSecret();
    await this.store.enroll(
      { id: k.id, site: k.site ?? unassignedSite, name: k.name ?? null, secretEnc: this.box.seal(k.id, secret) },
      now,
      false,
    );
    await this.store.audit('cli', 'kiosk.enrolled', k.id, { site: k.site ?? null, name: k.name ?? null }, now);
    return secret;
  }

  /** A new secret; the old one stays valid for `graceMs` so the kiosk can be updated meanwhile. */
  async rotate(id: string, graceMs: number, now = Date.now()): Promise<string> {
    const secret = newKioskSecret();
    if (!(await this.store.rotateSecret(id, this.box.seal(id, secret), now + graceMs, now))) {
      throw new EnrollmentError(`kiosk ${id} is not enrolled or is disabled`);
    }
    await this.store.audit('cli', 'kiosk.secret-rotated', id, { graceMs }, now);
    return secret;
  }

  /** The kiosk can no longer sign in; its history stays. */
  async disable(id: string, now = Date.now()): Promise<void> {
    if (!(await this.store.setEnabled(id, false, now))) throw new EnrollmentError(`kiosk ${id} is not enrolled`);
    await this.store.audit('cli', 'kiosk.disabled', id, {}, now);
  }

  list(): Promise<EnrolledKiosk[]> {
    return this.store.listEnrolled();
  }

  /** Kiosks named in the config file (with their secret) are enrolled if they are not yet. */
  async enrollConfigured(kiosks: CentralConfig['kiosks'], now = Date.now()): Promise<number> {
    if (!kiosks.length) return 0;
    return this.store.transaction(async (tx) => {
      let n = 0;
      for (const k of kiosks) {
        const row = {
          id: k.id,
          site: k.site ?? unassignedSite,
          name: k.name ?? null,
          secretEnc: this.box.seal(k.id, k.secret),
          offlineAfterMissed: k.offlineAfterMissed,
        };
        if (await this.store.enroll(row, now, true, tx)) n++;
      }
      return n;
    });
  }
}
