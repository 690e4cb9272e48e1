import type { CentralConfig } from './config.js';
import type { CentralStore } from './store/store.js';

const day = 86_400_000;
const batch = 5_000;

export type PruneCounts = Record<string, number>;

/**
 * Deletes what is past its retention: raw heartbeats after `heartbeatDays`; events, state changes,
 * resolved alerts, finished commands, audit entries and webhook deliveries after `eventDays`;
 * screenshots beyond the newest N per kiosk; expired sessions.
 * Works in batches and yields between them so heartbeats keep flowing during a big prune.
 */
export async function prune(store: CentralStore, retention: CentralConfig['retention'], now = Date.now()): Promise<PruneCounts> {
  const hbCut = now - retention.heartbeatDays * day;
  const evCut = now - retention.eventDays * day;
  // [table, key column, WHERE, cut]: deleted by key in batches (portable: no rowid).
  const jobs: [string, string, string, number][] = [
    ['heartbeats', 'id', 'received_at < ?', hbCut],
    ['events', 'id', 'received_at < ?', evCut],
    ['state_changes', 'id', 'at < ?', evCut],
    ['alerts', 'id', 'resolved_at < ?', evCut],
    ['commands', 'id', `finished_at < ? AND status IN ('succeeded', 'failed', 'expired')`, evCut],
    ['audit_log', 'id', 'at < ?', evCut],
    ['webhook_deliveries', 'id', 'created_at < ? AND (delivered_at IS NOT NULL OR gave_up_at IS NOT NULL)', evCut],
    ['screenshots', 'id', 'at < ?', evCut],
    ['sessions', 'token_hash', 'expires_at < ?', now],
  ];
  const db = store.driver;
  const counts: PruneCounts = {};
  for (const [table, key, where, cut] of jobs) {
    let total = 0;
    for (;;) {
      const n = (
        await db.run(`DELETE FROM ${table} WHERE ${key} IN (SELECT ${key} FROM ${table} WHERE ${where} LIMIT ${batch})`, [cut])
      ).changes;
      total += n;
      if (n < batch) break;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    counts[table] = total;
  }
  counts.screenshots =
    (counts.screenshots ?? 0) +
    (
      await db.run(
        `DELETE FROM screenshots WHERE id IN (
           SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY kiosk_id ORDER BY at DESC) AS rn FROM screenshots) ranked
           WHERE rn > ?)`,
        [retention.screenshotsPerKiosk],
      )
    ).changes;
  await store.setMaintenanceValue('last_prune_at', now);
  return counts;
}

export function lastPruneAt(store: CentralStore): Promise<number | null> {
  return store.maintenanceValue('last_prune_at');
}
