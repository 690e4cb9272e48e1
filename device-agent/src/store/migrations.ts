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
  {
    version: 3,
    name: 'print jobs',
    sql: `
      -- One row per physical print attempt; a reprint is a new row pointing at the original.
      -- Written before any byte is sent, so a crash can never lose or silently repeat a slip.
      CREATE TABLE print_jobs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        ref TEXT,
        profile TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'checking', 'printed', 'failed', 'unknown', 'refused')),
        reason TEXT,
        detail TEXT,
        warnings TEXT NOT NULL DEFAULT '[]',
        -- ESC/POS bytes (masked personal data only); set to NULL when the retention period ends
        data BLOB,
        boundaries TEXT NOT NULL DEFAULT '[]',
        processed_marker INTEGER NOT NULL DEFAULT 0,
        byte_count INTEGER NOT NULL,
        bytes_sent INTEGER NOT NULL DEFAULT 0,
        reprint_of INTEGER REFERENCES print_jobs (id),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        finished_at TEXT
      );
      CREATE INDEX print_jobs_state ON print_jobs (state);
      CREATE INDEX print_jobs_ref ON print_jobs (ref);
    `,
  },
];
