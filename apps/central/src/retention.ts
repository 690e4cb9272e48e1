import type { Db } from '@kiosk/platform';
import type { CentralConfig } from './config.js';

const day = 86_400_000;
const batch = 5_000;

export type PruneCounts = Record<string, number>;

/**
 * Deletes what is past its retention: raw heartbeats after `heartbeatDays`; events, state changes,
 * resolved alerts, finished commands, audit entries and webhook deliveries after `eventDays`;
 * screenshots beyond the newest N per kiosk; expired sessions.
 * Works in batches and yields between them so heartbeats keep flowing during a big prune.
 */
export async function prune(db: Db, retention: CentralConfig['retention'], now = Date.now()): Promise<PruneCounts> {
  const hbCut = now - retention.heartbeatDays * day;
  const evCut = now - retention.eventDays * day;
  const jobs: [string, string, number][] = [
    ['heartbeats', 'SELECT id FROM heartbeats WHERE received_at < ? LIMIT 5000', hbCut],
    ['events', 'SELECT id FROM events WHERE received_at < ? LIMIT 5000', evCut],
    ['state_changes', 'SELECT id FROM state_changes WHERE at < ? LIMIT 5000', evCut],
    ['alerts', 'SELECT id FROM alerts WHERE resolved_at < ? LIMIT 5000', evCut],
    ['commands', `SELECT rowid AS id FROM commands WHERE finished_at < ? AND status IN ('succeeded', 'failed', 'expired') LIMIT 5000`, evCut],
    ['audit_log', 'SELECT id FROM audit_log WHERE at < ? LIMIT 5000', evCut],
    ['webhook_deliveries', 'SELECT id FROM webhook_deliveries WHERE created_at < ? AND (delivered_at IS NOT NULL OR gave_up_at IS NOT NULL) LIMIT 5000', evCut],
    ['screenshots', 'SELECT rowid AS id FROM screenshots WHERE at < ? LIMIT 5000', evCut],
    ['sessions', 'SELECT rowid AS id FROM sessions WHERE expires_at < ? LIMIT 5000', now],
  ];
  const counts: PruneCounts = {};
  for (const [table, select, cut] of jobs) {
    const del = db.prepare(`DELETE FROM ${table} WHERE rowid IN (${select})`);
    let total = 0;
    for (;;) {
      const n = del.run(cut).changes;
      total += n;
      if (n < batch) break;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    counts[table] = total;
  }
  counts.screenshots =
    (counts.screenshots ?? 0) +
    db
      .prepare(
        `DELETE FROM screenshots WHERE rowid IN (
           SELECT rowid FROM (SELECT rowid, row_number() OVER (PARTITION BY kiosk_id ORDER BY at DESC) AS rn FROM screenshots)
           WHERE rn > ?)`,
      )
      .run(retention.screenshotsPerKiosk).changes;
  db.prepare('INSERT INTO maintenance (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(
    'last_prune_at',
    now,
  );
  return counts;
}

export function lastPruneAt(db: Db): number | null {
  const r = db.prepare<[], { value: number }>(`SELECT value FROM maintenance WHERE key = 'last_prune_at'`).get();
  return r?.value ?? null;
}
