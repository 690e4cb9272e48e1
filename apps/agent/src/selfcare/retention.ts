import type { Db } from '@kiosk/platform';

export interface RetentionWindows {
  /** Print jobs, finished gas orders and their history, boots, finished remote commands, delivered reports. */
  journalDays: number;
  auditDays: number;
}

export interface PruneResult {
  audit: number;
  printJobs: number;
  gasOrders: number;
  gasHistory: number;
  boots: number;
  commands: number;
  /** Reports the delivery queue (store/delivery-queue.ts) handed over long ago. */
  deliveries: number;
}

const dayMs = 86_400_000;
const hasTable = (db: Db, name: string): boolean =>
  db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;

/** Gas orders in these states are finished for good; any other state may still need money moved. */
const finishedGasStates = ['done', 'refunded', 'payment_expired', 'payment_closed'];
/** Print jobs in these states are settled; 'unknown' stays until someone has looked at it. */
const settledJobStates = ['printed', 'failed', 'refused'];

/**
 * Deletes what is older than its retention window (journal and audit: 180 days by default). Only
 * settled records go: an order that still needs attention or a job in an unknown state is kept
 * whatever its age. One transaction, so a power cut leaves all or nothing pruned.
 */
export function pruneRetention(db: Db, windows: RetentionWindows, now = Date.now()): PruneResult {
  const journalCut = new Date(now - windows.journalDays * dayMs).toISOString();
  const auditCut = new Date(now - windows.auditDays * dayMs).toISOString();
  const result: PruneResult = { audit: 0, printJobs: 0, gasOrders: 0, gasHistory: 0, boots: 0, commands: 0, deliveries: 0 };
  db.transaction(() => {
    result.audit = db.prepare('DELETE FROM audit_log WHERE at < ?').run(auditCut).changes;
    // The newest boot is the running one, whatever its age.
    result.boots = db
      .prepare('DELETE FROM boots WHERE started_at < ? AND id < (SELECT max(id) FROM boots)')
      .run(journalCut).changes;
    if (hasTable(db, 'gas_orders')) {
      const states = finishedGasStates.map(() => '?').join(', ');
      const old = `SELECT order_no FROM gas_orders WHERE state IN (${states}) AND coalesce(finished_at, updated_at) < ?`;
      result.gasHistory = db
        .prepare(`DELETE FROM gas_order_history WHERE order_no IN (${old})`)
        .run(...finishedGasStates, journalCut).changes;
      result.gasOrders = db
        .prepare(`DELETE FROM gas_orders WHERE order_no IN (${old})`)
        .run(...finishedGasStates, journalCut).changes;
    }
    if (hasTable(db, 'print_jobs')) {
      const states = settledJobStates.map(() => '?').join(', ');
      // A kept (newer) reprint still points at its original: keep that original too.
      result.printJobs = db
        .prepare(
          `DELETE FROM print_jobs WHERE state IN (${states}) AND created_at < ?
             AND id NOT IN (SELECT reprint_of FROM print_jobs WHERE reprint_of IS NOT NULL AND NOT (state IN (${states}) AND created_at < ?))`,
        )
        .run(...settledJobStates, journalCut, ...settledJobStates, journalCut).changes;
    }
    if (hasTable(db, 'delivery_queue')) {
      // Only delivered rows: a report still owed is kept whatever its age.
      result.deliveries = db
        .prepare('DELETE FROM delivery_queue WHERE delivered_at IS NOT NULL AND delivered_at < ?')
        .run(journalCut).changes;
    }
    if (hasTable(db, 'monitor_commands')) {
      result.commands = db
        .prepare(
          "DELETE FROM monitor_commands WHERE status IN ('succeeded', 'failed') AND acked_at IS NOT NULL AND received_at < ?",
        )
        .run(journalCut).changes;
    }
  })();
  return result;
}
