import type { Migration } from '@kiosk/platform';
import { ratingsMigrations } from './ratings-migrations.js';

/**
 * Central's schema, numbered and append-only like the agent's. Times are unix milliseconds
 * (INTEGER) so range scans and retention pruning use plain indexed comparisons.
 */
export const centralMigrations: Migration[] = [
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
  // 好差评 ratings and their follow-ups (ratings-migrations.ts).
  ...ratingsMigrations,
];
