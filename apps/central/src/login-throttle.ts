import type { CentralStore } from './store/store.js';

export interface LockoutPolicy {
  /** Wrong passwords in a row for one username before it is locked. */
  maxFailuresPerUser: number;
  /** Wrong passwords from one client address (any usernames) before that address is locked. */
  maxFailuresPerAddress: number;
  lockMinutes: number;
  /** Failures older than this (since the last attempt) are forgotten. */
  windowMinutes: number;
  /** Rows kept at most: keys are attacker-chosen usernames and addresses. */
  maxEntries: number;
}

export interface LoginAttempt {
  /** Call once the password check is done; a success un-counts the attempt. */
  settle(ok: boolean): Promise<void>;
}

/**
 * Failed-login counting for the dashboard, in the database so a restart does not unlock anyone and
 * every replica sees the same counts. An attempt is counted before the (slow) password hash runs,
 * by one conditional upsert per key, so parallel requests — on any replica — cannot slip past the
 * lock: the Nth concurrent attempt already sees the N-1 before it.
 */
export class LoginThrottle {
  /** Rows the table may hold now (over-estimated between prunes; the prune recounts). */
  private rows: number | undefined;

  constructor(
    private readonly store: CentralStore,
    private readonly policy: LockoutPolicy,
  ) {}

  /** Counts an attempt now; null when the username or the address is locked. */
  async begin(username: string, address: string, now = Date.now()): Promise<LoginAttempt | null> {
    const keys = [
      { key: `user:${username}`, max: this.policy.maxFailuresPerUser },
      { key: `addr:${address}`, max: this.policy.maxFailuresPerAddress },
    ];
    const db = this.store.driver;
    const locked = await db.get<{ n: number }>(
      'SELECT count(*) AS n FROM login_attempts WHERE key IN (?, ?) AND locked_until > ?',
      [keys[0]!.key, keys[1]!.key, now],
    );
    if (Number(locked?.n ?? 0) > 0) return null;
    const lockMs = this.policy.lockMinutes * 60_000;
    const windowMs = this.policy.windowMinutes * 60_000;
    const counted = await this.store.transaction(async (tx) => {
      let added = 0;
      for (const k of keys) {
        // Past both the lock and the window, old failures no longer count: start again at 1.
        const next = `CASE WHEN login_attempts.locked_until <= ? AND ? - login_attempts.last_at > ? THEN 1 ELSE login_attempts.failures + 1 END`;
        const r = await tx.get<{ failures: number }>(
          `INSERT INTO login_attempts (key, failures, locked_until, last_at) VALUES (?, 1, ?, ?)
           ON CONFLICT (key) DO UPDATE SET failures = ${next},
             locked_until = CASE WHEN ${next} >= ? THEN CAST(? AS BIGINT) ELSE 0 END, last_at = ?
           WHERE login_attempts.locked_until <= ?
           RETURNING failures`,
          [k.key, 1 >= k.max ? now + lockMs : 0, now, now, now, windowMs, now, now, windowMs, k.max, now + lockMs, now, now],
        );
        // Locked by a parallel attempt in the meantime: this one does not get to try.
        if (!r) return null;
        if (Number(r.failures) === 1) added++;
      }
      return added;
    });
    if (counted === null) return null;
    if (counted > 0) await this.grew(counted, now);
    let settled = false;
    return {
      settle: async (ok) => {
        if (settled || !ok) return;
        settled = true;
        // A good password clears the username and takes back this attempt from the address.
        await db.run('DELETE FROM login_attempts WHERE key = ?', [keys[0]!.key]);
        await db.run(
          'UPDATE login_attempts SET failures = failures - 1, locked_until = CASE WHEN failures - 1 >= ? THEN locked_until ELSE 0 END WHERE key = ? AND failures > 0',
          [keys[1]!.max, keys[1]!.key],
        );
      },
    };
  }

  /** How many rows the table holds (tests check it stays bounded). */
  async size(): Promise<number> {
    const r = await this.store.driver.get<{ n: number }>('SELECT COUNT(*) AS n FROM login_attempts');
    return Number(r?.n ?? 0);
  }

  private async grew(n: number, now: number): Promise<void> {
    this.rows = (this.rows ?? (await this.size())) + n;
    if (this.rows > this.policy.maxEntries) await this.prune(now);
  }

  private async prune(now: number): Promise<void> {
    const db = this.store.driver;
    await db.run('DELETE FROM login_attempts WHERE locked_until <= ? AND last_at < ?', [
      now,
      now - this.policy.windowMinutes * 60_000,
    ]);
    const n = await this.size();
    // Down to 90 % so a flood prunes once per many inserts, not on every one.
    const target = Math.floor(this.policy.maxEntries * 0.9);
    if (n > target) {
      // Unlocked rows go first, then the oldest: a flood of new names must not unlock real users first.
      await db.run(
        `DELETE FROM login_attempts WHERE key IN (
           SELECT key FROM login_attempts ORDER BY CASE WHEN locked_until > ? THEN 1 ELSE 0 END, last_at LIMIT ?)`,
        [now, n - target],
      );
    }
    this.rows = await this.size();
  }
}
