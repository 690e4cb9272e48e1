import type { Db } from '@kiosk/platform';
import { pruneRetention, type PruneResult, type RetentionWindows } from './retention.js';

export interface MaintenanceReport {
  at: string;
  integrity: string;
  integrityOk: boolean;
  pruned: PruneResult;
  vacuumed: boolean;
  durationMs: number;
}

/**
 * The nightly database care: PRAGMA integrity_check, retention pruning, then VACUUM to give the
 * space back. A failed integrity check skips VACUUM (which would rewrite a damaged file) and
 * is reported for a person to act on.
 */
export function runMaintenance(db: Db, retention: RetentionWindows, now = Date.now()): MaintenanceReport {
  const started = Date.now();
  const rows = db.prepare('PRAGMA integrity_check').pluck().all() as string[];
  const integrityOk = rows.length === 1 && rows[0] === 'ok';
  const pruned = pruneRetention(db, retention, now);
  if (integrityOk) db.exec('VACUUM');
  return {
    at: new Date(now).toISOString(),
    integrity: rows.slice(0, 5).join('; '),
    integrityOk,
    pruned,
    vacuumed: integrityOk,
    durationMs: Date.now() - started,
  };
}
