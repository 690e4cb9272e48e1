/**
 * A lockout survives a restart: the audit log has its end time. So does the count of wrong PINs
 * (4 wrong, restart, 4 more must lock): the latest PIN outcome in the audit log says how many
 * attempts were left; a success or a lockout since resets it.
 */
import type { Db } from '@kiosk/platform';

export function restoreLockout(db: Db, lockoutAttempts: number, now: number): { failures: number; lockedUntil: number } {
  let lockedUntil = 0;
  let failures = 0;
  const lastLock = db.prepare("SELECT detail FROM audit_log WHERE action = 'staff.lockout' ORDER BY id DESC LIMIT 1").get() as
    { detail: string } | undefined;
  if (lastLock) {
    const until = Date.parse((JSON.parse(lastLock.detail) as { until?: string }).until ?? '');
    if (until > now) lockedUntil = until;
  }
  const lastPin = db
    .prepare(
      `SELECT json_extract(detail, '$.outcome') AS outcome, json_extract(detail, '$.attemptsLeft') AS left FROM audit_log
       WHERE action = 'staff.lockout' OR (action = 'staff.login' AND json_extract(detail, '$.outcome') IN ('success', 'wrongPin'))
       ORDER BY id DESC LIMIT 1`,
    )
    .get() as { outcome: string | null; left: unknown } | undefined;
  if (lastPin?.outcome === 'wrongPin' && typeof lastPin.left === 'number') failures = Math.max(0, lockoutAttempts - lastPin.left);
  return { failures, lockedUntil };
}
