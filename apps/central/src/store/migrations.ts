import { historyTableSql } from '../charts/table.js';
import { ratingsMigrations } from '../ratings-migrations.js';
import type { SqlDriver } from './driver.js';
import { PgDriver } from './pg-driver.js';
import { SqliteDriver } from './sqlite-driver.js';

/**
 * Central's schema, numbered and append-only like the agent's, once per dialect (the DDL differs:
 * identity columns, BIGINT times, BYTEA); the statements that use it are shared. Times are unix milliseconds
 * (INTEGER) so range scans and retention pruning use plain indexed comparisons.
 */
const sqliteMigrations: { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'fleet, heartbeats, events, alerts, commands, dashboard sessions, audit',
    sql: `
      CREATE TABLE kiosks (
        id TEXT PRIMARY KEY,
        site TEXT NOT NULL,
        name TEXT,
        first_seen_at INTEGER,
        last_seen_at INTEGER,
        -- replay protection: every signed request must carry a higher seq than this
        last_request_seq INTEGER NOT NULL DEFAULT 0,
        -- exactly-once events: the highest outbox seq applied
        last_event_seq INTEGER NOT NULL DEFAULT 0,
        interval_ms INTEGER,
        state TEXT NOT NULL DEFAULT 'offline' CHECK (state IN ('online', 'warning', 'error', 'offline')),
        state_since INTEGER,
        conditions TEXT NOT NULL DEFAULT '[]',
        last_heartbeat TEXT,
        boot_id TEXT,
        boot_counters TEXT,
        totals TEXT NOT NULL DEFAULT '{}'
      );

      CREATE TABLE heartbeats (
        id INTEGER PRIMARY KEY,
        kiosk_id TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        body TEXT NOT NULL
      );
      CREATE INDEX heartbeats_received ON heartbeats (received_at);
      CREATE INDEX heartbeats_kiosk ON heartbeats (kiosk_id, received_at);

      CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        kiosk_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        type TEXT NOT NULL,
        at TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        payload TEXT NOT NULL,
        UNIQUE (kiosk_id, seq)
      );
      CREATE INDEX events_received ON events (received_at);

      CREATE TABLE state_changes (
        id INTEGER PRIMARY KEY,
        kiosk_id TEXT NOT NULL,
        at INTEGER NOT NULL,
        from_state TEXT,
        to_state TEXT NOT NULL,
        conditions TEXT NOT NULL DEFAULT '[]'
      );
      CREATE INDEX state_changes_kiosk ON state_changes (kiosk_id, at);
      CREATE INDEX state_changes_at ON state_changes (at);

      CREATE TABLE alerts (
        id INTEGER PRIMARY KEY,
        kiosk_id TEXT NOT NULL,
        code TEXT NOT NULL,
        severity TEXT NOT NULL CHECK (severity IN ('warning', 'error')),
        -- heartbeat: clears itself; event: stays until acknowledged; central: offline/flapping
        source TEXT NOT NULL CHECK (source IN ('heartbeat', 'event', 'central')),
        message TEXT NOT NULL,
        opened_at INTEGER NOT NULL,
        last_at INTEGER NOT NULL,
        occurrences INTEGER NOT NULL DEFAULT 1,
        resolved_at INTEGER,
        acked_at INTEGER,
        acked_by TEXT,
        -- 1 when notifications for it were held back because the condition flaps
        suppressed INTEGER NOT NULL DEFAULT 0
      );
      CREATE UNIQUE INDEX alerts_one_open ON alerts (kiosk_id, code) WHERE resolved_at IS NULL;
      CREATE INDEX alerts_opened ON alerts (kiosk_id, code, opened_at);
      CREATE INDEX alerts_resolved ON alerts (resolved_at);

      CREATE TABLE commands (
        id TEXT PRIMARY KEY,
        kiosk_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        message TEXT,
        issued_by TEXT NOT NULL,
        issued_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('queued', 'delivered', 'waiting', 'running', 'succeeded', 'failed', 'expired')),
        delivered_at INTEGER,
        finished_at INTEGER,
        detail TEXT,
        screenshot_id TEXT
      );
      CREATE INDEX commands_kiosk ON commands (kiosk_id, issued_at);
      CREATE INDEX commands_open ON commands (status) WHERE status IN ('queued', 'delivered', 'waiting', 'running');

      CREATE TABLE screenshots (
        id TEXT PRIMARY KEY,
        kiosk_id TEXT NOT NULL,
        command_id TEXT,
        at INTEGER NOT NULL,
        png BLOB NOT NULL
      );
      CREATE INDEX screenshots_kiosk ON screenshots (kiosk_id, at);

      CREATE TABLE webhook_deliveries (
        id INTEGER PRIMARY KEY,
        created_at INTEGER NOT NULL,
        payload TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        delivered_at INTEGER,
        gave_up_at INTEGER,
        last_error TEXT
      );
      CREATE INDEX webhook_due ON webhook_deliveries (next_attempt_at) WHERE delivered_at IS NULL AND gave_up_at IS NULL;

      CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        username TEXT NOT NULL,
        role TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      );

      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        kiosk_id TEXT,
        detail TEXT NOT NULL DEFAULT '{}'
      );
      CREATE INDEX audit_at ON audit_log (at);

      CREATE TABLE maintenance (
        key TEXT PRIMARY KEY,
        value INTEGER NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'dashboard login attempts, so lockouts survive a restart',
    sql: `
      CREATE TABLE login_attempts (
        -- 'user:<name>' or 'addr:<client address>'
        key TEXT PRIMARY KEY,
        failures INTEGER NOT NULL,
        locked_until INTEGER NOT NULL DEFAULT 0,
        last_at INTEGER NOT NULL
      );
      CREATE INDEX login_attempts_last ON login_attempts (last_at);
    `,
  },
  // 好差评 ratings and their follow-ups (ratings-migrations.ts; portable SQL, the same for both).
  ...ratingsMigrations,
  {
    version: 4,
    name: 'kiosk enrollment in the database; watermarks for replicas',
    sql: `
      -- AES-256-GCM under the master key (secrets.ts), never plain text
      ALTER TABLE kiosks ADD COLUMN secret_enc TEXT;
      -- the secret before the last rotation, accepted until prev_secret_until
      ALTER TABLE kiosks ADD COLUMN prev_secret_enc TEXT;
      ALTER TABLE kiosks ADD COLUMN prev_secret_until INTEGER;
      ALTER TABLE kiosks ADD COLUMN enabled INTEGER NOT NULL DEFAULT 1;
      ALTER TABLE kiosks ADD COLUMN enrolled_at INTEGER;
      ALTER TABLE kiosks ADD COLUMN offline_after_missed INTEGER;
      -- command-wait requests have their own watermark (held open beside the other requests)
      ALTER TABLE kiosks ADD COLUMN last_wait_seq INTEGER NOT NULL DEFAULT 0;
      -- when the row last changed, so replicas can refresh their fleet view
      ALTER TABLE kiosks ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;
      CREATE INDEX kiosks_updated ON kiosks (updated_at);
      CREATE INDEX commands_kiosk_open ON commands (kiosk_id) WHERE status IN ('queued', 'delivered', 'waiting', 'running');
      CREATE INDEX alerts_open_kiosk ON alerts (kiosk_id) WHERE resolved_at IS NULL;
    `,
  },
  {
    version: 5,
    name: 'daily history for the charts (kiosk_daily)',
    sql: historyTableSql,
  },
];

const postgresMigrations: { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'fleet, heartbeats, events, alerts, commands, dashboard sessions, audit',
    sql: `
      CREATE TABLE kiosks (
        id TEXT PRIMARY KEY,
        site TEXT NOT NULL,
        name TEXT,
        first_seen_at BIGINT,
        last_seen_at BIGINT,
        last_request_seq BIGINT NOT NULL DEFAULT 0,
        last_event_seq BIGINT NOT NULL DEFAULT 0,
        interval_ms BIGINT,
        state TEXT NOT NULL DEFAULT 'offline' CHECK (state IN ('online', 'warning', 'error', 'offline')),
        state_since BIGINT,
        conditions TEXT NOT NULL DEFAULT '[]',
        last_heartbeat TEXT,
        boot_id TEXT,
        boot_counters TEXT,
        totals TEXT NOT NULL DEFAULT '{}'
      );
      CREATE TABLE heartbeats (
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        kiosk_id TEXT NOT NULL,
        received_at BIGINT NOT NULL,
        seq BIGINT NOT NULL,
        body TEXT NOT NULL
      );
      CREATE INDEX heartbeats_received ON heartbeats (received_at);
      CREATE INDEX heartbeats_kiosk ON heartbeats (kiosk_id, received_at);
      CREATE TABLE events (
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        kiosk_id TEXT NOT NULL,
        seq BIGINT NOT NULL,
        type TEXT NOT NULL,
        at TEXT NOT NULL,
        received_at BIGINT NOT NULL,
        payload TEXT NOT NULL,
        UNIQUE (kiosk_id, seq)
      );
      CREATE INDEX events_received ON events (received_at);
      CREATE TABLE state_changes (
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        kiosk_id TEXT NOT NULL,
        at BIGINT NOT NULL,
        from_state TEXT,
        to_state TEXT NOT NULL,
        conditions TEXT NOT NULL DEFAULT '[]'
      );
      CREATE INDEX state_changes_kiosk ON state_changes (kiosk_id, at);
      CREATE INDEX state_changes_at ON state_changes (at);
      CREATE TABLE alerts (
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        kiosk_id TEXT NOT NULL,
        code TEXT NOT NULL,
        severity TEXT NOT NULL CHECK (severity IN ('warning', 'error')),
        source TEXT NOT NULL CHECK (source IN ('heartbeat', 'event', 'central')),
        message TEXT NOT NULL,
        opened_at BIGINT NOT NULL,
        last_at BIGINT NOT NULL,
        occurrences INTEGER NOT NULL DEFAULT 1,
        resolved_at BIGINT,
        acked_at BIGINT,
        acked_by TEXT,
        suppressed INTEGER NOT NULL DEFAULT 0
      );
      CREATE UNIQUE INDEX alerts_one_open ON alerts (kiosk_id, code) WHERE resolved_at IS NULL;
      CREATE INDEX alerts_opened ON alerts (kiosk_id, code, opened_at);
      CREATE INDEX alerts_resolved ON alerts (resolved_at);
      CREATE TABLE commands (
        id TEXT PRIMARY KEY,
        kiosk_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        message TEXT,
        issued_by TEXT NOT NULL,
        issued_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('queued', 'delivered', 'waiting', 'running', 'succeeded', 'failed', 'expired')),
        delivered_at BIGINT,
        finished_at BIGINT,
        detail TEXT,
        screenshot_id TEXT
      );
      CREATE INDEX commands_kiosk ON commands (kiosk_id, issued_at);
      CREATE INDEX commands_open ON commands (status) WHERE status IN ('queued', 'delivered', 'waiting', 'running');
      CREATE TABLE screenshots (
        id TEXT PRIMARY KEY,
        kiosk_id TEXT NOT NULL,
        command_id TEXT,
        at BIGINT NOT NULL,
        png BYTEA NOT NULL
      );
      CREATE INDEX screenshots_kiosk ON screenshots (kiosk_id, at);
      CREATE TABLE webhook_deliveries (
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        created_at BIGINT NOT NULL,
        payload TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at BIGINT NOT NULL,
        delivered_at BIGINT,
        gave_up_at BIGINT,
        last_error TEXT
      );
      CREATE INDEX webhook_due ON webhook_deliveries (next_attempt_at) WHERE delivered_at IS NULL AND gave_up_at IS NULL;
      CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        username TEXT NOT NULL,
        role TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL
      );
      CREATE TABLE audit_log (
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        at BIGINT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        kiosk_id TEXT,
        detail TEXT NOT NULL DEFAULT '{}'
      );
      CREATE INDEX audit_at ON audit_log (at);
      CREATE TABLE maintenance (
        key TEXT PRIMARY KEY,
        value BIGINT NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'dashboard login attempts, so lockouts survive a restart',
    sql: `
      CREATE TABLE login_attempts (
        key TEXT PRIMARY KEY,
        failures INTEGER NOT NULL,
        locked_until BIGINT NOT NULL DEFAULT 0,
        last_at BIGINT NOT NULL
      );
      CREATE INDEX login_attempts_last ON login_attempts (last_at);
    `,
  },
  // 好差评 ratings and their follow-ups (ratings-migrations.ts; portable SQL, the same for both).
  ...ratingsMigrations,
  {
    version: 4,
    name: 'kiosk enrollment in the database; watermarks for replicas',
    sql: `
      ALTER TABLE kiosks ADD COLUMN secret_enc TEXT;
      ALTER TABLE kiosks ADD COLUMN prev_secret_enc TEXT;
      ALTER TABLE kiosks ADD COLUMN prev_secret_until BIGINT;
      ALTER TABLE kiosks ADD COLUMN enabled INTEGER NOT NULL DEFAULT 1;
      ALTER TABLE kiosks ADD COLUMN enrolled_at BIGINT;
      ALTER TABLE kiosks ADD COLUMN offline_after_missed INTEGER;
      ALTER TABLE kiosks ADD COLUMN last_wait_seq BIGINT NOT NULL DEFAULT 0;
      ALTER TABLE kiosks ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;
      CREATE INDEX kiosks_updated ON kiosks (updated_at);
      CREATE INDEX commands_kiosk_open ON commands (kiosk_id) WHERE status IN ('queued', 'delivered', 'waiting', 'running');
      CREATE INDEX alerts_open_kiosk ON alerts (kiosk_id) WHERE resolved_at IS NULL;
    `,
  },
  {
    version: 5,
    name: 'daily history for the charts (kiosk_daily)',
    sql: historyTableSql,
  },
];

export const centralMigrations = { sqlite: sqliteMigrations, postgres: postgresMigrations };

/**
 * Applies pending migrations in one transaction each. On PostgreSQL replicas starting together
 * take turns (transaction-scoped advisory lock) and each re-reads what the other applied.
 * Same bookkeeping table as the agent's SQLite migrations, so an existing central.db carries on.
 */
export async function migrateStore(driver: SqlDriver): Promise<number[]> {
  const list = [...centralMigrations[driver.dialect]].sort((a, b) => a.version - b.version);
  const script = async (sql: string): Promise<void> => {
    if (driver instanceof SqliteDriver) driver.script(sql);
    else await driver.run(sql);
  };
  const applied: number[] = [];
  await driver.transaction(async (tx) => {
    if (driver instanceof PgDriver) await tx.get(`SELECT pg_advisory_xact_lock(${0x6b696f73})`);
    // One transaction for all: DDL is transactional in both engines.
    if (driver instanceof SqliteDriver) driver.script(schemaTable);
    else await tx.run(schemaTable);
    const done = new Set(
      (await tx.all<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => Number(r.version)),
    );
    const newest = Math.max(0, ...done);
    if (newest > list.length) {
      throw new Error(`database schema version ${newest} is newer than this software knows (${list.length}); refusing to run`);
    }
    for (const m of list) {
      if (done.has(m.version)) continue;
      if (driver instanceof SqliteDriver) await script(m.sql);
      else await tx.run(m.sql);
      await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
        m.version,
        m.name,
        new Date().toISOString(),
      ]);
      applied.push(m.version);
    }
  });
  return applied;
}

const schemaTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at TEXT NOT NULL
)`;
