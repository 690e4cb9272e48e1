import type { CommandStatus } from '@kiosk/contracts/central-dashboard';
import type { SqlDriver, SqlExec } from './driver.js';
import { migrateStore } from './migrations.js';
import { PgDriver } from './pg-driver.js';
import { SqliteDriver } from './sqlite-driver.js';
import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Central's persistence: every statement central runs, over one `SqlDriver` (SQLite or
 * PostgreSQL). Parts of central (fleet, alerts, commands, sessions, webhook, retention) call these
 * methods; none of them holds the truth in memory. Methods take an optional `db` so a caller can
 * run several inside one transaction.
 *
 * Everything that must happen once when several replicas share the database is a conditional
 * statement here: claiming a sequence number, inserting an event, opening an alert, handing out a
 * command, counting a failed login.
 */

export type FleetStateName = 'online' | 'warning' | 'error' | 'offline';

export interface KioskDbRow {
  id: string;
  site: string;
  name: string | null;
  first_seen_at: number | null;
  last_seen_at: number | null;
  last_request_seq: number;
  last_event_seq: number;
  interval_ms: number | null;
  state: FleetStateName;
  state_since: number | null;
  conditions: string;
  last_heartbeat: string | null;
  boot_id: string | null;
  boot_counters: string | null;
  totals: string;
  offline_after_missed: number | null;
  enabled: number;
  updated_at: number;
  secret_enc: string | null;
  prev_secret_enc: string | null;
  prev_secret_until: number | null;
}

/** What a claimed request needs to know about its kiosk (one round trip with the claim). */
export interface ClaimedKiosk {
  site: string;
  name: string | null;
  first_seen_at: number | null;
  last_event_seq: number;
  state: FleetStateName;
  state_since: number | null;
  conditions: string;
  boot_id: string | null;
  boot_counters: string | null;
  totals: string;
  open_commands: number;
  open_alerts: number;
}

export interface Credentials {
  id: string;
  secret_enc: string | null;
  prev_secret_enc: string | null;
  prev_secret_until: number | null;
  enabled: number;
}

export interface EnrolledKiosk {
  id: string;
  site: string;
  name: string | null;
  enabled: number;
  enrolled_at: number | null;
  last_seen_at: number | null;
  state: FleetStateName;
  prev_secret_until: number | null;
}

export interface StateChange {
  kioskId: string;
  /** null: the kiosk's first state. */
  from: FleetStateName | null;
  to: FleetStateName;
  /** The conditions behind it, JSON. */
  reasons: string;
  at: number;
}

export interface BeatWrite {
  kioskId: string;
  at: number;
  seq: number;
  raw: string;
  firstSeenAt: number;
  intervalMs: number;
  bootId: string;
  bootCounters: string;
  totals: string;
  conditions: string;
}

export interface AlertDbRow {
  id: number;
  kiosk_id: string;
  code: string;
  severity: 'warning' | 'error';
  source: 'heartbeat' | 'event' | 'central';
  message: string;
  opened_at: number;
  last_at: number;
  occurrences: number;
  resolved_at: number | null;
  acked_at: number | null;
  acked_by: string | null;
  suppressed: number;
}

export interface CommandDbRow {
  id: string;
  kiosk_id: string;
  kind: string;
  message: string | null;
  issued_by: string;
  issued_at: number;
  expires_at: number;
  status: CommandStatus;
  delivered_at: number | null;
  finished_at: number | null;
  detail: string | null;
  screenshot_id: string | null;
}

const openStatuses = `('queued', 'delivered', 'waiting', 'running')`;
const kioskColumns = `id, site, name, first_seen_at, last_seen_at, last_request_seq, last_event_seq, interval_ms, state, state_since,
  conditions, last_heartbeat, boot_id, boot_counters, totals, offline_after_missed, enabled, updated_at,
  secret_enc, prev_secret_enc, prev_secret_until`;

export interface OpenStoreOptions {
  /** `postgres://…`: PostgreSQL; absent: SQLite file `<dataDir>/central.db`. */
  databaseUrl?: string | undefined;
  dataDir: string;
}

/**
 * PostgreSQL's group commit: all raw heartbeats in multi-row INSERTs, the kiosk rows in one
 * UPDATE … FROM (VALUES …) with the newest beat per kiosk (explicit casts: VALUES has no column
 * types to infer from).
 */
async function writeBeatsSetWise(tx: SqlExec, beats: readonly BeatWrite[]): Promise<void> {
  const chunk = 500;
  for (let i = 0; i < beats.length; i += chunk) {
    const part = beats.slice(i, i + chunk);
    await tx.run(
      `INSERT INTO heartbeats (kiosk_id, received_at, seq, body) VALUES ${part.map(() => '(?, ?, ?, ?)').join(', ')}`,
      part.flatMap((b) => [b.kioskId, b.at, b.seq, b.raw]),
    );
  }
  const newest = new Map<string, BeatWrite>();
  for (const b of beats) if ((newest.get(b.kioskId)?.at ?? -1) <= b.at) newest.set(b.kioskId, b);
  const rows = [...newest.values()];
  for (let i = 0; i < rows.length; i += chunk) {
    const part = rows.slice(i, i + chunk);
    await tx.run(
      `UPDATE kiosks AS k SET first_seen_at = COALESCE(k.first_seen_at, v.first_seen_at), last_seen_at = v.at,
         interval_ms = v.interval_ms, last_heartbeat = v.raw, boot_id = v.boot_id, boot_counters = v.boot_counters,
         totals = v.totals, conditions = v.conditions, updated_at = v.at
       FROM (VALUES ${part.map(() => '(?::text, ?::bigint, ?::bigint, ?::bigint, ?::text, ?::text, ?::text, ?::text, ?::text)').join(', ')})
         AS v(id, first_seen_at, at, interval_ms, raw, boot_id, boot_counters, totals, conditions)
       WHERE k.id = v.id AND (k.last_seen_at IS NULL OR k.last_seen_at <= v.at)`,
      part.flatMap((b) => [
        b.kioskId,
        b.firstSeenAt,
        b.at,
        b.intervalMs,
        b.raw,
        b.bootId,
        b.bootCounters,
        b.totals,
        b.conditions,
      ]),
    );
  }
}

export class CentralStore {
  constructor(readonly driver: SqlDriver) {}

  static async open(opts: OpenStoreOptions): Promise<CentralStore> {
    let driver: SqlDriver;
    if (opts.databaseUrl) {
      driver = new PgDriver({ url: opts.databaseUrl });
    } else {
      mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
      chmodSync(opts.dataDir, 0o700);
      const file = join(opts.dataDir, 'central.db');
      // Owner only, like the agent's database: created 0600 before SQLite opens it (-wal/-shm follow).
      closeSync(openSync(file, 'a', 0o600));
      for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
      const db = new Database(file);
      db.pragma('journal_mode = WAL');
      db.pragma('busy_timeout = 5000');
      // Monitoring data, not money: a power cut may lose the last second of heartbeats, and WAL with
      // NORMAL skips the fsync per commit that would cap central at a few hundred beats a second.
      db.pragma('synchronous = NORMAL');
      driver = new SqliteDriver(db);
    }
    try {
      await migrateStore(driver);
    } catch (err) {
      await driver.close();
      throw err;
    }
    return new CentralStore(driver);
  }

  get dialect(): SqlDriver['dialect'] {
    return this.driver.dialect;
  }

  transaction<T>(fn: (tx: SqlExec) => Promise<T>): Promise<T> {
    return this.driver.transaction(fn);
  }

  close(): Promise<void> {
    return this.driver.close();
  }

  /**
   * Read-only portable SQL for reports (charts): `?` placeholders, numbers for times. Refuses
   * anything but a single SELECT / WITH statement.
   */
  async queryRows(sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
    const s = sql.trim().replace(/;\s*$/, '');
    if (!/^(select|with)\b/i.test(s) || s.includes(';')) throw new Error('queryRows takes one SELECT statement');
    if (this.driver instanceof PgDriver) {
      return this.driver.transaction(async (tx) => {
        await tx.run('SET TRANSACTION READ ONLY');
        return tx.all(s, params);
      });
    }
    return this.driver.all(s, params);
  }

  // ---- kiosks and enrollment ----

  /** Enrolls a kiosk; with `onlyIfMissing`, an existing enrollment (or a disabled kiosk) is left alone. */
  async enroll(
    k: { id: string; site: string; name: string | null; secretEnc: string; offlineAfterMissed?: number | undefined },
    now: number,
    onlyIfMissing: boolean,
    db: SqlExec = this.driver,
  ): Promise<boolean> {
    const r = await db.run(
      `INSERT INTO kiosks (id, site, name, secret_enc, enrolled_at, offline_after_missed, enabled, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, 1, ?)
       ON CONFLICT (id) DO UPDATE SET site = excluded.site, name = excluded.name, secret_enc = excluded.secret_enc,
         enrolled_at = excluded.enrolled_at, offline_after_missed = excluded.offline_after_missed, enabled = 1,
         prev_secret_enc = NULL, prev_secret_until = NULL, updated_at = excluded.updated_at
       ${onlyIfMissing ? 'WHERE kiosks.secret_enc IS NULL AND kiosks.enabled = 1' : ''}`,
      [k.id, k.site, k.name, k.secretEnc, now, k.offlineAfterMissed ?? null, now],
    );
    return r.changes > 0;
  }

  async rotateSecret(id: string, secretEnc: string, previousValidUntil: number, now: number): Promise<boolean> {
    const r = await this.driver.run(
      `UPDATE kiosks SET prev_secret_enc = secret_enc, prev_secret_until = ?, secret_enc = ?, updated_at = ?
       WHERE id = ? AND secret_enc IS NOT NULL AND enabled = 1`,
      [previousValidUntil, secretEnc, now, id],
    );
    return r.changes > 0;
  }

  async setEnabled(id: string, enabled: boolean, now: number): Promise<boolean> {
    const r = await this.driver.run('UPDATE kiosks SET enabled = ?, updated_at = ? WHERE id = ?', [enabled ? 1 : 0, now, id]);
    return r.changes > 0;
  }

  listEnrolled(): Promise<EnrolledKiosk[]> {
    return this.driver.all<EnrolledKiosk>(
      `SELECT id, site, name, enabled, enrolled_at, last_seen_at, state, prev_secret_until FROM kiosks
       WHERE secret_enc IS NOT NULL ORDER BY site, id`,
    );
  }

  credentials(id: string): Promise<Credentials | undefined> {
    return this.driver.get<Credentials>(
      'SELECT id, secret_enc, prev_secret_enc, prev_secret_until, enabled FROM kiosks WHERE id = ?',
      [id],
    );
  }

  allCredentials(): Promise<Credentials[]> {
    return this.driver.all<Credentials>(
      'SELECT id, secret_enc, prev_secret_enc, prev_secret_until, enabled FROM kiosks WHERE secret_enc IS NOT NULL AND enabled = 1',
    );
  }

  /** Enrolled kiosks whose row changed at or after `since` (all of them for 0): ids and versions only. */
  kioskVersionsSince(since: number): Promise<{ id: string; updated_at: number }[]> {
    return this.driver.all(`SELECT id, updated_at FROM kiosks WHERE updated_at >= ? AND secret_enc IS NOT NULL`, [since]);
  }

  /** Full rows of these kiosks. */
  async kioskRows(ids: readonly string[]): Promise<KioskDbRow[]> {
    const out: KioskDbRow[] = [];
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      out.push(
        ...(await this.driver.all<KioskDbRow>(
          `SELECT ${kioskColumns} FROM kiosks WHERE id IN (${chunk.map(() => '?').join(', ')})`,
          chunk,
        )),
      );
    }
    return out;
  }

  kioskRow(id: string, db: SqlExec = this.driver): Promise<KioskDbRow | undefined> {
    return db.get<KioskDbRow>(`SELECT ${kioskColumns} FROM kiosks WHERE id = ?`, [id]);
  }

  /**
   * Replay protection in the database: the request's seq is taken only if it is above the
   * kiosk's watermark, atomically, so the same signed request accepted by one replica is refused
   * by every other. Returns the kiosk's current facts, or undefined when refused (replay or
   * disabled; `refusal` tells which).
   */
  claimSeq(id: string, seq: number, watermark: 'request' | 'wait'): Promise<ClaimedKiosk | undefined> {
    const col = watermark === 'wait' ? 'last_wait_seq' : 'last_request_seq';
    return this.driver.relaxed.get<ClaimedKiosk>(
      `UPDATE kiosks SET ${col} = ? WHERE id = ? AND enabled = 1 AND ${col} < ?
       RETURNING site, name, first_seen_at, last_event_seq, state, state_since, conditions, boot_id, boot_counters, totals,
         (SELECT count(*) FROM commands c WHERE c.kiosk_id = kiosks.id AND c.status IN ${openStatuses}) AS open_commands,
         (SELECT count(*) FROM alerts a WHERE a.kiosk_id = kiosks.id AND a.resolved_at IS NULL) AS open_alerts`,
      [seq, id, seq],
    );
  }

  async refusal(id: string, watermark: 'request' | 'wait'): Promise<{ enabled: boolean; watermark: number } | undefined> {
    const col = watermark === 'wait' ? 'last_wait_seq' : 'last_request_seq';
    const r = await this.driver.get<{ enabled: number; w: number }>(`SELECT enabled, ${col} AS w FROM kiosks WHERE id = ?`, [id]);
    return r ? { enabled: r.enabled === 1, watermark: Number(r.w) } : undefined;
  }

  /** Heartbeats whose figures changed nothing else, written together (group commit). */
  async writeBeats(beats: readonly BeatWrite[]): Promise<void> {
    if (!beats.length) return;
    const write = async (db: SqlExec): Promise<void> => {
      for (const b of beats) {
        await db.run('INSERT INTO heartbeats (kiosk_id, received_at, seq, body) VALUES (?, ?, ?, ?)', [
          b.kioskId,
          b.at,
          b.seq,
          b.raw,
        ]);
        // Figures only; a state change is written by setState. Older beats never overwrite newer ones.
        await db.run(
          `UPDATE kiosks SET first_seen_at = CASE WHEN first_seen_at IS NULL THEN ? ELSE first_seen_at END, last_seen_at = ?,
             interval_ms = ?, last_heartbeat = ?, boot_id = ?, boot_counters = ?, totals = ?, conditions = ?, updated_at = ?
           WHERE id = ? AND (last_seen_at IS NULL OR last_seen_at <= ?)`,
          [b.firstSeenAt, b.at, b.intervalMs, b.raw, b.bootId, b.bootCounters, b.totals, b.conditions, b.at, b.kioskId, b.at],
        );
      }
    };
    // SQLite: statements join the open group transaction (each costs microseconds). PostgreSQL:
    // one transaction of a few set-wise statements, since every statement there is a round trip.
    if (this.driver instanceof SqliteDriver) await write(this.driver.relaxed);
    else await this.driver.transaction((tx) => writeBeatsSetWise(tx, beats));
  }

  /** Records a kiosk's state change (history, charts) without touching the kiosk row. */
  async insertStateChange(c: StateChange, db: SqlExec): Promise<void> {
    await db.run('INSERT INTO state_changes (kiosk_id, at, from_state, to_state, conditions) VALUES (?, ?, ?, ?, ?)', [
      c.kioskId,
      c.at,
      c.from,
      c.to,
      c.reasons,
    ]);
  }

  /** Records the change and moves the kiosk to its new state. */
  async setState(c: StateChange, db: SqlExec): Promise<void> {
    await this.insertStateChange(c, db);
    await db.run('UPDATE kiosks SET state = ?, state_since = ?, updated_at = ? WHERE id = ?', [c.to, c.at, c.at, c.kioskId]);
  }

  /** Kiosks silent for longer than their allowed missed beats (counted from `startedAt` at the earliest). */
  offlineCandidates(
    now: number,
    startedAt: number,
    defaults: { offlineAfterMissed: number; intervalMs: number },
  ): Promise<{ id: string; state: FleetStateName; last_seen_at: number }[]> {
    return this.driver.all(
      `SELECT id, state, last_seen_at FROM kiosks
       WHERE state <> 'offline' AND last_seen_at IS NOT NULL AND enabled = 1
         AND ? > (CASE WHEN last_seen_at > ? THEN last_seen_at ELSE ? END)
                 + COALESCE(offline_after_missed, ?) * COALESCE(interval_ms, ?)`,
      [now, startedAt, startedAt, defaults.offlineAfterMissed, defaults.intervalMs],
    );
  }

  /**
   * Sets a kiosk offline only if it still is not and no beat came since it was picked: replicas
   * may sweep at once, and each kiosk goes offline for exactly one of them.
   */
  async claimOffline(id: string, now: number, lastSeenBefore: number, db: SqlExec): Promise<boolean> {
    const r = await db.run(
      `UPDATE kiosks SET state = 'offline', state_since = ?, updated_at = ? WHERE id = ? AND state <> 'offline' AND last_seen_at <= ?`,
      [now, now, id, lastSeenBefore],
    );
    return r.changes > 0;
  }

  // ---- events ----

  /** Inserts an event once per (kiosk, seq); false when it was there already (applied before). */
  async insertEvent(
    e: { kioskId: string; seq: number; type: string; at: string; receivedAt: number; payload: string },
    db: SqlExec,
  ): Promise<boolean> {
    const r = await db.run(
      `INSERT INTO events (kiosk_id, seq, type, at, received_at, payload) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (kiosk_id, seq) DO NOTHING`,
      [e.kioskId, e.seq, e.type, e.at, e.receivedAt, e.payload],
    );
    return r.changes > 0;
  }

  /** Moves the applied-events watermark up (never down); returns the watermark now. */
  async raiseEventSeq(id: string, seq: number, now: number, db: SqlExec): Promise<number> {
    await db.run(`UPDATE kiosks SET last_event_seq = ?, updated_at = ? WHERE id = ? AND last_event_seq < ?`, [seq, now, id, seq]);
    const r = await db.get<{ s: number }>('SELECT last_event_seq AS s FROM kiosks WHERE id = ?', [id]);
    return Number(r?.s ?? 0);
  }

  recentEvents(
    id: string,
    limit: number,
  ): Promise<{ seq: number; type: string; at: string; received_at: number; payload: string }[]> {
    return this.driver.all(
      'SELECT seq, type, at, received_at, payload FROM events WHERE kiosk_id = ? ORDER BY seq DESC LIMIT ?',
      [id, limit],
    );
  }

  recentStateChanges(
    id: string,
    limit: number,
  ): Promise<{ at: number; from_state: string | null; to_state: string; conditions: string }[]> {
    return this.driver.all(
      'SELECT at, from_state, to_state, conditions FROM state_changes WHERE kiosk_id = ? ORDER BY at DESC, id DESC LIMIT ?',
      [id, limit],
    );
  }

  // ---- alerts ----

  openAlerts(kioskId: string | null, db: SqlExec = this.driver): Promise<AlertDbRow[]> {
    return kioskId === null
      ? db.all<AlertDbRow>('SELECT * FROM alerts WHERE resolved_at IS NULL ORDER BY opened_at DESC, id DESC')
      : db.all<AlertDbRow>('SELECT * FROM alerts WHERE kiosk_id = ? AND resolved_at IS NULL ORDER BY id', [kioskId]);
  }

  openAlertCounts(): Promise<{ kiosk_id: string; n: number }[]> {
    return this.driver.all('SELECT kiosk_id, count(*) AS n FROM alerts WHERE resolved_at IS NULL GROUP BY kiosk_id');
  }

  /** Opens an alert unless one is open for (kiosk, code): the partial unique index decides, not memory. */
  async openAlert(
    a: { kioskId: string; code: string; severity: string; source: string; message: string; now: number; suppressed: boolean },
    db: SqlExec,
  ): Promise<number | undefined> {
    const r = await db.get<{ id: number }>(
      `INSERT INTO alerts (kiosk_id, code, severity, source, message, opened_at, last_at, suppressed) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (kiosk_id, code) WHERE resolved_at IS NULL DO NOTHING RETURNING id`,
      [a.kioskId, a.code, a.severity, a.source, a.message, a.now, a.now, a.suppressed ? 1 : 0],
    );
    return r ? Number(r.id) : undefined;
  }

  async updateAlert(
    id: number,
    severity: string,
    message: string,
    now: number,
    addOccurrences: number,
    db: SqlExec,
  ): Promise<void> {
    await db.run('UPDATE alerts SET severity = ?, message = ?, last_at = ?, occurrences = occurrences + ? WHERE id = ?', [
      severity,
      message,
      now,
      addOccurrences,
      id,
    ]);
  }

  /** True for the one caller that resolved it. */
  async resolveAlert(id: number, now: number, db: SqlExec): Promise<boolean> {
    return (await db.run('UPDATE alerts SET resolved_at = ? WHERE id = ? AND resolved_at IS NULL', [now, id])).changes > 0;
  }

  async ackAlert(id: number, user: string, now: number, db: SqlExec): Promise<boolean> {
    return (
      (await db.run('UPDATE alerts SET acked_at = ?, acked_by = ? WHERE id = ? AND acked_at IS NULL', [now, user, id])).changes >
      0
    );
  }

  alert(id: number, db: SqlExec = this.driver): Promise<AlertDbRow | undefined> {
    return db.get<AlertDbRow>('SELECT * FROM alerts WHERE id = ?', [id]);
  }

  async openingsSince(kioskId: string, code: string, since: number, db: SqlExec): Promise<number> {
    const r = await db.get<{ n: number }>('SELECT count(*) AS n FROM alerts WHERE kiosk_id = ? AND code = ? AND opened_at >= ?', [
      kioskId,
      code,
      since,
    ]);
    return Number(r?.n ?? 0);
  }

  recentAlerts(limit: number, kioskId?: string): Promise<AlertDbRow[]> {
    return kioskId
      ? this.driver.all<AlertDbRow>('SELECT * FROM alerts WHERE kiosk_id = ? ORDER BY opened_at DESC, id DESC LIMIT ?', [
          kioskId,
          limit,
        ])
      : this.driver.all<AlertDbRow>('SELECT * FROM alerts ORDER BY opened_at DESC, id DESC LIMIT ?', [limit]);
  }

  // ---- commands ----

  async insertCommand(
    c: { id: string; kioskId: string; kind: string; message: string | null; user: string; now: number; expiresAt: number },
    db: SqlExec,
  ): Promise<void> {
    await db.run(
      `INSERT INTO commands (id, kiosk_id, kind, message, issued_by, issued_at, expires_at, status) VALUES (?, ?, ?, ?, ?, ?, ?, 'queued')`,
      [c.id, c.kioskId, c.kind, c.message, c.user, c.now, c.expiresAt],
    );
  }

  deliverable(kioskId: string, db: SqlExec): Promise<CommandDbRow[]> {
    return db.all<CommandDbRow>(
      `SELECT * FROM commands WHERE kiosk_id = ? AND status IN ('queued', 'delivered') ORDER BY issued_at, id`,
      [kioskId],
    );
  }

  async markDelivered(id: string, now: number, db: SqlExec): Promise<boolean> {
    return (
      (await db.run(`UPDATE commands SET status = 'delivered', delivered_at = ? WHERE id = ? AND status = 'queued'`, [now, id]))
        .changes > 0
    );
  }

  async markProgress(id: string, kioskId: string, state: string, db: SqlExec): Promise<void> {
    await db.run(`UPDATE commands SET status = ? WHERE id = ? AND kiosk_id = ? AND status IN ${openStatuses}`, [
      state,
      id,
      kioskId,
    ]);
  }

  async finishCommand(
    a: { id: string; kioskId: string; ok: boolean; finishedAt: number; detail: string | null; screenshotId: string | null },
    db: SqlExec,
  ): Promise<boolean> {
    const r = await db.run(
      `UPDATE commands SET status = ?, finished_at = ?, detail = ?, screenshot_id = ?
       WHERE id = ? AND kiosk_id = ? AND status IN ('queued', 'delivered', 'waiting', 'running', 'expired')`,
      [a.ok ? 'succeeded' : 'failed', a.finishedAt, a.detail, a.screenshotId, a.id, a.kioskId],
    );
    return r.changes > 0;
  }

  command(id: string, db: SqlExec = this.driver): Promise<CommandDbRow | undefined> {
    return db.get<CommandDbRow>('SELECT * FROM commands WHERE id = ?', [id]);
  }

  recentCommands(kioskId: string, limit: number): Promise<CommandDbRow[]> {
    return this.driver.all<CommandDbRow>('SELECT * FROM commands WHERE kiosk_id = ? ORDER BY issued_at DESC, id DESC LIMIT ?', [
      kioskId,
      limit,
    ]);
  }

  async openCommandCount(kioskId: string, db: SqlExec = this.driver): Promise<number> {
    const r = await db.get<{ n: number }>(`SELECT count(*) AS n FROM commands WHERE kiosk_id = ? AND status IN ${openStatuses}`, [
      kioskId,
    ]);
    return Number(r?.n ?? 0);
  }

  openCommandCounts(): Promise<{ kiosk_id: string; n: number }[]> {
    return this.driver.all(`SELECT kiosk_id, count(*) AS n FROM commands WHERE status IN ${openStatuses} GROUP BY kiosk_id`);
  }

  expireCommands(now: number, db: SqlExec): Promise<{ id: string; kiosk_id: string }[]> {
    return db.all(
      `UPDATE commands SET status = 'expired', finished_at = ? WHERE status = 'queued' AND expires_at < ? RETURNING id, kiosk_id`,
      [now, now],
    );
  }

  // ---- screenshots, audit ----

  async insertScreenshot(s: { id: string; kioskId: string; commandId: string | null; at: number; png: Buffer }): Promise<void> {
    await this.driver.run('INSERT INTO screenshots (id, kiosk_id, command_id, at, png) VALUES (?, ?, ?, ?, ?)', [
      s.id,
      s.kioskId,
      s.commandId,
      s.at,
      s.png,
    ]);
  }

  screenshot(id: string): Promise<{ id: string; kiosk_id: string; at: number; png: Buffer } | undefined> {
    return this.driver.get('SELECT id, kiosk_id, at, png FROM screenshots WHERE id = ?', [id]);
  }

  latestScreenshots(
    kioskId: string,
    limit: number,
  ): Promise<{ id: string; at: number; command_id: string | null; bytes: number }[]> {
    return this.driver.all(
      'SELECT id, at, command_id, length(png) AS bytes FROM screenshots WHERE kiosk_id = ? ORDER BY at DESC LIMIT ?',
      [kioskId, limit],
    );
  }

  async audit(
    actor: string,
    action: string,
    kioskId: string | null,
    detail: Record<string, unknown>,
    now: number,
    db: SqlExec = this.driver,
  ): Promise<void> {
    await db.run('INSERT INTO audit_log (at, actor, action, kiosk_id, detail) VALUES (?, ?, ?, ?, ?)', [
      now,
      actor,
      action,
      kioskId,
      JSON.stringify(detail),
    ]);
  }

  // ---- dashboard sessions ----

  async insertSession(tokenHash: string, username: string, role: string, now: number, expiresAt: number): Promise<void> {
    await this.driver.run('INSERT INTO sessions (token_hash, username, role, created_at, expires_at) VALUES (?, ?, ?, ?, ?)', [
      tokenHash,
      username,
      role,
      now,
      expiresAt,
    ]);
  }

  session(tokenHash: string): Promise<{ username: string; role: string; expires_at: number } | undefined> {
    return this.driver.get('SELECT username, role, expires_at FROM sessions WHERE token_hash = ?', [tokenHash]);
  }

  async removeSession(tokenHash: string): Promise<void> {
    await this.driver.run('DELETE FROM sessions WHERE token_hash = ?', [tokenHash]);
  }

  // ---- maintenance ----

  async maintenanceValue(key: string): Promise<number | null> {
    const r = await this.driver.get<{ value: number }>('SELECT value FROM maintenance WHERE key = ?', [key]);
    return r ? Number(r.value) : null;
  }

  async setMaintenanceValue(key: string, value: number): Promise<void> {
    await this.driver.run(
      'INSERT INTO maintenance (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      [key, value],
    );
  }
}

export type { SqlExec };
