import type { Migration } from '@kiosk/platform';

/**
 * The sandbox's own schema (its own file, never the agent's database). Append-only, like the
 * agent's: add the next number, never edit a shipped one.
 *
 * Reference data (people and their records) is stored as JSON per record with the columns
 * lookups need; it is regenerated from the seed when the generator changes. Money state (gas
 * credits, purchases, payment orders, refunds) and registered slips are ordinary rows.
 */
export const sandboxMigrations: Migration[] = [
  {
    version: 1,
    name: 'synthetic registries, gas company, payment provider, slips',
    sql: `
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

      CREATE TABLE people (
        id_number TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        source TEXT NOT NULL
      );
      CREATE TABLE properties (
        certificate_no TEXT PRIMARY KEY,
        id_number TEXT NOT NULL REFERENCES people(id_number) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        data TEXT NOT NULL
      );
      CREATE INDEX properties_person ON properties(id_number, position);
      CREATE TABLE tax_records (
        voucher_no TEXT PRIMARY KEY,
        id_number TEXT NOT NULL REFERENCES people(id_number) ON DELETE CASCADE,
        period_year INTEGER NOT NULL,
        paid_on TEXT NOT NULL,
        data TEXT NOT NULL
      );
      CREATE INDEX tax_person_year ON tax_records(id_number, period_year);
      CREATE TABLE social_records (
        voucher_no TEXT PRIMARY KEY,
        id_number TEXT NOT NULL REFERENCES people(id_number) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        period_year INTEGER NOT NULL,
        paid_on TEXT NOT NULL,
        data TEXT NOT NULL
      );
      CREATE INDEX social_person_kind_year ON social_records(id_number, kind, period_year);

      CREATE TABLE slips (
        serial TEXT PRIMARY KEY,
        kiosk_id TEXT NOT NULL,
        idempotency_key TEXT NOT NULL,
        content TEXT NOT NULL,
        registered_at TEXT NOT NULL,
        UNIQUE (kiosk_id, idempotency_key)
      );

      CREATE TABLE gas_accounts (
        account_no TEXT PRIMARY KEY,
        card_no TEXT UNIQUE,
        holder_name TEXT NOT NULL,
        address TEXT NOT NULL,
        meter_type TEXT NOT NULL CHECK (meter_type IN ('iot', 'ic-card')),
        status TEXT NOT NULL CHECK (status IN ('normal', 'suspended')),
        balance_fen INTEGER,
        arrears_fen INTEGER NOT NULL DEFAULT 0,
        purchase_count INTEGER,
        last_purchase_fen INTEGER,
        last_purchase_m3 REAL,
        last_purchase_at TEXT,
        unit_price_fen INTEGER NOT NULL,
        min_fen INTEGER NOT NULL,
        max_fen INTEGER NOT NULL,
        monthly_cap_fen INTEGER
      );
      CREATE TABLE gas_iot_credits (
        serial_no TEXT PRIMARY KEY,
        credit_id TEXT NOT NULL UNIQUE,
        account_no TEXT NOT NULL REFERENCES gas_accounts(account_no),
        amount_fen INTEGER NOT NULL,
        volume_m3 REAL NOT NULL,
        payment_order_no TEXT NOT NULL,
        kiosk_id TEXT NOT NULL,
        balance_after_fen INTEGER NOT NULL,
        credited_at TEXT NOT NULL,
        business_date TEXT NOT NULL
      );
      CREATE INDEX gas_iot_credits_date ON gas_iot_credits(business_date);
      CREATE TABLE gas_ic_purchases (
        serial_no TEXT PRIMARY KEY,
        purchase_id TEXT NOT NULL UNIQUE,
        account_no TEXT NOT NULL REFERENCES gas_accounts(account_no),
        card_no TEXT NOT NULL,
        amount_fen INTEGER NOT NULL,
        volume_m3 REAL NOT NULL,
        payment_order_no TEXT NOT NULL,
        kiosk_id TEXT NOT NULL,
        target_count INTEGER NOT NULL,
        mac TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('awaiting_write', 'written', 'write_failed')),
        created_at TEXT NOT NULL,
        reported_at TEXT,
        card_image TEXT,
        business_date TEXT NOT NULL
      );
      CREATE INDEX gas_ic_purchases_date ON gas_ic_purchases(business_date);
      CREATE INDEX gas_ic_purchases_account ON gas_ic_purchases(account_no, status);

      CREATE TABLE pay_orders (
        order_id TEXT PRIMARY KEY,
        out_trade_no TEXT NOT NULL UNIQUE,
        kiosk_id TEXT NOT NULL,
        amount_fen INTEGER NOT NULL,
        description TEXT NOT NULL,
        trade_state TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        paid_at TEXT,
        closed_at TEXT,
        transaction_id TEXT UNIQUE,
        refunded_fen INTEGER NOT NULL DEFAULT 0,
        pay_date TEXT
      );
      CREATE INDEX pay_orders_state ON pay_orders(trade_state);
      CREATE INDEX pay_orders_pay_date ON pay_orders(pay_date);
      CREATE TABLE pay_refunds (
        out_refund_no TEXT PRIMARY KEY,
        refund_id TEXT NOT NULL UNIQUE,
        order_id TEXT NOT NULL REFERENCES pay_orders(order_id),
        amount_fen INTEGER NOT NULL,
        reason TEXT,
        created_at TEXT NOT NULL,
        refund_date TEXT NOT NULL
      );
      CREATE INDEX pay_refunds_date ON pay_refunds(refund_date);
    `,
  },
  {
    version: 2,
    name: 'gas company voids (冲正) by business serial',
    sql: `
      -- A void makes a serial number unusable: a credit or purchase that arrives later under it is
      -- refused. result: voided (an unwritten IC purchase was cancelled) or never_credited (nothing
      -- existed; the serial is blocked from now on).
      CREATE TABLE gas_voids (
        serial_no TEXT PRIMARY KEY,
        kind TEXT CHECK (kind IN ('iot_credit', 'ic_purchase')),
        result TEXT NOT NULL CHECK (result IN ('voided', 'never_credited')),
        reason TEXT,
        kiosk_id TEXT NOT NULL,
        voided_at TEXT NOT NULL,
        business_date TEXT NOT NULL
      );
    `,
  },
  {
    version: 3,
    name: 'evaluation platform ratings (好差评) and licence library uses (用证记录)',
    sql: `
      -- One row per rating report; (kiosk_id, idempotency_key) makes a resend a no-op.
      CREATE TABLE evaluations (
        evaluation_id TEXT PRIMARY KEY,
        kiosk_id TEXT NOT NULL,
        idempotency_key TEXT NOT NULL,
        content TEXT NOT NULL,
        level TEXT NOT NULL,
        follow_up INTEGER NOT NULL,
        received_at TEXT NOT NULL,
        UNIQUE (kiosk_id, idempotency_key)
      );
      CREATE TABLE licence_uses (
        use_id TEXT PRIMARY KEY,
        licence_id TEXT NOT NULL,
        kiosk_id TEXT NOT NULL,
        action TEXT NOT NULL CHECK (action IN ('fetch', 'print')),
        purpose TEXT NOT NULL,
        slip_serial TEXT,
        idempotency_key TEXT,
        at TEXT NOT NULL,
        UNIQUE (kiosk_id, idempotency_key)
      );
      CREATE INDEX licence_uses_licence ON licence_uses (licence_id, at);
    `,
  },
  {
    version: 4,
    name: 'photo platform receipts (数码照片回执)',
    sql: `
      -- One row per uploaded certificate photo. order_no makes the upload idempotent: the kiosk's
      -- retry after a lost answer gets the receipt it already has, never a second one.
      CREATE TABLE photo_receipts (
        code TEXT PRIMARY KEY,
        kiosk_id TEXT NOT NULL,
        order_no TEXT NOT NULL,
        use TEXT NOT NULL,
        backdrop TEXT NOT NULL,
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        jpeg BLOB NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (kiosk_id, order_no)
      );
      -- Order numbers closed by the kiosk before a refund: no receipt may be made for them later.
      CREATE TABLE photo_voids (
        kiosk_id TEXT NOT NULL,
        order_no TEXT NOT NULL,
        voided_at TEXT NOT NULL,
        PRIMARY KEY (kiosk_id, order_no)
      );
    `,
  },
];
