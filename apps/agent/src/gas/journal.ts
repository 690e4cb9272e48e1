/**
 * The gas order journal in the agent's SQLite (WAL, synchronous FULL): one row per order plus an
 * append-only history. Every write is one transaction that checks the order's current state
 * (compare-and-set), so a transition the state machine forbids, or one based on a stale read,
 * never reaches the disk. `onCommit` runs after each commit; the crash test uses it to kill the
 * process at exactly that point.
 */
import { chinaDate, chinaDayRange, type Db } from '@kiosk/platform';
import {
  assertTransition,
  isOrderState,
  orderStates,
  pendingStates,
  finalStates,
  creditedStates,
  type OrderState,
  type OrderStep,
} from './states.js';

type MeterType = 'iot' | 'ic-card';
type GasReportState = 'none' | 'pending' | 'done' | 'failed';

export interface GasOrder {
  orderNo: string;
  kioskId: string;
  originKioskId: string;
  sessionId: string | null;
  state: OrderState;
  step: OrderStep | null;
  attentionFrom: OrderState | null;
  meterType: MeterType;
  accountNo: string;
  holderMasked: string;
  cardNo: string | null;
  cardCountBefore: number | null;
  amountFen: number;
  unitPriceFen: number | null;
  volumeM3: number | null;
  payDeadline: string | null;
  payOrderId: string | null;
  payCodeUrl: string | null;
  payExpiresAt: string | null;
  tradeState: string | null;
  transactionId: string | null;
  paidAt: string | null;
  creditId: string | null;
  balanceAfterFen: number | null;
  icPurchaseId: string | null;
  icTargetCount: number | null;
  icMac: string | null;
  icWriteAttempts: number;
  gasReport: GasReportState;
  refundNo: string | null;
  refundId: string | null;
  refundReason: string | null;
  receiptJobId: number | null;
  receiptPrinted: boolean;
  pendingSlipPrinted: boolean;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
  businessDate: string;
  creditedAt: string | null;
  finishedAt: string | null;
}

/** Columns a transition or step may set besides state/step. */
export type OrderPatch = Partial<
  Omit<GasOrder, 'orderNo' | 'state' | 'step' | 'createdAt' | 'updatedAt' | 'businessDate' | 'kioskId' | 'originKioskId'>
>;

export interface NewOrder {
  orderNo: string;
  kioskId: string;
  originKioskId?: string;
  sessionId?: string | null;
  meterType: MeterType;
  accountNo: string;
  holderMasked?: string;
  cardNo?: string | null;
  cardCountBefore?: number | null;
  amountFen: number;
  unitPriceFen?: number | null;
  /** Imported orders (补写卡 at another kiosk) start in credit_pending. */
  state?: 'created' | 'credit_pending';
  patch?: OrderPatch;
}

export interface HistoryEntry {
  id: number;
  orderNo: string;
  at: string;
  fromState: OrderState | null;
  toState: OrderState;
  step: OrderStep | null;
  actor: string;
  detail: Record<string, unknown>;
}

/** What a commit was: a state (`state:paid`) or a step inside a state (`step:card_write`). */
export type CommitPoint = `state:${OrderState}` | `step:${OrderStep}`;

export interface CommitMeta {
  /** Who moved it: `session`, `runner`, `recovery`, `retry`, `operator`. */
  actor: string;
  /** Codes and masked values only. */
  detail?: Record<string, unknown>;
}

export class StaleOrderError extends Error {
  constructor(
    readonly orderNo: string,
    readonly expected: readonly OrderState[],
    readonly actual: OrderState | null,
  ) {
    super(`order ${orderNo} is ${actual ?? 'missing'}, expected ${expected.join(' | ')}`);
    this.name = 'StaleOrderError';
  }
}

const columns: Record<keyof GasOrder, string> = {
  orderNo: 'order_no',
  kioskId: 'kiosk_id',
  originKioskId: 'origin_kiosk_id',
  sessionId: 'session_id',
  state: 'state',
  step: 'step',
  attentionFrom: 'attention_from',
  meterType: 'meter_type',
  accountNo: 'account_no',
  holderMasked: 'holder_masked',
  cardNo: 'card_no',
  cardCountBefore: 'card_count_before',
  amountFen: 'amount_fen',
  unitPriceFen: 'unit_price_fen',
  volumeM3: 'volume_m3',
  payDeadline: 'pay_deadline',
  payOrderId: 'pay_order_id',
  payCodeUrl: 'pay_code_url',
  payExpiresAt: 'pay_expires_at',
  tradeState: 'trade_state',
  transactionId: 'transaction_id',
  paidAt: 'paid_at',
  creditId: 'credit_id',
  balanceAfterFen: 'balance_after_fen',
  icPurchaseId: 'ic_purchase_id',
  icTargetCount: 'ic_target_count',
  icMac: 'ic_mac',
  icWriteAttempts: 'ic_write_attempts',
  gasReport: 'gas_report',
  refundNo: 'refund_no',
  refundId: 'refund_id',
  refundReason: 'refund_reason',
  receiptJobId: 'receipt_job_id',
  receiptPrinted: 'receipt_printed',
  pendingSlipPrinted: 'pending_slip_printed',
  lastError: 'last_error',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  businessDate: 'business_date',
  creditedAt: 'credited_at',
  finishedAt: 'finished_at',
};
const booleanColumns = new Set<keyof GasOrder>(['receiptPrinted', 'pendingSlipPrinted']);

type Row = Record<string, string | number | null>;

function fromRow(r: Row): GasOrder {
  const o = {} as Record<string, unknown>;
  for (const [key, col] of Object.entries(columns) as [keyof GasOrder, string][]) {
    const v = r[col] ?? null;
    o[key] = booleanColumns.has(key) ? v === 1 : v;
  }
  return o as unknown as GasOrder;
}

function toDb(key: keyof GasOrder, v: unknown): string | number | null {
  if (booleanColumns.has(key)) return v ? 1 : 0;
  if (v === undefined) return null;
  return v as string | number | null;
}

export interface GasJournalOptions {
  now?: () => Date;
  /** Called synchronously after every commit (crash test hook, metrics). */
  onCommit?: (point: CommitPoint, order: GasOrder) => void;
}

export interface OrderCounts {
  creditPending: number;
  needsAttention: number;
  /** Orders not final and not pending: something is (or should be) working on them. */
  active: number;
}

export class GasJournal {
  private readonly now: () => Date;
  private readonly listeners: ((point: CommitPoint, order: GasOrder) => void)[] = [];
  private readonly selectOne;
  private readonly insertHistory;

  constructor(
    private readonly db: Db,
    options: GasJournalOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    if (options.onCommit) this.listeners.push(options.onCommit);
    this.selectOne = db.prepare('SELECT * FROM gas_orders WHERE order_no = ?');
    this.insertHistory = db.prepare(
      'INSERT INTO gas_order_history (order_no, at, from_state, to_state, step, actor, detail) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
  }

  /** Runs after every commit, after the constructor's onCommit (which the crash test uses). */
  addCommitListener(fn: (point: CommitPoint, order: GasOrder) => void): () => void {
    this.listeners.push(fn);
    return () => {
      const i = this.listeners.indexOf(fn);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  private committed(point: CommitPoint, order: GasOrder): void {
    for (const fn of [...this.listeners]) fn(point, order);
  }

  get(orderNo: string): GasOrder | undefined {
    const r = this.selectOne.get(orderNo) as Row | undefined;
    return r ? fromRow(r) : undefined;
  }

  require(orderNo: string): GasOrder {
    const o = this.get(orderNo);
    if (!o) throw new StaleOrderError(orderNo, orderStates, null);
    return o;
  }

  create(input: NewOrder, meta: CommitMeta): GasOrder {
    const at = this.now().toISOString();
    const state = input.state ?? 'created';
    const row: GasOrder = {
      orderNo: input.orderNo,
      kioskId: input.kioskId,
      originKioskId: input.originKioskId ?? input.kioskId,
      sessionId: input.sessionId ?? null,
      state,
      step: null,
      attentionFrom: null,
      meterType: input.meterType,
      accountNo: input.accountNo,
      holderMasked: input.holderMasked ?? '',
      cardNo: input.cardNo ?? null,
      cardCountBefore: input.cardCountBefore ?? null,
      amountFen: input.amountFen,
      unitPriceFen: input.unitPriceFen ?? null,
      volumeM3: null,
      payDeadline: null,
      payOrderId: null,
      payCodeUrl: null,
      payExpiresAt: null,
      tradeState: null,
      transactionId: null,
      paidAt: null,
      creditId: null,
      balanceAfterFen: null,
      icPurchaseId: null,
      icTargetCount: null,
      icMac: null,
      icWriteAttempts: 0,
      gasReport: 'none',
      refundNo: null,
      refundId: null,
      refundReason: null,
      receiptJobId: null,
      receiptPrinted: false,
      pendingSlipPrinted: false,
      lastError: null,
      createdAt: at,
      updatedAt: at,
      businessDate: chinaDate(new Date(at)),
      creditedAt: null,
      finishedAt: null,
      ...input.patch,
    };
    const keys = Object.keys(columns) as (keyof GasOrder)[];
    this.db.transaction(() => {
      this.db
        .prepare(`INSERT INTO gas_orders (${keys.map((k) => columns[k]).join(', ')}) VALUES (${keys.map(() => '?').join(', ')})`)
        .run(...keys.map((k) => toDb(k, row[k])));
      this.insertHistory.run(row.orderNo, at, null, state, null, meta.actor, JSON.stringify(meta.detail ?? {}));
    })();
    const created = this.require(row.orderNo);
    this.committed(`state:${state}`, created);
    return created;
  }

  /**
   * Moves an order from one of `from` to `to` (checked against the state machine) and applies
   * `patch`, in one transaction. Throws StaleOrderError when the order is no longer in `from`.
   */
  transition(
    orderNo: string,
    from: OrderState | readonly OrderState[],
    to: OrderState,
    patch: OrderPatch,
    meta: CommitMeta,
  ): GasOrder {
    const expected = typeof from === 'string' ? [from] : from;
    const at = this.now().toISOString();
    this.db.transaction(() => {
      const current = this.get(orderNo);
      if (!current || !expected.includes(current.state)) throw new StaleOrderError(orderNo, expected, current?.state ?? null);
      assertTransition(orderNo, current.state, to, current.attentionFrom);
      const extra: OrderPatch = { ...patch };
      if (to === 'needs_attention') extra.attentionFrom = current.state;
      if (to === 'credited' && current.creditedAt === null && extra.creditedAt === undefined) extra.creditedAt = at;
      if (finalStates.includes(to)) extra.finishedAt = at;
      this.write(orderNo, at, { state: to, step: null, ...extra });
      this.insertHistory.run(orderNo, at, current.state, to, null, meta.actor, JSON.stringify(meta.detail ?? {}));
    })();
    const order = this.require(orderNo);
    this.committed(`state:${to}`, order);
    return order;
  }

  /** Journals a step inside the current state (no state change). */
  step(
    orderNo: string,
    inState: OrderState | readonly OrderState[],
    step: OrderStep,
    patch: OrderPatch,
    meta: CommitMeta,
  ): GasOrder {
    const expected = typeof inState === 'string' ? [inState] : inState;
    const at = this.now().toISOString();
    this.db.transaction(() => {
      const current = this.get(orderNo);
      if (!current || !expected.includes(current.state)) throw new StaleOrderError(orderNo, expected, current?.state ?? null);
      this.write(orderNo, at, { step, ...patch });
      this.insertHistory.run(orderNo, at, current.state, current.state, step, meta.actor, JSON.stringify(meta.detail ?? {}));
    })();
    const order = this.require(orderNo);
    this.committed(`step:${step}`, order);
    return order;
  }

  /** Bookkeeping that is not a money step (error text, receipt printed): no history row, no crash point. */
  note(orderNo: string, patch: Pick<OrderPatch, 'lastError' | 'receiptPrinted' | 'receiptJobId' | 'tradeState'>): void {
    this.write(orderNo, this.now().toISOString(), patch);
  }

  private write(orderNo: string, at: string, patch: OrderPatch & { state?: OrderState; step?: OrderStep | null }): void {
    const entries = Object.entries(patch).filter(([, v]) => v !== undefined) as [keyof GasOrder, unknown][];
    const sets = [...entries.map(([k]) => `${columns[k]} = ?`), 'updated_at = ?'];
    this.db
      .prepare(`UPDATE gas_orders SET ${sets.join(', ')} WHERE order_no = ?`)
      .run(...entries.map(([k, v]) => toDb(k, v)), at, orderNo);
  }

  history(orderNo: string): HistoryEntry[] {
    const rows = this.db.prepare('SELECT * FROM gas_order_history WHERE order_no = ? ORDER BY id').all(orderNo) as Row[];
    return rows.map((r) => ({
      id: Number(r.id),
      orderNo: String(r.order_no),
      at: String(r.at),
      fromState: r.from_state !== null && isOrderState(String(r.from_state)) ? (String(r.from_state) as OrderState) : null,
      toState: String(r.to_state) as OrderState,
      step: (r.step as OrderStep | null) ?? null,
      actor: String(r.actor),
      detail: JSON.parse(String(r.detail)) as Record<string, unknown>,
    }));
  }

  inStates(states: readonly OrderState[]): GasOrder[] {
    if (states.length === 0) return [];
    const rows = this.db
      .prepare(`SELECT * FROM gas_orders WHERE state IN (${states.map(() => '?').join(', ')}) ORDER BY created_at, order_no`)
      .all(...states) as Row[];
    return rows.map(fromRow);
  }

  /** Orders neither final nor pending: recovery drives these first. */
  unfinished(): GasOrder[] {
    return this.inStates(orderStates.filter((s) => !finalStates.includes(s) && !pendingStates.includes(s)));
  }

  pending(): GasOrder[] {
    return this.inStates(pendingStates);
  }

  /** Paid orders for one IC card whose gas is not on the card yet (the citizen must finish those first). */
  openForCard(cardNo: string): GasOrder[] {
    const done = [...finalStates, ...creditedStates];
    const rows = this.db
      .prepare(
        `SELECT * FROM gas_orders WHERE card_no = ? AND state NOT IN (${done.map(() => '?').join(', ')}) ORDER BY created_at`,
      )
      .all(cardNo, ...done) as Row[];
    return rows
      .map(fromRow)
      .filter(
        (o) =>
          o.state !== 'created' &&
          o.state !== 'awaiting_payment' &&
          !(o.state === 'needs_attention' && o.attentionFrom === 'awaiting_payment'),
      );
  }

  /** Orders that may appear in a day's reconciliation: created, paid or credited on that China date. */
  forDate(date: string): GasOrder[] {
    const { start, end } = chinaDayRange(date);
    const rows = this.db
      .prepare(
        `SELECT * FROM gas_orders WHERE business_date = ? OR (paid_at >= ? AND paid_at < ?) OR (credited_at >= ? AND credited_at < ?)
         ORDER BY created_at, order_no`,
      )
      .all(date, start, end, start, end) as Row[];
    return rows.map(fromRow);
  }

  all(): GasOrder[] {
    return (this.db.prepare('SELECT * FROM gas_orders ORDER BY created_at, order_no').all() as Row[]).map(fromRow);
  }

  counts(): OrderCounts {
    const rows = this.db.prepare('SELECT state, count(*) AS n FROM gas_orders GROUP BY state').all() as {
      state: string;
      n: number;
    }[];
    const by = new Map(rows.map((r) => [r.state, r.n]));
    let active = 0;
    for (const s of orderStates) if (!finalStates.includes(s) && !pendingStates.includes(s)) active += by.get(s) ?? 0;
    return { creditPending: by.get('credit_pending') ?? 0, needsAttention: by.get('needs_attention') ?? 0, active };
  }
}
