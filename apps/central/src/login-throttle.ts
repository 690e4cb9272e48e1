import type { Db } from '@kiosk/platform';

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
  settle(ok: boolean): void;
}

interface Row {
  failures: number;
  locked_until: number;
  last_at: number;
}

/**
 * Failed-login counting for the dashboard, in central.db so a restart does not unlock anyone.
 * An attempt is counted synchronously before the (slow) password hash runs, so parallel requests
 * cannot all slip past the lock: the Nth concurrent attempt already sees the N-1 before it.
 */
export class LoginThrottle {
  private readonly stmts;
  private rows: number;

  constructor(
    private readonly db: Db,
    private readonly policy: LockoutPolicy,
  ) {
    this.stmts = {
      get: db.prepare<[string], Row>('SELECT failures, locked_until, last_at FROM login_attempts WHERE key = ?'),
      put: db.prepare(
        `INSERT INTO login_attempts (key, failures, locked_until, last_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until, last_at = excluded.last_at`,
      ),
      remove: db.prepare('DELETE FROM login_attempts WHERE key = ?'),
      count: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM login_attempts'),
      pruneStale: db.prepare('DELETE FROM login_attempts WHERE locked_until <= ? AND last_at < ?'),
      // Unlocked rows go first, then the oldest: a flood of new names must not unlock real users first.
      pruneOldest: db.prepare(
        'DELETE FROM login_attempts WHERE key IN (SELECT key FROM login_attempts ORDER BY (locked_until > ?), last_at LIMIT ?)',
      ),
    };
    this.rows = this.stmts.count.get()!.n;
  }

  /** Counts an attempt now; null when the username or the address is locked. */
  begin(username: string, address: string, now = Date.now()): LoginAttempt | null {
    const keys = [
      { key: `user:${username}`, max: this.policy.maxFailuresPerUser },
      { key: `addr:${address}`, max: this.policy.maxFailuresPerAddress },
    ];
    const rows = keys.map((k) => this.current(k.key, now));
    if (rows.some((r) => r.locked_until > now)) return null;
    const lockMs = this.policy.lockMinutes * 60_000;
    this.db.transaction(() => {
      keys.forEach((k, i) => {
        const failures = rows[i]!.failures + 1;
        this.write(k.key, failures, failures >= k.max ? now + lockMs : 0, now);
      });
    })();
    let settled = false;
    return {
      settle: (ok) => {
        if (settled || !ok) return;
        settled = true;
        // A good password clears the username and takes back this attempt from the address.
        this.stmts.remove.run(keys[0]!.key);
        const a = this.current(keys[1]!.key, Date.now());
        if (a.failures > 0) this.write(keys[1]!.key, a.failures - 1, a.failures - 1 >= keys[1]!.max ? a.locked_until : 0, a.last_at);
      },
    };
  }

  /** How many rows the table holds (tests check it stays bounded). */
  size(): number {
    return this.stmts.count.get()!.n;
  }

  private current(key: string, now: number): Row {
    const r = this.stmts.get.get(key);
    if (!r) return { failures: 0, locked_until: 0, last_at: 0 };
    // Past both the lock and the window, old failures no longer count.
    if (r.locked_until <= now && now - r.last_at > this.policy.windowMinutes * 60_000) return { failures: 0, locked_until: 0, last_at: 0 };
    return r;
  }

  private write(key: string, failures: number, lockedUntil: number, now: number): void {
    const isNew = !this.stmts.get.get(key);
    this.stmts.put.run(key, failures, lockedUntil, now);
    if (isNew && ++this.rows > this.policy.maxEntries) this.prune(now);
  }

  private prune(now: number): void {
    this.stmts.pruneStale.run(now, now - this.policy.windowMinutes * 60_000);
    const n = this.stmts.count.get()!.n;
    // Down to 90 % so a flood prunes once per many inserts, not on every one.
    const target = Math.floor(this.policy.maxEntries * 0.9);
    if (n > target) this.stmts.pruneOldest.run(now, n - target);
    this.rows = this.stmts.count.get()!.n;
  }
}
