import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openDatabase } from '@kiosk/platform';
import { agentMigrations } from '../../apps/agent/src/store/migrations.js';
import { pruneRetention } from '../../apps/agent/src/selfcare/retention.js';
import { runMaintenance } from '../../apps/agent/src/selfcare/maintenance.js';
import { tempDir } from '../helpers/config.js';

const day = 86_400_000;
const now = Date.parse('2026-12-03T12:00:00Z');
const ago = (days: number): string => new Date(now - days * day).toISOString();

function seeded() {
  const db = openDatabase(join(tempDir('kiosk-retention-'), 'agent.db'), agentMigrations);
  const audit = db.prepare('INSERT INTO audit_log (at, actor, action, detail) VALUES (?, ?, ?, ?)');
  audit.run(ago(200), 'session', 'session.start', '{}');
  audit.run(ago(181), 'session', 'session.end', '{}');
  audit.run(ago(179), 'session', 'session.start', '{}');
  audit.run(ago(1), 'session', 'session.start', '{}');
  const boot = db.prepare('INSERT INTO boots (started_at, agent_version) VALUES (?, ?)');
  boot.run(ago(400), 'x');
  boot.run(ago(300), 'x'); // the newest boot (the running one) is kept even if old
  const job = db.prepare(
    'INSERT INTO print_jobs (kind, profile, state, byte_count, created_at, updated_at, reprint_of) VALUES (?, ?, ?, 1, ?, ?, ?)',
  );
  const oldPrinted = Number(job.run('slip', 'p', 'printed', ago(200), ago(200), null).lastInsertRowid);
  const oldUnknown = Number(job.run('slip', 'p', 'unknown', ago(200), ago(200), null).lastInsertRowid);
  const original = Number(job.run('slip', 'p', 'printed', ago(190), ago(190), null).lastInsertRowid);
  const recentReprint = Number(job.run('slip', 'p', 'printed', ago(10), ago(10), original).lastInsertRowid);
  const order = db.prepare(
    `INSERT INTO gas_orders (order_no, kiosk_id, origin_kiosk_id, state, meter_type, account_no, amount_fen, created_at, updated_at, business_date, finished_at)
     VALUES (?, 'k', 'k', ?, 'iot', 'A1', 100, ?, ?, '2026-01-01', ?)`,
  );
  const hist = db.prepare("INSERT INTO gas_order_history (order_no, at, to_state, actor) VALUES (?, ?, ?, 'engine')");
  order.run('OLD-DONE', 'done', ago(200), ago(200), ago(200));
  hist.run('OLD-DONE', ago(200), 'done');
  order.run('OLD-ATTENTION', 'needs_attention', ago(200), ago(200), null);
  hist.run('OLD-ATTENTION', ago(200), 'needs_attention');
  order.run('NEW-DONE', 'done', ago(5), ago(5), ago(5));
  return { db, ids: { oldPrinted, oldUnknown, original, recentReprint } };
}

describe('retention pruning', () => {
  it('deletes journal and audit rows older than 180 days, keeping anything unsettled', () => {
    const { db, ids } = seeded();
    const r = pruneRetention(db, { journalDays: 180, auditDays: 180 }, now);
    expect(r).toMatchObject({ audit: 2, printJobs: 1, gasOrders: 1, gasHistory: 1, boots: 1 });
    expect(db.prepare('SELECT at FROM audit_log ORDER BY at').pluck().all()).toEqual([ago(179), ago(1)]);
    const jobs = db.prepare('SELECT id FROM print_jobs ORDER BY id').pluck().all();
    // The unknown-state job needs a person; the original of a kept reprint stays with it.
    expect(jobs).toEqual([ids.oldUnknown, ids.original, ids.recentReprint]);
    expect(db.prepare('SELECT order_no FROM gas_orders ORDER BY order_no').pluck().all()).toEqual(['NEW-DONE', 'OLD-ATTENTION']);
    expect(db.prepare('SELECT order_no FROM gas_order_history').pluck().all()).toEqual(['OLD-ATTENTION']);
    expect(db.prepare('SELECT count(*) FROM boots').pluck().get()).toBe(1);
    // Idempotent.
    expect(pruneRetention(db, { journalDays: 180, auditDays: 180 }, now)).toMatchObject({
      audit: 0,
      printJobs: 0,
      gasOrders: 0,
      boots: 0,
    });
  });

  it('drops delivered 好差评 reports past the window and keeps every report still owed', () => {
    const { db } = seeded();
    const q = db.prepare(
      "INSERT INTO delivery_queue (queue, key, payload, created_at, next_attempt_at, delivered_at) VALUES ('evaluation', ?, '{}', ?, 0, ?)",
    );
    q.run('old-delivered', ago(200), ago(200));
    q.run('old-owed', ago(200), null);
    q.run('new-delivered', ago(2), ago(2));
    expect(pruneRetention(db, { journalDays: 180, auditDays: 180 }, now)).toMatchObject({ deliveries: 1 });
    expect(db.prepare('SELECT key FROM delivery_queue ORDER BY key').pluck().all()).toEqual(['new-delivered', 'old-owed']);
  });

  it('honours configured windows', () => {
    const { db } = seeded();
    const r = pruneRetention(db, { journalDays: 3650, auditDays: 2 }, now);
    expect(r).toMatchObject({ audit: 3, printJobs: 0, gasOrders: 0 });
    expect(db.prepare('SELECT count(*) FROM audit_log').pluck().get()).toBe(1);
  });

  it('nightly maintenance runs integrity_check, prunes and vacuums', () => {
    const { db } = seeded();
    const report = runMaintenance(db, { journalDays: 180, auditDays: 180 }, now);
    expect(report.integrityOk).toBe(true);
    expect(report.integrity).toBe('ok');
    expect(report.vacuumed).toBe(true);
    expect(report.pruned.audit).toBe(2);
  });
});
