/**
 * Numbered, append-only schema migrations for the agent's database. Never edit a migration that
 * has shipped; add the next number. Each runs in its own transaction at start-up.
 */
import type { Migration } from '@kiosk/platform';

export type { Migration };

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
  {
    version: 4,
    name: 'gas top-up order journal',
    sql: `
      -- One row per gas top-up order (apps/agent/src/gas, docs/gas.md). Every state is committed
      -- before the step it announces is attempted. order_no is the terminal business serial number:
      -- the payment out_trade_no and the gas company serialNo, i.e. the idempotency key upstream.
      CREATE TABLE gas_orders (
        order_no TEXT PRIMARY KEY,
        kiosk_id TEXT NOT NULL,
        -- the kiosk that took the payment (differs when another kiosk imported it for 补写卡)
        origin_kiosk_id TEXT NOT NULL,
        session_id TEXT,
        state TEXT NOT NULL CHECK (state IN ('created', 'awaiting_payment', 'paid', 'crediting', 'credited',
          'receipt_printed', 'done', 'payment_expired', 'payment_closed', 'credit_pending', 'refund_requested',
          'refunded', 'needs_attention')),
        step TEXT,
        -- the state an order was in when it became needs_attention
        attention_from TEXT,
        meter_type TEXT NOT NULL CHECK (meter_type IN ('iot', 'ic-card')),
        -- needed to retry credits; screens, logs and heartbeats only ever show masked forms
        account_no TEXT NOT NULL,
        holder_masked TEXT NOT NULL DEFAULT '',
        card_no TEXT,
        card_count_before INTEGER,
        amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
        unit_price_fen INTEGER,
        volume_m3 REAL,
        pay_deadline TEXT,
        pay_order_id TEXT,
        pay_code_url TEXT,
        pay_expires_at TEXT,
        trade_state TEXT,
        transaction_id TEXT,
        paid_at TEXT,
        credit_id TEXT,
        balance_after_fen INTEGER,
        ic_purchase_id TEXT,
        ic_target_count INTEGER,
        ic_mac TEXT,
        ic_write_attempts INTEGER NOT NULL DEFAULT 0,
        -- IC cards: has the gas company been told the card was written? none | pending | done | failed
        gas_report TEXT NOT NULL DEFAULT 'none',
        refund_no TEXT,
        refund_id TEXT,
        refund_reason TEXT,
        receipt_job_id INTEGER,
        receipt_printed INTEGER NOT NULL DEFAULT 0,
        pending_slip_printed INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        -- China-time date of created_at
        business_date TEXT NOT NULL,
        credited_at TEXT,
        finished_at TEXT
      );
      CREATE INDEX gas_orders_state ON gas_orders (state);
      CREATE INDEX gas_orders_date ON gas_orders (business_date);
      CREATE INDEX gas_orders_card ON gas_orders (card_no);
      -- Every transition and journaled step, in order; never updated.
      CREATE TABLE gas_order_history (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        order_no TEXT NOT NULL REFERENCES gas_orders (order_no),
        at TEXT NOT NULL,
        from_state TEXT,
        to_state TEXT NOT NULL,
        step TEXT,
        actor TEXT NOT NULL,
        -- JSON; codes and masked forms only
        detail TEXT NOT NULL DEFAULT '{}'
      );
      CREATE INDEX gas_order_history_order ON gas_order_history (order_no, id);
    `,
  },
  {
    version: 5,
    name: 'durable delivery queue (好差评 reports to the evaluation platform)',
    sql: `
      -- Reports the kiosk owes an upstream (store/delivery-queue.ts), one queue name per kind.
      -- key is the idempotency key the upstream honours, so a resend after a crash or a lost
      -- answer is applied once. A row stays (delivered_at set) for the audit trail until pruned.
      CREATE TABLE delivery_queue (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        queue TEXT NOT NULL,
        key TEXT NOT NULL,
        payload TEXT NOT NULL,
        created_at TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        last_error TEXT,
        delivered_at TEXT,
        UNIQUE (queue, key)
      );
      CREATE INDEX delivery_queue_due ON delivery_queue (queue, delivered_at, next_attempt_at);
    `,
  },
  {
    version: 6,
    name: 'photo order journal (自助照相)',
    sql: `
      -- One row per paid-photo order (apps/agent/src/photo, docs/photo.md). Same rules as the gas
      -- journal: each state is committed before the step it announces; order_no is the payment's
      -- out_trade_no and the photo platform's idempotency key. The photo itself is never stored:
      -- it lives in the agent's memory until the platform has it (or the order is refunded).
      CREATE TABLE photo_orders (
        order_no TEXT PRIMARY KEY,
        kiosk_id TEXT NOT NULL,
        session_id TEXT,
        state TEXT NOT NULL CHECK (state IN ('created', 'awaiting_payment', 'paid', 'uploading', 'uploaded',
          'done', 'payment_expired', 'payment_closed', 'upload_pending', 'refund_requested', 'refunded', 'needs_attention')),
        attention_from TEXT,
        use TEXT NOT NULL,
        backdrop TEXT NOT NULL,
        amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
        pay_deadline TEXT,
        pay_order_id TEXT,
        pay_code_url TEXT,
        trade_state TEXT,
        transaction_id TEXT,
        paid_at TEXT,
        receipt_code TEXT,
        upload_attempts INTEGER NOT NULL DEFAULT 0,
        void_answer TEXT,
        refund_no TEXT,
        refund_id TEXT,
        last_error TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        business_date TEXT NOT NULL,
        uploaded_at TEXT,
        finished_at TEXT
      );
      CREATE INDEX photo_orders_state ON photo_orders (state);
      CREATE INDEX photo_orders_date ON photo_orders (business_date);
      CREATE TABLE photo_order_history (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        order_no TEXT NOT NULL REFERENCES photo_orders (order_no),
        at TEXT NOT NULL,
        from_state TEXT,
        to_state TEXT NOT NULL,
        actor TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '{}'
      );
      CREATE INDEX photo_order_history_order ON photo_order_history (order_no, id);
    `,
  },
];
