/**
 * Numbered, append-only schema migrations for the agent's database. Never edit a migration that
 * has shipped; add the next number. Each runs in its own transaction at start-up.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const agentMigrations: Migration[] = [
  {
    version: 1,
    name: 'audit and boot log',
    sql: `
      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        -- JSON; masked or hashed forms only, never a full id number or name
        detail TEXT NOT NULL DEFAULT '{}'
      );
      CREATE TABLE boots (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        started_at TEXT NOT NULL,
        agent_version TEXT NOT NULL,
        clean_shutdown_at TEXT
      );
    `,
  },
  {
    version: 2,
    name: 'monitor outbox, sequence numbers and remote command log',
    sql: `
      -- request_seq / event_seq: strictly increasing numbers central checks (replay, exactly-once)
      CREATE TABLE monitor_state (
        key TEXT PRIMARY KEY,
        value INTEGER NOT NULL
      );
      -- Events waiting for central, delivered in seq order; a row is deleted once central acks it.
      CREATE TABLE monitor_outbox (
        seq INTEGER PRIMARY KEY,
        type TEXT NOT NULL,
        payload TEXT NOT NULL,
        created_at TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT
      );
      -- Commands from central: each id runs at most once; acked_at is set when central has the result.
      CREATE TABLE monitor_commands (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        message TEXT,
        issued_by TEXT NOT NULL,
        issued_at TEXT NOT NULL,
        received_at TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('waiting', 'running', 'succeeded', 'failed')),
        detail TEXT,
        screenshot_id TEXT,
        finished_at TEXT,
        acked_at TEXT
      );
      CREATE INDEX monitor_commands_open ON monitor_commands (status, received_at);
    `,
  },
];
