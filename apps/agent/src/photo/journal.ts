/**
 * The photo order journal (agent SQLite, table photo_orders): the gas journal's discipline for a
 * second product. Every write is one transaction that checks the current state (compare-and-set)
 * and the state machine below, and appends a history row.
 *
 *   created → awaiting_payment → paid → uploading → uploaded → done
 *   awaiting_payment → payment_closed | payment_expired          (never paid)
 *   uploading → upload_pending → uploading …                     (background retries)
 *   upload_pending → refund_requested → refunded                 (give-up time passed, platform says no receipt)
 *   any of those → needs_attention                               (no definite answer: a person decides)
 */
import type { PhotoBackdrop, PhotoUse } from '@kiosk/contracts/photo';
import { chinaDate, type Db } from '@kiosk/platform';

const photoOrderStates = [
  'created',
  'awaiting_payment',
  'paid',
  'uploading',
  'uploaded',
  'done',
  'payment_expired',
  'payment_closed',
  'upload_pending',
  'refund_requested',
  'refunded',
  'needs_attention',
] as const;
export type PhotoOrderState = (typeof photoOrderStates)[number];

const transitions: Record<PhotoOrderState, readonly PhotoOrderState[]> = {
  created: ['awaiting_payment', 'payment_closed'],
  awaiting_payment: ['paid', 'payment_closed', 'payment_expired', 'needs_attention'],
  paid: ['uploading', 'upload_pending'],
  uploading: ['uploaded', 'upload_pending'],
  upload_pending: ['uploading', 'uploaded', 'refund_requested', 'needs_attention'],
  uploaded: ['done'],
  refund_requested: ['refunded', 'uploaded', 'needs_attention'],
  needs_attention: ['refund_requested', 'uploaded', 'refunded', 'paid', 'payment_closed'],
  done: [],
  payment_expired: [],
  payment_closed: [],
  refunded: [],
};
const finalPhotoStates: readonly PhotoOrderState[] = ['done', 'payment_expired', 'payment_closed', 'refunded'];

export interface PhotoOrder {
  orderNo: string;
  kioskId: string;
  sessionId: string | null;
  state: PhotoOrderState;
  attentionFrom: PhotoOrderState | null;
  use: PhotoUse;
  backdrop: PhotoBackdrop;
  amountFen: number;
  payDeadline: string | null;
  payOrderId: string | null;
  payCodeUrl: string | null;
  tradeState: string | null;
  transactionId: string | null;
  paidAt: string | null;
  receiptCode: string | null;
  uploadAttempts: number;
  voidAnswer: string | null;
  refundNo: string | null;
  refundId: string | null;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
  businessDate: string;
  uploadedAt: string | null;
  finishedAt: string | null;
}

export type PhotoOrderPatch = Partial<
  Omit<PhotoOrder, 'orderNo' | 'kioskId' | 'state' | 'createdAt' | 'updatedAt' | 'businessDate'>
>;

const columns: Record<keyof PhotoOrder, string> = {
  orderNo: 'order_no',
  kioskId: 'kiosk_id',
  sessionId: 'session_id',
  state: 'state',
  attentionFrom: 'attention_from',
  use: 'use',
  backdrop: 'backdrop',
  amountFen: 'amount_fen',
  payDeadline: 'pay_deadline',
  payOrderId: 'pay_order_id',
  payCodeUrl: 'pay_code_url',
  tradeState: 'trade_state',
  transactionId: 'transaction_id',
  paidAt: 'paid_at',
  receiptCode: 'receipt_code',
  uploadAttempts: 'upload_attempts',
  voidAnswer: 'void_answer',
  refundNo: 'refund_no',
  refundId: 'refund_id',
  lastError: 'last_error',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  businessDate: 'business_date',
  uploadedAt: 'uploaded_at',
  finishedAt: 'finished_at',
};

type Row = Record<string, string | number | null>;
function fromRow(r: Row): PhotoOrder {
  const o: Record<string, unknown> = {};
  for (const [k, c] of Object.entries(columns)) o[k] = r[c] ?? null;
  return o as unknown as PhotoOrder;
}

export class StalePhotoOrderError extends Error {
  constructor(orderNo: string, expected: readonly PhotoOrderState[], actual: PhotoOrderState | null) {
    super(`photo order ${orderNo} is ${actual ?? 'missing'}, expected ${expected.join(' | ')}`);
    this.name = 'StalePhotoOrderError';
  }
}

export class PhotoJournal {
  private readonly listeners: ((o: PhotoOrder) => void)[] = [];

  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {}

  onCommit(fn: (o: PhotoOrder) => void): void {
    this.listeners.push(fn);
  }

  get(orderNo: string): PhotoOrder | undefined {
    const r = this.db.prepare('SELECT * FROM photo_orders WHERE order_no = ?').get(orderNo) as Row | undefined;
    return r ? fromRow(r) : undefined;
  }

  require(orderNo: string): PhotoOrder {
    const o = this.get(orderNo);
    if (!o) throw new StalePhotoOrderError(orderNo, photoOrderStates, null);
    return o;
  }

  create(
    input: {
      orderNo: string;
      kioskId: string;
      sessionId: string | null;
      use: PhotoUse;
      backdrop: PhotoBackdrop;
      amountFen: number;
    },
    actor: string,
  ): PhotoOrder {
    const at = this.now().toISOString();
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO photo_orders (order_no, kiosk_id, session_id, state, use, backdrop, amount_fen, created_at, updated_at, business_date)
           VALUES (?, ?, ?, 'created', ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          input.orderNo,
          input.kioskId,
          input.sessionId,
          input.use,
          input.backdrop,
          input.amountFen,
          at,
          at,
          chinaDate(new Date(at)),
        );
      this.history(input.orderNo, at, null, 'created', actor, {});
    })();
    return this.committed(input.orderNo);
  }

  transition(
    orderNo: string,
    from: PhotoOrderState | readonly PhotoOrderState[],
    to: PhotoOrderState,
    patch: PhotoOrderPatch,
    actor: string,
    detail: Record<string, unknown> = {},
  ): PhotoOrder {
    const expected = typeof from === 'string' ? [from] : from;
    const at = this.now().toISOString();
    this.db.transaction(() => {
      const cur = this.get(orderNo);
      if (!cur || !expected.includes(cur.state)) throw new StalePhotoOrderError(orderNo, expected, cur?.state ?? null);
      if (!transitions[cur.state].includes(to)) throw new Error(`photo order ${orderNo}: ${cur.state} → ${to} is not allowed`);
      const extra: PhotoOrderPatch = { ...patch };
      if (to === 'needs_attention') extra.attentionFrom = cur.state;
      if (to === 'uploaded' && cur.uploadedAt === null) extra.uploadedAt = at;
      if (finalPhotoStates.includes(to)) extra.finishedAt = at;
      this.write(orderNo, at, { state: to, ...extra });
      this.history(orderNo, at, cur.state, to, actor, detail);
    })();
    return this.committed(orderNo);
  }

  /** Bookkeeping without a state change (error text, attempt counts, provider ids). */
  note(orderNo: string, patch: PhotoOrderPatch): PhotoOrder {
    this.write(orderNo, this.now().toISOString(), patch);
    return this.require(orderNo);
  }

  private write(orderNo: string, at: string, patch: PhotoOrderPatch & { state?: PhotoOrderState }): void {
    const entries = Object.entries(patch).filter(([, v]) => v !== undefined) as [keyof PhotoOrder, string | number | null][];
    this.db
      .prepare(
        `UPDATE photo_orders SET ${[...entries.map(([k]) => `${columns[k]} = ?`), 'updated_at = ?'].join(', ')} WHERE order_no = ?`,
      )
      .run(...entries.map(([, v]) => v), at, orderNo);
  }

  private history(
    orderNo: string,
    at: string,
    from: PhotoOrderState | null,
    to: PhotoOrderState,
    actor: string,
    detail: Record<string, unknown>,
  ): void {
    this.db
      .prepare('INSERT INTO photo_order_history (order_no, at, from_state, to_state, actor, detail) VALUES (?, ?, ?, ?, ?, ?)')
      .run(orderNo, at, from, to, actor, JSON.stringify(detail));
  }

  private committed(orderNo: string): PhotoOrder {
    const o = this.require(orderNo);
    for (const fn of this.listeners) fn(o);
    return o;
  }

  historyOf(orderNo: string): Array<{ from: string | null; to: string; actor: string }> {
    return (
      this.db
        .prepare('SELECT from_state, to_state, actor FROM photo_order_history WHERE order_no = ? ORDER BY id')
        .all(orderNo) as Row[]
    ).map((r) => ({
      from: (r.from_state as string | null) ?? null,
      to: String(r.to_state),
      actor: String(r.actor),
    }));
  }

  inStates(states: readonly PhotoOrderState[]): PhotoOrder[] {
    return (
      this.db
        .prepare(`SELECT * FROM photo_orders WHERE state IN (${states.map(() => '?').join(', ')}) ORDER BY created_at`)
        .all(...states) as Row[]
    ).map(fromRow);
  }

  /** Orders of one China date (created or paid on it), for reconciliation. */
  forDate(date: string): PhotoOrder[] {
    const start = new Date(Date.parse(`${date}T00:00:00+08:00`)).toISOString();
    const end = new Date(Date.parse(`${date}T00:00:00+08:00`) + 24 * 3600_000).toISOString();
    return (
      this.db
        .prepare('SELECT * FROM photo_orders WHERE business_date = ? OR (paid_at >= ? AND paid_at < ?) ORDER BY created_at')
        .all(date, start, end) as Row[]
    ).map(fromRow);
  }

  counts(): { uploadPending: number; needsAttention: number; active: number } {
    const rows = this.db.prepare('SELECT state, count(*) AS n FROM photo_orders GROUP BY state').all() as {
      state: PhotoOrderState;
      n: number;
    }[];
    const by = new Map(rows.map((r) => [r.state, r.n]));
    const active = ['created', 'awaiting_payment', 'paid', 'uploading', 'refund_requested'].reduce(
      (s, k) => s + (by.get(k as PhotoOrderState) ?? 0),
      0,
    );
    return { uploadPending: by.get('upload_pending') ?? 0, needsAttention: by.get('needs_attention') ?? 0, active };
  }
}
