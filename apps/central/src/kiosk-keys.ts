import type { Logger } from 'pino';
import type { SecretBox } from './secrets.js';
import type { CentralStore, Credentials } from './store/store.js';

export interface KioskKey {
  id: string;
  /** As stored, to notice a rotation without opening anything. */
  sealed: string;
  prevSealed: string | null;
  secret: string;
  /** The secret before the last rotation, accepted until `previousUntil`. */
  previous: string | null;
  previousUntil: number | null;
}

/** How long an id unknown to the database is not looked up again (strangers must not cost a query each). */
const missTtlMs = 2_000;

/**
 * Enrolled kiosks' secrets, opened once and kept in memory for the signature check. The
 * database is the truth: the fleet view's refresh (every second) brings rotations, enrollments and
 * disables, and a signature that does not match, or an id not known here, is looked up again at
 * once (at most every 2 s per id, so strangers cannot turn requests into queries); a disabled
 * kiosk is refused by the claim itself.
 */
export class KioskKeys {
  private readonly keys = new Map<string, KioskKey>();
  private readonly lookedUp = new Map<string, number>();

  constructor(
    private readonly store: CentralStore,
    private readonly box: SecretBox,
    private readonly log: Logger,
  ) {}

  async loadAll(): Promise<void> {
    for (const c of await this.store.allCredentials()) this.put(c);
  }

  get(id: string): KioskKey | undefined {
    return this.keys.get(id);
  }

  /** From memory, else from the database (rate-limited per id). */
  async lookup(id: string, now = Date.now()): Promise<KioskKey | undefined> {
    return this.keys.get(id) ?? this.reload(id, now);
  }

  /** Reads the kiosk's credentials again unless that was done within the last 2 s. */
  async reload(id: string, now = Date.now()): Promise<KioskKey | undefined> {
    const last = this.lookedUp.get(id);
    if (last !== undefined && now - last < missTtlMs) return this.keys.get(id);
    this.lookedUp.set(id, now);
    if (this.lookedUp.size > 10_000) this.lookedUp.clear();
    const c = await this.store.credentials(id);
    if (!c || c.enabled !== 1 || !c.secret_enc) {
      this.keys.delete(id);
      return undefined;
    }
    return this.put(c);
  }

  forget(id: string): void {
    this.keys.delete(id);
  }

  /** Follows kiosk rows read anyway (the fleet view's refresh): rotations, disables, enrollments. */
  update(rows: readonly Credentials[]): void {
    for (const r of rows) {
      const k = this.keys.get(r.id);
      if (Number(r.enabled) !== 1 || !r.secret_enc) {
        if (k) this.keys.delete(r.id);
        continue;
      }
      if (k && k.sealed === r.secret_enc && k.prevSealed === r.prev_secret_enc) continue;
      this.put(r);
    }
  }

  private put(c: Credentials): KioskKey | undefined {
    try {
      const key: KioskKey = {
        id: c.id,
        sealed: c.secret_enc!,
        prevSealed: c.prev_secret_enc,
        secret: this.box.open(c.id, c.secret_enc!),
        previous: c.prev_secret_enc ? this.box.open(c.id, c.prev_secret_enc) : null,
        previousUntil: c.prev_secret_until === null ? null : Number(c.prev_secret_until),
      };
      this.keys.set(c.id, key);
      return key;
    } catch (err) {
      // Wrong master key or a damaged row: this kiosk cannot sign in; say so without the value.
      this.log.error({ kiosk: c.id, err: (err as Error).message }, 'kiosk secret cannot be opened with this master key');
      this.keys.delete(c.id);
      return undefined;
    }
  }
}

/** The secrets a request may be signed with now. */
export function acceptedSecrets(k: KioskKey, now: number): string[] {
  return k.previous && k.previousUntil !== null && now < k.previousUntil ? [k.secret, k.previous] : [k.secret];
}
