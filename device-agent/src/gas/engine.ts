/**
 * The gas top-up engine: everything that moves money or gas, around the journal (journal.ts) and
 * the order machine (states.ts). The UI never drives a money step directly; it asks for an order,
 * and the engine watches the payment, credits the gas, prints, and on any doubt parks the order in
 * credit_pending instead of guessing. See docs/gas.md.
 *
 * Rules kept here:
 * - every state is committed before the step it announces (journal first, then the call);
 * - every upstream call carries the order number, the terminal business serial number, as its
 *   idempotency key (payment out_trade_no, gas company serialNo, refund out_refund_no = orderNo+R);
 * - a paid order whose credit failed or is unknown becomes credit_pending, never refunded by the
 *   engine; a refund is an operator's request and needs the gas company to confirm no credit;
 * - IC cards: the card is re-read and its purchase counter compared before any (re)write;
 * - one order's steps never run concurrently (per-order lock).
 */
import { EventEmitter } from 'node:events';
import { randomInt } from 'node:crypto';
import QRCode from 'qrcode';
import type { Logger } from 'pino';
import type { KioskConfig } from '../config/schema.js';
import type { DeviceDriver } from '../devices/status.js';
import type { PrintResult } from '../devices/printer/driver.js';
import type { ReceiptDocument } from '../receipts/document.js';
import { GasCardError, type GasCardData, type GasCardReader } from '../devices/gascard/types.js';
import type { GasAccount, IcPurchase, PaymentOrder } from '../services/contract.js';
import { UpstreamError, type CitizenMessage } from '../services/errors.js';
import type { GasConnector } from '../services/gas.js';
import type { PaymentConnector } from '../services/payment.js';
import { GAS_COMPANY_NAME } from './constants.js';
import { errorCode, fromUpstream, gasError, GasError, messages, outcomeUnknown } from './errors.js';
import { GasJournal, StaleOrderError, type CommitMeta, type GasOrder, type OrderCounts } from './journal.js';
import { gasReceipt, maskAccountNo, maskCardNo, orderNoFromScan, pendingSlip, type SlipContext } from './receipts.js';
import { creditedStates, phaseOf, type OrderPhase, type OrderState } from './states.js';

export type GasSettings = KioskConfig['gas'];
export type BusyReason = 'payment' | 'cardWrite' | 'printing';

/** What the engine needs from a receipt printer (PrinterDriver satisfies it). */
export interface SlipPrinter extends DeviceDriver {
  print(doc: ReceiptDocument): Promise<PrintResult>;
}

export function isSlipPrinter(d: DeviceDriver | undefined): d is SlipPrinter {
  return d !== undefined && d.kind === 'printer' && typeof (d as Partial<SlipPrinter>).print === 'function';
}

export interface GasEngineOptions {
  journal: GasJournal;
  gas: GasConnector;
  payment: PaymentConnector;
  settings: GasSettings;
  kioskId: string;
  /** Merchant / gas company name for slips. */
  company?: string;
  site?: string;
  hotline?: string;
  cardReader?: () => GasCardReader | undefined;
  printer?: () => SlipPrinter | undefined;
  logger: Logger;
  now?: () => Date;
}

export interface AmountRules {
  minFen: number;
  maxFen: number;
  stepFen: number;
  /** The configured presets that fit this account's range. */
  presetsFen: number[];
}

export interface AccountView {
  accountNoMasked: string;
  holderNameMasked: string;
  address: string;
  company: string;
  meterType: 'iot' | 'ic-card';
  status: 'normal' | 'suspended';
  balanceFen: number | null;
  arrearsFen: number;
  purchaseCount: number | null;
  lastPurchase: GasAccount['lastPurchase'];
  unitPriceFen: number;
  allowanceFen: number | null;
  amounts: AmountRules;
  /** False with a reason when this account cannot be topped up here now. */
  canTopUp: boolean;
  reason: { reason: string; citizen: CitizenMessage } | null;
  /** IC-card meters: the top-up is written to the card, which must be in the reader. */
  needsCard: boolean;
}

export interface CardView {
  cardNoMasked: string;
  purchaseCount: number;
  storedPurchase: GasCardData['storedPurchase'];
  /** Pending or unfinished orders of this kiosk for this card: offer 补写卡 first. */
  pendingOrders: string[];
}

export type OrderStage =
  | 'created'
  | 'awaitingPayment'
  | 'paymentUnknown'
  | 'paymentExpired'
  | 'paymentClosed'
  | 'crediting'
  | 'writingCard'
  | 'credited'
  | 'creditPending'
  | 'needsAttention'
  | 'refundRequested'
  | 'refunded'
  | 'done';

export interface OrderView {
  orderNo: string;
  state: OrderState;
  phase: OrderPhase;
  stage: OrderStage;
  meterType: 'iot' | 'ic-card';
  accountNoMasked: string;
  holderNameMasked: string;
  cardNoMasked: string | null;
  amountFen: number;
  volumeM3: number | null;
  payment: { codeUrl: string | null; deadline: string | null; secondsLeft: number; tradeState: string | null } | null;
  balanceAfterFen: number | null;
  /** IC cards: the card's purchase counter after the write. */
  purchaseCount: number | null;
  receiptPrinted: boolean;
  pendingSlipPrinted: boolean;
  /** What to tell the citizen about this outcome, if anything. */
  message: CitizenMessage | null;
  /** A money step of this order is running right now. */
  busy: BusyReason | null;
  createdAt: string;
  updatedAt: string;
}

export interface CreatedOrder {
  order: OrderView;
  /** The payment QR code as an SVG document (encodes order.payment.codeUrl). */
  qrSvg: string;
}

export interface PaymentTick {
  orderNo: string;
  tradeState: string;
  secondsLeft: number;
}

export interface GasAlert {
  kind: 'gas.needs_attention';
  orderNo: string;
  /** The state the order was stuck in. */
  from: OrderState | null;
  amountFen: number;
  meterType: 'iot' | 'ic-card';
  reason: string | null;
  at: string;
}

export interface PrintOutcome {
  printed: boolean;
  kind: 'receipt' | 'pending' | null;
  reason: string | null;
  order: OrderView;
}

interface GasEngineEvents {
  order: [view: OrderView];
  payment: [tick: PaymentTick];
  counts: [counts: OrderCounts];
  alert: [alert: GasAlert];
}

interface Watcher {
  cancel: boolean;
  wake: () => void;
  done: Promise<void>;
}

const ORDER_ALPHABET = '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ';
const REST_STATES: readonly OrderState[] = [
  'payment_expired',
  'payment_closed',
  'credited',
  'receipt_printed',
  'done',
  'credit_pending',
  'needs_attention',
  'refunded',
];
/** States from which a credit may (still) be attempted. */
const CREDITABLE: readonly OrderState[] = ['paid', 'crediting', 'credit_pending'];

function chinaStamp(at: Date): string {
  return new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace(/[-T:]/g, '');
}

export class GasEngine extends EventEmitter<GasEngineEvents> {
  readonly journal: GasJournal;
  private readonly gas: GasConnector;
  private readonly payment: PaymentConnector;
  private readonly settings: GasSettings;
  private readonly kioskId: string;
  private readonly slip: Omit<SlipContext, 'now'>;
  private readonly cardReader: () => GasCardReader | undefined;
  private readonly printer: () => SlipPrinter | undefined;
  private readonly log: Logger;
  private readonly now: () => Date;

  /** Money steps the citizen is waiting for (background retries are not listed). */
  private readonly inFlight = new Map<string, BusyReason>();
  /** Orders a citizen is being served with in this process (created or finished from the UI). */
  private readonly foreground = new Set<string>();
  private readonly watchers = new Map<string, Watcher>();
  private readonly locks = new Map<string, Promise<unknown>>();
  /** awaiting_payment orders whose watcher gave up (provider unreachable past the deadline). */
  private readonly unknownPayment = new Set<string>();
  private readonly idleWaiters = new Set<() => void>();
  private lastCard: GasCardData | null = null;
  private lastCounts: OrderCounts | null = null;
  private timer: NodeJS.Timeout | undefined;
  private tickRunning: Promise<void> | undefined;
  private stopped = false;
  private isReady = false;
  private readonly unsubscribe: () => void;

  constructor(opts: GasEngineOptions) {
    super();
    this.journal = opts.journal;
    this.gas = opts.gas;
    this.payment = opts.payment;
    this.settings = opts.settings;
    this.kioskId = opts.kioskId;
    this.slip = {
      company: opts.company ?? GAS_COMPANY_NAME,
      kioskId: opts.kioskId,
      ...(opts.site !== undefined ? { site: opts.site } : {}),
      ...(opts.hotline !== undefined ? { hotline: opts.hotline } : {}),
    };
    this.cardReader = opts.cardReader ?? (() => undefined);
    this.printer = opts.printer ?? (() => undefined);
    this.log = opts.logger;
    this.now = opts.now ?? (() => new Date());
    this.unsubscribe = this.journal.addCommitListener((point, order) => {
      this.log.info(
        { orderNo: order.orderNo, point, state: order.state, meter: order.meterType, account: maskAccountNo(order.accountNo), amountFen: order.amountFen },
        'gas order journaled',
      );
      this.emit('order', this.toView(order));
      this.emitCounts();
    });
  }

  // ---- life cycle ---------------------------------------------------------------------------------

  /** Start-up recovery: resolves once every unfinished order is final or pending. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.recoverAll('startup');
    this.isReady = true;
    this.emitCounts(true);
    this.timer = setInterval(() => void this.tick(), this.settings.recoveryIntervalMs);
    this.timer.unref();
    // Pending credits are retried at once, not a whole interval later; start() does not wait.
    setImmediate(() => void this.tick());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const w of this.watchers.values()) w.wake();
    const running: Promise<unknown>[] = [...this.watchers.values()].map((w) => w.done);
    if (this.tickRunning) running.push(this.tickRunning);
    running.push(...[...this.locks.values()].map((p) => p.catch(() => undefined)));
    await Promise.race([Promise.allSettled(running), new Promise((r) => setTimeout(r, 10_000).unref())]);
    this.unsubscribe();
  }

  ready(): boolean {
    return this.isReady;
  }

  counts(): OrderCounts {
    return this.journal.counts();
  }

  /** True while a payment is being watched, gas credited, a card written or a slip printed. */
  isMoneyStepInFlight(): boolean {
    return this.inFlight.size > 0;
  }

  busyReason(): BusyReason | null {
    const reasons = new Set(this.inFlight.values());
    for (const r of ['cardWrite', 'printing', 'payment'] as const) if (reasons.has(r)) return r;
    return null;
  }

  /** Resolves when no money step is in flight (countdowns and remote commands wait for this). */
  whenIdle(): Promise<void> {
    if (this.inFlight.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.add(resolve));
  }

  private setBusy(orderNo: string, reason: BusyReason | null): void {
    if (reason && this.foreground.has(orderNo)) this.inFlight.set(orderNo, reason);
    else if (!this.inFlight.has(orderNo)) return;
    else if (!reason) this.inFlight.delete(orderNo);
    const o = this.journal.get(orderNo);
    if (o) this.emit('order', this.toView(o));
    if (this.inFlight.size === 0) {
      for (const fn of [...this.idleWaiters]) fn();
      this.idleWaiters.clear();
    }
  }

  private emitCounts(force = false): void {
    const c = this.journal.counts();
    const last = this.lastCounts;
    this.lastCounts = c;
    if (force || !last || last.creditPending !== c.creditPending || last.needsAttention !== c.needsAttention || last.active !== c.active) {
      this.emit('counts', c);
    }
  }

  // ---- the citizen's flow -------------------------------------------------------------------------

  settingsView(): { presetsFen: number[]; minAmountFen: number; maxAmountFen: number; amountStepFen: number; paymentCountdownSeconds: number } {
    const s = this.settings;
    return {
      presetsFen: [...s.presetsFen],
      minAmountFen: s.minAmountFen,
      maxAmountFen: s.maxAmountFen,
      amountStepFen: s.amountStepFen,
      paymentCountdownSeconds: s.paymentCountdownSeconds,
    };
  }

  async lookupAccount(query: { accountNo: string } | { cardNo: string }, signal?: AbortSignal): Promise<{ account: GasAccount; view: AccountView }> {
    let account: GasAccount;
    try {
      account = await this.gas.lookupAccount(query, signal ? { signal } : {});
    } catch (err) {
      if (err instanceof UpstreamError) throw fromUpstream(err);
      throw err;
    }
    return { account, view: this.accountView(account) };
  }

  amountRules(a: GasAccount): AmountRules {
    const s = this.settings;
    const minFen = Math.max(s.minAmountFen, a.limits.minAmountFen);
    let maxFen = Math.min(s.maxAmountFen, a.limits.maxAmountFen);
    if (a.allowanceFen !== null) maxFen = Math.min(maxFen, a.allowanceFen);
    return { minFen, maxFen, stepFen: s.amountStepFen, presetsFen: s.presetsFen.filter((p) => p >= minFen && p <= maxFen) };
  }

  private accountView(a: GasAccount): AccountView {
    const amounts = this.amountRules(a);
    let reason: AccountView['reason'] = null;
    if (a.status !== 'normal') reason = gasError('userError', 'ACCOUNT_SUSPENDED').toPayload();
    else if (amounts.maxFen < amounts.minFen) reason = gasError('userError', 'ALLOWANCE_EXHAUSTED').toPayload();
    return {
      accountNoMasked: maskAccountNo(a.accountNo),
      holderNameMasked: a.holderNameMasked,
      address: a.address,
      company: a.company,
      meterType: a.meterType,
      status: a.status,
      balanceFen: a.balanceFen,
      arrearsFen: a.arrearsFen,
      purchaseCount: a.purchaseCount,
      lastPurchase: a.lastPurchase,
      unitPriceFen: a.unitPriceFen,
      allowanceFen: a.allowanceFen,
      amounts,
      canTopUp: reason === null,
      reason,
      needsCard: a.meterType === 'ic-card',
    };
  }

  private requireReader(): GasCardReader {
    const r = this.cardReader();
    if (!r || r.status().device === 'noDevice') throw gasError('deviceNotReady', 'NO_CARD_READER');
    return r;
  }

  /** Waits for the gas card, reads it and looks its account up. */
  async readCard(options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<{ card: CardView; account: AccountView }> {
    const reader = this.requireReader();
    let data: GasCardData;
    try {
      data = await reader.waitForCard({ timeoutMs: options.timeoutMs ?? this.settings.cardWaitMs, ...(options.signal ? { signal: options.signal } : {}) });
    } catch (err) {
      throw this.cardError(err);
    }
    this.lastCard = data;
    const { account, view } = await this.lookupAccount({ cardNo: data.cardNo }, options.signal);
    const pendingOrders = this.journal.openForCard(data.cardNo).map((o) => o.orderNo);
    let accountView = view;
    if (view.canTopUp && pendingOrders.length > 0) {
      accountView = { ...view, canTopUp: false, reason: gasError('userError', 'PENDING_CARD_WRITE').toPayload() };
    } else if (view.canTopUp && account.purchaseCount !== null && account.purchaseCount !== data.purchaseCount) {
      accountView = { ...view, canTopUp: false, reason: gasError('userError', 'CARD_COUNTER_MISMATCH').toPayload() };
    }
    return {
      card: { cardNoMasked: maskCardNo(data.cardNo), purchaseCount: data.purchaseCount, storedPurchase: data.storedPurchase, pendingOrders },
      account: accountView,
    };
  }

  private cardError(err: unknown): GasError {
    if (err instanceof GasError) return err;
    if (err instanceof GasCardError) {
      if (err.code === 'noCard' || err.code === 'timeout') return gasError(err.code === 'timeout' ? 'timeOut' : 'userError', 'NO_CARD', err.message);
      if (err.code === 'offline') return gasError('deviceNotReady', 'NO_CARD_READER', err.message);
      if (err.code === 'canceled') return gasError('canceled', 'NO_CARD', err.message);
      return gasError('hardwareError', 'CARD_READ_FAILED', err.message);
    }
    return gasError('hardwareError', 'CARD_READ_FAILED', err instanceof Error ? err.message : String(err));
  }

  private newOrderNo(): string {
    let tail = '';
    for (let i = 0; i < 6; i++) tail += ORDER_ALPHABET[randomInt(ORDER_ALPHABET.length)];
    return `GT${chinaStamp(this.now())}${tail}`;
  }

  /**
   * Creates the order and the provider's QR order. Pass `accountNo` for an account typed on the
   * keypad, or nothing to top up the card read by readCard (IC-card meters always need the card).
   */
  async createOrder(input: { amountFen: number; accountNo?: string; sessionId?: string | null }): Promise<CreatedOrder> {
    if (!this.isReady) throw gasError('deviceNotReady', 'NOT_READY');
    if (this.watchers.size > 0 || [...this.inFlight.values()].some((r) => r !== 'printing')) {
      throw gasError('sequenceError', 'ORDER_IN_PROGRESS');
    }
    for (const no of this.foreground) {
      const f = this.journal.get(no);
      if (!f || phaseOf(f.state) !== 'active') this.foreground.delete(no);
    }
    let card: GasCardData | null = null;
    let accountNo = input.accountNo;
    if (accountNo === undefined) {
      if (!this.lastCard) throw gasError('userError', 'CARD_REQUIRED');
      accountNo = this.lastCard.accountNo;
    }
    const { account } = await this.lookupAccount({ accountNo });
    if (account.status !== 'normal') throw gasError('userError', 'ACCOUNT_SUSPENDED');
    const rules = this.amountRules(account);
    if (rules.maxFen < rules.minFen) throw gasError('userError', 'ALLOWANCE_EXHAUSTED');
    if (!Number.isInteger(input.amountFen) || input.amountFen < rules.minFen || input.amountFen > rules.maxFen) {
      throw gasError('invalidData', 'AMOUNT_OUT_OF_RANGE', `amount must be ${rules.minFen}..${rules.maxFen} fen`);
    }
    if (input.amountFen % rules.stepFen !== 0) throw gasError('invalidData', 'AMOUNT_STEP');

    if (account.meterType === 'ic-card') {
      // The write needs the card: read it again now, so the counter the purchase is based on is fresh.
      const reader = this.requireReader();
      if (!reader.cardPresent()) throw gasError('userError', 'CARD_REQUIRED');
      try {
        card = await reader.readCard();
      } catch (err) {
        throw this.cardError(err);
      }
      this.lastCard = card;
      if (card.cardNo !== account.cardNo) throw gasError('userError', 'CARD_MISMATCH');
      if (this.journal.openForCard(card.cardNo).length > 0) throw gasError('userError', 'PENDING_CARD_WRITE');
      if (account.purchaseCount !== null && card.purchaseCount !== account.purchaseCount) {
        throw gasError('userError', 'CARD_COUNTER_MISMATCH');
      }
    }

    const orderNo = this.newOrderNo();
    const meta: CommitMeta = { actor: 'session', detail: { amountFen: input.amountFen, meter: account.meterType } };
    this.journal.create(
      {
        orderNo,
        kioskId: this.kioskId,
        sessionId: input.sessionId ?? null,
        meterType: account.meterType,
        accountNo: account.accountNo,
        holderMasked: account.holderNameMasked,
        cardNo: card?.cardNo ?? null,
        cardCountBefore: card?.purchaseCount ?? null,
        amountFen: input.amountFen,
        unitPriceFen: account.unitPriceFen,
      },
      meta,
    );
    const deadline = new Date(this.now().getTime() + this.settings.paymentCountdownSeconds * 1000).toISOString();
    this.foreground.add(orderNo);
    this.journal.transition(orderNo, 'created', 'awaiting_payment', { payDeadline: deadline }, { actor: 'session' });
    this.setBusy(orderNo, 'payment');
    let p: PaymentOrder;
    try {
      p = await this.payment.createOrder({
        outTradeNo: orderNo,
        amountFen: input.amountFen,
        description: `天然气充值 户号${maskAccountNo(account.accountNo)}`,
        expireSeconds: Math.max(10, this.settings.paymentCountdownSeconds + this.settings.paymentExpiryGraceSeconds),
      });
    } catch (err) {
      this.log.warn({ orderNo, err: errorCode(err) }, 'payment order could not be created; closing it');
      this.journal.note(orderNo, { lastError: errorCode(err) });
      // The provider may or may not have the order: the watcher closes it either way.
      this.startWatcher(orderNo, true);
      throw err instanceof UpstreamError && !outcomeUnknown(err) ? fromUpstream(err) : gasError('deviceNotReady', 'PAYMENT_UNAVAILABLE', errorCode(err));
    }
    const o = this.journal.step(
      orderNo,
      'awaiting_payment',
      'payment_created',
      { payOrderId: p.orderId, payCodeUrl: p.codeUrl, payExpiresAt: p.expiresAt, tradeState: p.tradeState },
      { actor: 'session' },
    );
    this.startWatcher(orderNo, false);
    const qrSvg = await QRCode.toString(p.codeUrl, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
    return { order: this.toView(o), qrSvg };
  }

  /** The card left the reader: the next citizen's order must not use it. */
  forgetCard(): void {
    this.lastCard = null;
  }

  /**
   * The session is ending (timeout, cancel, goodbye): close any order still waiting for payment,
   * forget the card, and resolve once no money step is in flight. A paid order keeps going.
   */
  async endSession(): Promise<void> {
    this.lastCard = null;
    const open = [...this.foreground].filter((no) => this.journal.get(no)?.state === 'awaiting_payment');
    await Promise.all(open.map((no) => this.cancel(no).catch((err: unknown) => this.log.warn({ orderNo: no, err: errorCode(err) }, 'closing at session end failed'))));
    await this.whenIdle();
  }

  /** The citizen cancelled, or the session is ending: close the payment if it is still unpaid. */
  async cancel(orderNo: string): Promise<OrderView> {
    const o = this.requireOrder(orderNo);
    if (o.state === 'created') {
      // Nothing was sent to the provider yet.
      return this.toView(this.journal.transition(orderNo, 'created', 'payment_closed', { lastError: 'payment:never_sent' }, { actor: 'session' }));
    }
    if (o.state === 'awaiting_payment') {
      const w = this.watchers.get(orderNo) ?? this.startWatcher(orderNo, true);
      w.cancel = true;
      w.wake();
      await w.done;
      const after = this.requireOrder(orderNo);
      if (after.state === 'awaiting_payment') return this.toView(after);
      if (after.state === 'paid' || after.state === 'crediting') await this.settled(orderNo);
      return this.toView(this.requireOrder(orderNo));
    }
    if (o.state === 'paid' || o.state === 'crediting') {
      // Paid before the cancel arrived: the money step goes on; the caller gets its outcome.
      return this.waitForRest(orderNo);
    }
    if (REST_STATES.includes(o.state)) return this.toView(o);
    throw gasError('sequenceError', 'CANNOT_CANCEL', `order is ${o.state}`);
  }

  view(orderNo: string): OrderView {
    return this.toView(this.requireOrder(orderNo));
  }

  private requireOrder(orderNo: string): GasOrder {
    const o = this.journal.get(orderNo);
    if (!o) throw gasError('invalidData', 'ORDER_NOT_FOUND');
    return o;
  }

  /**
   * Resolves when the order rests (paid and credited, pending, closed …) and nothing runs for it.
   * `onTick` gets the payment countdown while the QR code is shown.
   */
  async waitForRest(orderNo: string, options: { signal?: AbortSignal; onTick?: (t: PaymentTick) => void; onOrder?: (v: OrderView) => void } = {}): Promise<OrderView> {
    this.requireOrder(orderNo);
    return new Promise<OrderView>((resolve, reject) => {
      const cleanup = (): void => {
        this.off('order', onOrder);
        this.off('payment', onTick);
        options.signal?.removeEventListener('abort', onAbort);
      };
      const check = (): boolean => {
        const o = this.journal.get(orderNo);
        if (!o) return false;
        if (this.isRest(o)) {
          cleanup();
          resolve(this.toView(o));
          return true;
        }
        return false;
      };
      const onOrder = (v: OrderView): void => {
        if (v.orderNo !== orderNo) return;
        options.onOrder?.(v);
        check();
      };
      const onTick = (t: PaymentTick): void => {
        if (t.orderNo === orderNo) options.onTick?.(t);
      };
      const onAbort = (): void => {
        cleanup();
        reject(options.signal?.reason instanceof Error ? options.signal.reason : new Error('canceled'));
      };
      this.on('order', onOrder);
      this.on('payment', onTick);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      if (!check()) this.ensureDriven(orderNo);
    });
  }

  private isRest(o: GasOrder): boolean {
    if (this.inFlight.has(o.orderNo) || this.locks.has(o.orderNo)) return false;
    if (REST_STATES.includes(o.state)) return true;
    return o.state === 'awaiting_payment' && this.unknownPayment.has(o.orderNo) && !this.watchers.has(o.orderNo);
  }

  /** Something is working on this order, or starts now. */
  private ensureDriven(orderNo: string): void {
    const o = this.journal.get(orderNo);
    if (!o || this.locks.has(orderNo) || this.inFlight.has(orderNo)) return;
    if (o.state === 'awaiting_payment' && !this.watchers.has(orderNo) && !this.unknownPayment.has(orderNo)) this.startWatcher(orderNo, false);
    else if (o.state === 'paid' || o.state === 'crediting') void this.deliver(orderNo, { actor: 'session', allowCard: true });
  }

  private async settled(orderNo: string): Promise<void> {
    for (;;) {
      const lock = this.locks.get(orderNo);
      if (!lock) return;
      await lock.catch(() => undefined);
    }
  }

  // ---- payment ------------------------------------------------------------------------------------

  private startWatcher(orderNo: string, cancel: boolean): Watcher {
    const existing = this.watchers.get(orderNo);
    if (existing) {
      if (cancel) existing.cancel = true;
      existing.wake();
      return existing;
    }
    let wakeFn: () => void = () => {};
    const w: Watcher = {
      cancel,
      wake: () => wakeFn(),
      done: Promise.resolve(),
    };
    this.unknownPayment.delete(orderNo);
    this.watchers.set(orderNo, w);
    this.setBusy(orderNo, 'payment');
    const sleep = (ms: number): Promise<void> =>
      new Promise((resolve) => {
        const t = setTimeout(done, Math.max(0, ms));
        function done(): void {
          clearTimeout(t);
          resolve();
        }
        wakeFn = done;
      });
    w.done = (async () => {
      let paid = false;
      try {
        paid = await this.watchPayment(orderNo, w, sleep);
      } catch (err) {
        this.log.error({ orderNo, err: errorCode(err) }, 'payment watcher failed');
      } finally {
        this.watchers.delete(orderNo);
      }
      if (paid && !this.stopped) await this.deliver(orderNo, { actor: 'runner', allowCard: true });
      else this.setBusy(orderNo, null);
    })();
    return w;
  }

  /** Polls the provider until the order is paid, closed or expired. Returns true when paid. */
  private async watchPayment(orderNo: string, w: Watcher, sleep: (ms: number) => Promise<void>): Promise<boolean> {
    for (;;) {
      const o = this.journal.get(orderNo);
      if (!o || o.state !== 'awaiting_payment') return o?.state === 'paid';
      if (this.stopped) return false;
      const now = this.now().getTime();
      const deadline = o.payDeadline ? Date.parse(o.payDeadline) : now;
      if (w.cancel || now >= deadline) {
        try {
          await this.closeUnpaid(o, w.cancel ? 'payment_closed' : 'payment_expired', 'runner');
        } catch (err) {
          this.journal.note(orderNo, { lastError: errorCode(err) });
          if (now > deadline + this.settings.closeGraceMs) {
            // The provider cannot be reached: stop holding the session; the retry loop goes on.
            this.log.warn({ orderNo, err: errorCode(err) }, 'cannot close the unpaid order; leaving it to the retry loop');
            this.unknownPayment.add(orderNo);
            return false;
          }
          await sleep(this.settings.paymentPollMs);
        }
        continue;
      }
      try {
        const q = await this.payment.queryOrder(orderNo, { timeoutMs: Math.min(5000, this.settings.paymentPollMs * 2 + 1000) });
        const after = this.applyTradeState(o, q, 'runner');
        if (after.state === 'awaiting_payment') {
          if (q.tradeState !== o.tradeState) this.journal.note(orderNo, { tradeState: q.tradeState });
          this.emit('payment', { orderNo, tradeState: q.tradeState, secondsLeft: Math.max(0, Math.ceil((deadline - this.now().getTime()) / 1000)) });
        }
      } catch (err) {
        if (err instanceof UpstreamError && err.code === 'NOT_FOUND' && o.payOrderId === null) {
          this.journal.transition(orderNo, 'awaiting_payment', 'payment_closed', { lastError: 'payment:never_created' }, { actor: 'runner' });
          continue;
        }
        this.log.warn({ orderNo, err: errorCode(err) }, 'payment query failed');
      }
      await sleep(Math.min(this.settings.paymentPollMs, Math.max(0, deadline - this.now().getTime())));
    }
  }

  /** Journals what the provider says about an unpaid order; returns the order afterwards. */
  private applyTradeState(o: GasOrder, q: PaymentOrder, actor: string): GasOrder {
    const from: OrderState[] = ['awaiting_payment', 'needs_attention'];
    const meta: CommitMeta = { actor, detail: { tradeState: q.tradeState } };
    const pay = { payOrderId: q.orderId, tradeState: q.tradeState };
    switch (q.tradeState) {
      case 'SUCCESS':
        return this.journal.transition(o.orderNo, from, 'paid', { ...pay, transactionId: q.transactionId, paidAt: q.paidAt }, meta);
      case 'CLOSED': {
        const expired = o.payDeadline !== null && this.now().toISOString() >= o.payDeadline;
        return this.journal.transition(o.orderNo, from, expired ? 'payment_expired' : 'payment_closed', pay, meta);
      }
      case 'PAYERROR':
        return this.journal.transition(o.orderNo, from, 'payment_closed', pay, meta);
      case 'REFUND':
        // Refunded outside the kiosk: a person must look at it.
        if (o.state === 'needs_attention') return o;
        return this.escalate(o, 'payment:refunded_outside', actor, pay);
      case 'NOTPAY':
      case 'USERPAYING':
        return o;
    }
  }

  /** Closes an unpaid order at the provider. A close that loses the race to a payment yields paid. */
  private async closeUnpaid(o: GasOrder, to: 'payment_expired' | 'payment_closed', actor: string): Promise<GasOrder> {
    try {
      const r = await this.payment.closeOrder(o.orderNo);
      if (r.tradeState === 'CLOSED') {
        return this.journal.transition(o.orderNo, ['awaiting_payment', 'needs_attention'], to, { payOrderId: r.orderId, tradeState: 'CLOSED' }, { actor });
      }
      return this.applyTradeState(o, r, actor);
    } catch (err) {
      if (err instanceof UpstreamError && err.code === 'NOT_FOUND') {
        // The provider never saw it (create-order never arrived): nobody can pay it.
        return this.journal.transition(o.orderNo, ['awaiting_payment', 'needs_attention'], 'payment_closed', { lastError: 'payment:never_created' }, { actor });
      }
      if (err instanceof UpstreamError && err.code === 'REJECTED') {
        // ORDER_PAID: paid in the last second. Ask what it is now.
        const q = await this.payment.queryOrder(o.orderNo);
        return this.applyTradeState(o, q, actor);
      }
      throw err;
    }
  }

  // ---- credit -------------------------------------------------------------------------------------

  private withLock<T>(orderNo: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(orderNo) ?? Promise.resolve();
    const run = prev.catch(() => undefined).then(fn);
    const tail = run.catch(() => undefined);
    this.locks.set(orderNo, tail);
    void tail.then(() => {
      if (this.locks.get(orderNo) === tail) {
        this.locks.delete(orderNo);
        // A waitForRest may be waiting for the lock to be released.
        const o = this.journal.get(orderNo);
        if (o) this.emit('order', this.toView(o));
      }
    });
    return run;
  }

  private wantsCredit(o: GasOrder): boolean {
    if (CREDITABLE.includes(o.state)) return true;
    return o.state === 'needs_attention' && o.attentionFrom !== null && CREDITABLE.includes(o.attentionFrom);
  }

  /**
   * Delivers the gas of a paid order: IoT meters by remote credit, IC cards by purchase + card
   * write. On any failure or doubt the order ends in credit_pending (or back in needs_attention
   * when it came from there); never refunded here.
   */
  async deliver(orderNo: string, opts: { actor: string; allowCard: boolean }): Promise<GasOrder> {
    return this.withLock(orderNo, async () => {
      let o = this.requireOrder(orderNo);
      if (!this.wantsCredit(o)) return o;
      const backTo: OrderState = o.state === 'needs_attention' ? 'needs_attention' : 'credit_pending';
      const meta: CommitMeta = { actor: opts.actor };
      this.setBusy(orderNo, 'payment');
      try {
        if (
          o.meterType === 'ic-card' &&
          !opts.allowCard &&
          o.icPurchaseId !== null &&
          o.step !== 'card_written' &&
          (o.state === 'credit_pending' || o.state === 'needs_attention')
        ) {
          // Without the card nothing can be written; only ask whether it was finished elsewhere.
          return await this.checkIcElsewhere(o, meta);
        }
        if (o.state !== 'crediting') o = this.journal.transition(orderNo, ['paid', 'credit_pending', 'needs_attention'], 'crediting', {}, meta);
        return o.meterType === 'iot' ? await this.creditIot(o, backTo, meta) : await this.creditIc(o, backTo, opts.allowCard, meta);
      } catch (err) {
        this.log.error({ orderNo, err: errorCode(err), stack: err instanceof Error ? err.stack : undefined }, 'credit step failed unexpectedly');
        const now = this.journal.get(orderNo);
        if (now?.state === 'crediting') return this.park(now, backTo, errorCode(err), meta);
        return now ?? o;
      } finally {
        this.setBusy(orderNo, null);
      }
    });
  }

  private park(o: GasOrder, to: OrderState, reason: string, meta: CommitMeta): GasOrder {
    const firstTime = to === 'needs_attention' && o.attentionFrom === null;
    const after = this.journal.transition(o.orderNo, 'crediting', to, { lastError: reason }, { ...meta, detail: { ...meta.detail, reason } });
    if (firstTime) this.alert(after, 'crediting', reason);
    return after;
  }

  private alert(o: GasOrder, from: OrderState | null, reason: string | null): void {
    const alert: GasAlert = {
      kind: 'gas.needs_attention',
      orderNo: o.orderNo,
      from,
      amountFen: o.amountFen,
      meterType: o.meterType,
      reason,
      at: this.now().toISOString(),
    };
    this.log.warn(alert, 'gas order needs attention');
    this.emit('alert', alert);
  }

  private async creditIot(o: GasOrder, backTo: OrderState, meta: CommitMeta): Promise<GasOrder> {
    const req = { serialNo: o.orderNo, accountNo: o.accountNo, amountFen: o.amountFen, paymentOrderNo: o.payOrderId ?? o.orderNo };
    try {
      const c = await this.gas.remoteCredit(req);
      return this.journal.transition(
        o.orderNo,
        'crediting',
        'credited',
        { creditId: c.creditId, balanceAfterFen: c.balanceAfterFen, volumeM3: c.volumeM3, creditedAt: c.creditedAt, lastError: null },
        { ...meta, detail: { duplicate: c.duplicate } },
      );
    } catch (err) {
      if (outcomeUnknown(err)) {
        // The credit may have landed: ask by serial number before concluding anything.
        try {
          const found = await this.gas.getRemoteCredit(o.orderNo);
          if (found) {
            return this.journal.transition(
              o.orderNo,
              'crediting',
              'credited',
              { creditId: found.creditId, balanceAfterFen: found.balanceAfterFen, volumeM3: found.volumeM3, creditedAt: found.creditedAt, lastError: null },
              { ...meta, detail: { confirmedByQuery: true } },
            );
          }
        } catch (qErr) {
          this.log.warn({ orderNo: o.orderNo, err: errorCode(qErr) }, 'credit query failed too');
        }
      }
      return this.park(o, backTo, errorCode(err), meta);
    }
  }

  private async checkIcElsewhere(o: GasOrder, meta: CommitMeta): Promise<GasOrder> {
    let p: IcPurchase | null;
    try {
      p = await this.gas.getIcPurchase(o.orderNo);
    } catch {
      return o;
    }
    if (p?.status !== 'written') return o;
    const c = this.journal.transition(o.orderNo, ['credit_pending', 'needs_attention'], 'crediting', {}, meta);
    return this.journal.transition(c.orderNo, 'crediting', 'credited', { gasReport: 'done', lastError: null }, { ...meta, detail: { writtenElsewhere: true } });
  }

  private async creditIc(start: GasOrder, backTo: OrderState, allowCard: boolean, meta: CommitMeta): Promise<GasOrder> {
    let o = start;
    // 1. The gas company's purchase record and the write data (idempotent by serial number).
    if (o.icPurchaseId === null || o.icTargetCount === null || o.icMac === null) {
      if (o.cardNo === null || o.cardCountBefore === null) return this.park(o, 'needs_attention', 'ic:no_card_data', meta);
      let p: IcPurchase;
      try {
        p = await this.gas.createIcPurchase({
          serialNo: o.orderNo,
          accountNo: o.accountNo,
          cardNo: o.cardNo,
          amountFen: o.amountFen,
          cardPurchaseCount: o.cardCountBefore,
          paymentOrderNo: o.payOrderId ?? o.orderNo,
        });
      } catch (err) {
        return this.park(o, backTo, errorCode(err), meta);
      }
      o = this.journal.step(
        o.orderNo,
        'crediting',
        'purchase_recorded',
        { icPurchaseId: p.purchaseId, icTargetCount: p.write.purchaseCount, icMac: p.write.mac, volumeM3: p.write.volumeM3 },
        meta,
      );
      if (p.status === 'written') return this.journal.transition(o.orderNo, 'crediting', 'credited', { gasReport: 'done', lastError: null }, meta);
    } else if (o.step !== 'card_written') {
      try {
        const p = await this.gas.getIcPurchase(o.orderNo);
        if (p?.status === 'written') {
          return this.journal.transition(o.orderNo, 'crediting', 'credited', { gasReport: 'done', lastError: null }, { ...meta, detail: { writtenElsewhere: true } });
        }
      } catch (err) {
        this.log.warn({ orderNo: o.orderNo, err: errorCode(err) }, 'purchase status query failed; going by the card');
      }
    }
    const target = o.icTargetCount as number;

    // 2. Already known to be on the card (crash after the read-back): only the report is missing.
    if (o.step === 'card_written') return this.reportWritten(o, meta);

    // 3. Re-read the card and compare the counter before writing (again).
    const reader = allowCard ? this.cardReader() : undefined;
    if (!reader || !reader.cardPresent()) return this.park(o, backTo, 'ic:card_absent', meta);
    let card: GasCardData;
    try {
      card = await reader.readCard();
    } catch (err) {
      return this.park(o, backTo, errorCode(err), meta);
    }
    if (card.cardNo !== o.cardNo) return this.park(o, backTo, 'ic:wrong_card', meta);
    if (card.purchaseCount === target) {
      o = this.journal.step(o.orderNo, 'crediting', 'card_written', { gasReport: 'pending' }, { ...meta, detail: { purchaseCount: target, alreadyOnCard: true } });
      return this.reportWritten(o, meta);
    }
    if (card.purchaseCount !== target - 1) return this.park(o, 'needs_attention', `ic:counter_mismatch:${card.purchaseCount}`, meta);

    o = this.journal.step(o.orderNo, 'crediting', 'card_write', { icWriteAttempts: o.icWriteAttempts + 1 }, { ...meta, detail: { target } });
    this.setBusy(o.orderNo, 'cardWrite');
    try {
      const w = await reader.writePurchase({
        cardNo: card.cardNo,
        purchaseCount: target,
        amountFen: o.amountFen,
        volumeM3: o.volumeM3 ?? 0,
        mac: o.icMac as string,
        serialNo: o.orderNo,
      });
      if (w.purchaseCount !== target) return this.park(o, 'needs_attention', `ic:counter_after_write:${w.purchaseCount}`, meta);
      o = this.journal.step(o.orderNo, 'crediting', 'card_written', { gasReport: 'pending' }, { ...meta, detail: { purchaseCount: target, result: w.result } });
      return await this.reportWritten(o, meta);
    } catch (err) {
      if (err instanceof GasCardError && err.code === 'writeUnknown') return this.afterUnknownWrite(o, reader, backTo, meta, err);
      return this.park(o, backTo, errorCode(err), meta);
    } finally {
      this.setBusy(o.orderNo, 'payment');
    }
  }

  /** The write may or may not have taken: the card's counter decides, if the card is still there. */
  private async afterUnknownWrite(o: GasOrder, reader: GasCardReader, backTo: OrderState, meta: CommitMeta, err: GasCardError): Promise<GasOrder> {
    const target = o.icTargetCount as number;
    if (reader.cardPresent()) {
      try {
        const card = await reader.readCard();
        if (card.cardNo === o.cardNo && card.purchaseCount === target) {
          const w = this.journal.step(o.orderNo, 'crediting', 'card_written', { gasReport: 'pending' }, { ...meta, detail: { purchaseCount: target, confirmedByReread: true } });
          return await this.reportWritten(w, meta);
        }
        if (card.cardNo === o.cardNo && card.purchaseCount === target - 1) {
          try {
            await this.gas.reportCardWrite(o.orderNo, { result: 'failed', purchaseCountAfter: card.purchaseCount });
            o = this.journal.step(o.orderNo, 'crediting', 'write_failed_reported', { gasReport: 'failed' }, meta);
          } catch (rErr) {
            this.log.warn({ orderNo: o.orderNo, err: errorCode(rErr) }, 'could not report the failed write');
          }
          return this.park(o, backTo, 'ic:write_failed', meta);
        }
      } catch (readErr) {
        this.log.warn({ orderNo: o.orderNo, err: errorCode(readErr) }, 'card re-read after an unknown write failed');
      }
    }
    return this.park(o, backTo, errorCode(err), meta);
  }

  /** The card shows the target counter: tell the gas company, then credited (report retried later if needed). */
  private async reportWritten(o: GasOrder, meta: CommitMeta): Promise<GasOrder> {
    const target = o.icTargetCount as number;
    let report: 'done' | 'pending' = 'pending';
    try {
      await this.gas.reportCardWrite(o.orderNo, { result: 'written', purchaseCountAfter: target });
      report = 'done';
    } catch (err) {
      this.log.warn({ orderNo: o.orderNo, err: errorCode(err) }, 'card-write report failed; retried in the background');
    }
    return this.journal.transition(o.orderNo, 'crediting', 'credited', { gasReport: report, lastError: report === 'done' ? null : 'ic:report_pending' }, meta);
  }

  // ---- slips --------------------------------------------------------------------------------------

  /**
   * Prints the receipt of a credited order (then done), or the pending slip of a credit_pending
   * order. A missing or failing printer never blocks the money: a credited order still ends done.
   */
  async printSlip(orderNo: string): Promise<PrintOutcome> {
    const o = this.requireOrder(orderNo);
    const credited = creditedStates.includes(o.state);
    const pending = o.state === 'credit_pending' || o.state === 'needs_attention';
    if (!credited && !pending) throw gasError('sequenceError', 'NOT_PENDING', `order is ${o.state}`);
    if (credited && o.receiptPrinted) return { printed: false, kind: 'receipt', reason: 'alreadyPrinted', order: this.toView(o) };
    const doc = credited ? gasReceipt(o, { ...this.slip, now: this.now() }) : pendingSlip(o, { ...this.slip, now: this.now() });
    const printer = this.printer();
    this.foreground.add(orderNo);
    let result: PrintResult | null = null;
    let reason: string | null = null;
    if (!printer) reason = 'noPrinter';
    else {
      const wasBusy = this.inFlight.get(orderNo) ?? null;
      this.setBusy(orderNo, 'printing');
      try {
        result = await printer.print(doc);
        if (result.outcome !== 'printed') reason = result.reason ?? result.outcome;
      } catch (err) {
        reason = err instanceof Error ? err.message : String(err);
      } finally {
        this.setBusy(orderNo, wasBusy);
      }
    }
    const printed = result?.outcome === 'printed';
    return this.withLock(orderNo, async () => {
      let after = this.requireOrder(orderNo);
      if (credited) {
        if (printed && after.state === 'credited') {
          after = this.journal.transition(orderNo, 'credited', 'receipt_printed', { receiptPrinted: true, receiptJobId: result?.jobId ?? null }, { actor: 'session' });
        } else if (printed) {
          this.journal.note(orderNo, { receiptPrinted: true, receiptJobId: result?.jobId ?? null });
        }
        after = this.requireOrder(orderNo);
        if (after.state === 'credited' || after.state === 'receipt_printed') {
          after = this.journal.transition(orderNo, after.state, 'done', {}, { actor: 'session', detail: { receiptPrinted: printed } });
        }
      } else if (printed && (after.state === 'credit_pending' || after.state === 'needs_attention')) {
        after = this.journal.step(orderNo, after.state, 'pending_slip', { pendingSlipPrinted: true }, { actor: 'session' });
      }
      return { printed, kind: credited ? 'receipt' : 'pending', reason, order: this.toView(after) } satisfies PrintOutcome;
    });
  }

  /** The documents themselves, for a session that prints through its own print step. */
  slipDocument(orderNo: string): ReceiptDocument {
    const o = this.requireOrder(orderNo);
    if (creditedStates.includes(o.state)) return gasReceipt(o, { ...this.slip, now: this.now() });
    if (o.state === 'credit_pending' || o.state === 'needs_attention') return pendingSlip(o, { ...this.slip, now: this.now() });
    throw gasError('sequenceError', 'NOT_PENDING', `order is ${o.state}`);
  }

  /** Ends a credited order without (or after an external) receipt. */
  async finish(orderNo: string, receiptPrinted = false): Promise<OrderView> {
    return this.withLock(orderNo, async () => {
      let o = this.requireOrder(orderNo);
      if (o.state === 'credited' && receiptPrinted) o = this.journal.transition(orderNo, 'credited', 'receipt_printed', { receiptPrinted: true }, { actor: 'session' });
      if (o.state === 'credited' || o.state === 'receipt_printed') o = this.journal.transition(orderNo, o.state, 'done', {}, { actor: 'session' });
      return this.toView(o);
    });
  }

  // ---- 补写卡 / finish a pending top-up -------------------------------------------------------------

  /**
   * Finishes a paid order whose credit is pending: IoT by retrying the credit, IC by re-reading
   * the card and writing it if (and only if) its counter shows the purchase is not on it yet.
   * Orders from another kiosk are imported from the provider and the gas company first.
   */
  async finishPending(orderNoInput: string, options: { signal?: AbortSignal } = {}): Promise<{ order: OrderView; alreadyComplete: boolean }> {
    const orderNo = orderNoFromScan(orderNoInput);
    let o = this.journal.get(orderNo) ?? (await this.importPending(orderNo));
    if (creditedStates.includes(o.state)) return { order: this.toView(o), alreadyComplete: true };
    if (o.state === 'paid' || o.state === 'crediting') {
      await this.settled(orderNo);
      o = this.requireOrder(orderNo);
    }
    if (!this.wantsCredit(o)) {
      if (creditedStates.includes(o.state)) return { order: this.toView(o), alreadyComplete: true };
      throw gasError('sequenceError', o.state === 'payment_closed' || o.state === 'payment_expired' ? 'ORDER_NOT_PAID' : 'NOT_PENDING', `order is ${o.state}`);
    }
    if (o.meterType === 'ic-card') {
      const reader = this.requireReader();
      let card: GasCardData;
      try {
        card = await reader.waitForCard({ timeoutMs: this.settings.cardWaitMs, ...(options.signal ? { signal: options.signal } : {}) });
      } catch (err) {
        throw this.cardError(err);
      }
      if (card.cardNo !== o.cardNo) throw gasError('userError', 'WRONG_CARD');
      this.lastCard = card;
    }
    this.foreground.add(orderNo);
    const after = await this.deliver(orderNo, { actor: 'session', allowCard: true });
    return { order: this.toView(after), alreadyComplete: false };
  }

  /** A pending IC order paid at another kiosk: rebuild it from the provider and the gas company. */
  private async importPending(orderNo: string): Promise<GasOrder> {
    if (!/^[A-Za-z0-9_-]{8,32}$/.test(orderNo)) throw gasError('invalidData', 'ORDER_NOT_FOUND');
    let pay: PaymentOrder;
    let purchase: IcPurchase | null;
    try {
      pay = await this.payment.queryOrder(orderNo);
      purchase = await this.gas.getIcPurchase(orderNo);
    } catch (err) {
      if (err instanceof UpstreamError && err.code === 'NOT_FOUND') throw gasError('invalidData', 'ORDER_NOT_FOUND');
      throw err instanceof UpstreamError ? fromUpstream(err) : err;
    }
    if (pay.tradeState !== 'SUCCESS') throw gasError('userError', 'ORDER_NOT_PAID');
    if (!purchase) throw gasError('userError', 'PENDING_ELSEWHERE');
    const existing = this.journal.get(orderNo);
    if (existing) return existing;
    return this.journal.create(
      {
        orderNo,
        kioskId: this.kioskId,
        originKioskId: pay.kioskId,
        meterType: 'ic-card',
        accountNo: purchase.accountNo,
        cardNo: purchase.cardNo,
        cardCountBefore: purchase.write.purchaseCount - 1,
        amountFen: purchase.amountFen,
        state: 'credit_pending',
        patch: {
          payOrderId: pay.orderId,
          transactionId: pay.transactionId,
          paidAt: pay.paidAt,
          tradeState: pay.tradeState,
          icPurchaseId: purchase.purchaseId,
          icTargetCount: purchase.write.purchaseCount,
          icMac: purchase.write.mac,
          volumeM3: purchase.write.volumeM3,
          gasReport: purchase.status === 'write_failed' ? 'failed' : 'none',
        },
      },
      { actor: 'session', detail: { imported: true, originKiosk: pay.kioskId } },
    );
  }

  // ---- operations ---------------------------------------------------------------------------------

  /** Pending and needs-attention orders, masked, for the maintenance panel. */
  pendingOrders(): OrderView[] {
    return [...this.journal.pending(), ...this.journal.unfinished()].map((o) => this.toView(o));
  }

  /** Operator: retry an order now (credit, payment query or refund, whichever it needs). */
  async retry(orderNo: string, actor = 'operator'): Promise<OrderView> {
    const o = this.requireOrder(orderNo);
    await this.recoverOne(o, 'retry', actor, true);
    return this.view(orderNo);
  }

  /**
   * Operator: refund a paid order that was never credited. Refused unless the gas company
   * confirms that nothing was credited under this serial number (IoT: no credit; IC: no purchase
   * recorded). Never called by the engine itself.
   */
  async requestRefund(orderNo: string, reason: string, actor = 'operator'): Promise<OrderView> {
    await this.withLock(orderNo, async () => {
      let o = this.requireOrder(orderNo);
      if (o.state === 'refund_requested' || (o.state === 'needs_attention' && o.attentionFrom === 'refund_requested')) {
        if (o.state === 'needs_attention') o = this.journal.transition(orderNo, 'needs_attention', 'refund_requested', {}, { actor });
        await this.refund(o, actor);
        return;
      }
      if (!(o.state === 'credit_pending' || (o.state === 'needs_attention' && this.wantsCredit(o)))) {
        throw gasError('sequenceError', 'NOT_PENDING', `order is ${o.state}`);
      }
      let credited = false;
      try {
        if (o.meterType === 'iot') credited = (await this.gas.getRemoteCredit(orderNo)) !== null;
        else if ((await this.gas.getIcPurchase(orderNo)) !== null) throw gasError('userError', 'REFUND_UNSAFE', 'a purchase is recorded at the gas company');
      } catch (err) {
        if (err instanceof GasError) throw err;
        throw gasError('deviceNotReady', 'REFUND_UNSAFE', errorCode(err));
      }
      if (credited) {
        // It did land: record the truth instead of refunding.
        const c = this.journal.transition(orderNo, ['credit_pending', 'needs_attention'], 'crediting', {}, { actor });
        await this.creditIot(c, 'credit_pending', { actor });
        throw gasError('sequenceError', 'ALREADY_COMPLETE');
      }
      o = this.journal.transition(orderNo, ['credit_pending', 'needs_attention'], 'refund_requested', { refundNo: `${orderNo}R`, refundReason: reason.slice(0, 80) }, { actor, detail: { reason: reason.slice(0, 80) } });
      await this.refund(o, actor);
    });
    return this.view(orderNo);
  }

  private async refund(o: GasOrder, actor: string): Promise<GasOrder> {
    try {
      const r = await this.payment.refund({ outTradeNo: o.orderNo, outRefundNo: o.refundNo ?? `${o.orderNo}R`, amountFen: o.amountFen, ...(o.refundReason ? { reason: o.refundReason } : {}) });
      return this.journal.transition(o.orderNo, 'refund_requested', 'refunded', { refundId: r.refundId, lastError: null }, { actor });
    } catch (err) {
      this.journal.note(o.orderNo, { lastError: errorCode(err) });
      if (!outcomeUnknown(err)) return this.escalate(o, errorCode(err), actor);
      return o;
    }
  }

  private escalate(o: GasOrder, reason: string, actor: string, patch: Parameters<GasJournal['transition']>[3] = {}): GasOrder {
    const after = this.journal.transition(o.orderNo, o.state, 'needs_attention', { ...patch, lastError: reason }, { actor, detail: { reason } });
    this.alert(after, o.state, reason);
    return after;
  }

  // ---- recovery -----------------------------------------------------------------------------------

  /** One pass over the journal. `startup`: before citizens are served; `retry`: the background loop. */
  async recoverAll(kind: 'startup' | 'retry'): Promise<void> {
    for (const o of this.journal.unfinished()) {
      if (this.stopped) return;
      try {
        await this.recoverOne(o, kind, kind === 'startup' ? 'recovery' : 'retry', false);
      } catch (err) {
        this.log.warn({ orderNo: o.orderNo, state: o.state, err: errorCode(err) }, 'recovery of an order failed; retried later');
      }
    }
    if (kind === 'retry') {
      for (const o of this.journal.pending()) {
        if (this.stopped) return;
        try {
          await this.recoverOne(o, kind, 'retry', false);
        } catch (err) {
          this.log.warn({ orderNo: o.orderNo, state: o.state, err: errorCode(err) }, 'retry of a pending order failed');
        }
      }
    }
    await this.retryReports();
    this.escalateOld();
  }

  private async recoverOne(start: GasOrder, kind: 'startup' | 'retry', actor: string, operator: boolean): Promise<void> {
    const orderNo = start.orderNo;
    if (this.watchers.has(orderNo) || this.inFlight.has(orderNo) || this.locks.has(orderNo)) return;
    const o = this.journal.get(orderNo);
    if (!o) return;
    const meta: CommitMeta = { actor };
    switch (o.state) {
      case 'created':
        // awaiting_payment is committed before the provider is called: nothing was sent.
        this.journal.transition(orderNo, 'created', 'payment_closed', { lastError: 'payment:never_sent' }, meta);
        return;
      case 'awaiting_payment':
        await this.withLock(orderNo, () => this.resolvePayment(o, actor));
        break;
      case 'paid':
      case 'crediting':
      case 'credit_pending': {
        const after = await this.deliver(orderNo, { actor, allowCard: kind === 'startup' || operator });
        // Nobody is waiting at the screen for this receipt (printSlip still can print it).
        if (after.state === 'credited' && !this.foreground.has(orderNo)) await this.finish(orderNo);
        return;
      }
      case 'credited':
      case 'receipt_printed': {
        const idle = this.now().getTime() - Date.parse(o.updatedAt) >= this.settings.finishAfterMs;
        if (kind === 'startup' || idle || operator || !this.foreground.has(orderNo)) await this.finish(orderNo);
        return;
      }
      case 'refund_requested':
        await this.withLock(orderNo, () => this.refund(o, actor));
        return;
      case 'needs_attention':
        if (o.attentionFrom === 'awaiting_payment') await this.withLock(orderNo, () => this.resolvePayment(o, actor));
        else if (o.attentionFrom === 'refund_requested') {
          if (operator) await this.requestRefund(orderNo, o.refundReason ?? 'retry', actor);
        } else if (this.wantsCredit(o)) {
          const credited = await this.deliver(orderNo, { actor, allowCard: operator });
          if (credited.state === 'credited' && !this.foreground.has(orderNo)) await this.finish(orderNo);
        }
        break;
      default:
        return;
    }
    const after = this.journal.get(orderNo);
    if (after?.state === 'paid') {
      const credited = await this.deliver(orderNo, { actor, allowCard: kind === 'startup' || operator });
      if (credited.state === 'credited' && !this.foreground.has(orderNo)) await this.finish(orderNo);
    }
  }

  /** Where is this unpaid order at the provider? Close it if nobody paid. */
  private async resolvePayment(o: GasOrder, actor: string): Promise<GasOrder> {
    const fresh = this.requireOrder(o.orderNo);
    if (fresh.state !== 'awaiting_payment' && fresh.state !== 'needs_attention') return fresh;
    let q: PaymentOrder;
    try {
      q = await this.payment.queryOrder(o.orderNo);
    } catch (err) {
      if (err instanceof UpstreamError && err.code === 'NOT_FOUND') {
        return this.journal.transition(o.orderNo, ['awaiting_payment', 'needs_attention'], 'payment_closed', { lastError: 'payment:never_created' }, { actor });
      }
      throw err;
    }
    const after = this.applyTradeState(fresh, q, actor);
    if (after.state === 'awaiting_payment' || (after.state === 'needs_attention' && (q.tradeState === 'NOTPAY' || q.tradeState === 'USERPAYING'))) {
      // Nobody is looking at this QR code any more (the agent restarted or the watcher gave up).
      const closed = await this.closeUnpaid(after, after.payDeadline !== null && this.now().toISOString() >= after.payDeadline ? 'payment_expired' : 'payment_closed', actor);
      this.unknownPayment.delete(o.orderNo);
      return closed;
    }
    this.unknownPayment.delete(o.orderNo);
    return after;
  }

  private async retryReports(): Promise<void> {
    for (const o of this.journal.inStates(['credited', 'receipt_printed', 'done'])) {
      if (o.gasReport !== 'pending' || o.icTargetCount === null || this.locks.has(o.orderNo)) continue;
      try {
        await this.gas.reportCardWrite(o.orderNo, { result: 'written', purchaseCountAfter: o.icTargetCount });
        this.journal.step(o.orderNo, o.state, 'report_sent', { gasReport: 'done', lastError: null }, { actor: 'retry' });
      } catch (err) {
        this.log.warn({ orderNo: o.orderNo, err: errorCode(err) }, 'card-write report still failing');
      }
    }
  }

  /** Orders stuck longer than the configured age become needs_attention, with an alert. */
  private escalateOld(): void {
    const limit = this.now().getTime() - this.settings.needsAttentionAfterMs;
    for (const o of [...this.journal.unfinished(), ...this.journal.inStates(['credit_pending'])]) {
      if (Date.parse(o.createdAt) > limit) continue;
      if (this.watchers.has(o.orderNo) || this.locks.has(o.orderNo) || this.inFlight.has(o.orderNo)) continue;
      if (!['awaiting_payment', 'paid', 'crediting', 'credit_pending', 'refund_requested'].includes(o.state)) continue;
      try {
        this.escalate(o, o.lastError ?? `stuck:${o.state}`, 'retry');
      } catch (err) {
        if (!(err instanceof StaleOrderError)) throw err;
      }
    }
  }

  private async tick(): Promise<void> {
    if (this.tickRunning || this.stopped) return;
    this.tickRunning = (async () => {
      try {
        await this.recoverAll('retry');
      } catch (err) {
        this.log.error({ err: errorCode(err) }, 'gas retry pass failed');
      } finally {
        this.tickRunning = undefined;
      }
    })();
    await this.tickRunning;
  }

  /** Runs one background pass now (tests, maintenance). */
  async runRetryPass(): Promise<void> {
    while (this.tickRunning) await this.tickRunning;
    await this.tick();
  }

  // ---- views --------------------------------------------------------------------------------------

  toView(o: GasOrder): OrderView {
    const busy = this.inFlight.get(o.orderNo) ?? null;
    const stage = this.stageOf(o, busy);
    const deadline = o.payDeadline;
    return {
      orderNo: o.orderNo,
      state: o.state,
      phase: phaseOf(o.state),
      stage,
      meterType: o.meterType,
      accountNoMasked: maskAccountNo(o.accountNo),
      holderNameMasked: o.holderMasked,
      cardNoMasked: o.cardNo ? maskCardNo(o.cardNo) : null,
      amountFen: o.amountFen,
      volumeM3: o.volumeM3,
      payment:
        o.state === 'awaiting_payment'
          ? {
              codeUrl: o.payCodeUrl,
              deadline,
              secondsLeft: deadline ? Math.max(0, Math.ceil((Date.parse(deadline) - this.now().getTime()) / 1000)) : 0,
              tradeState: o.tradeState,
            }
          : null,
      balanceAfterFen: o.balanceAfterFen,
      purchaseCount: creditedStates.includes(o.state) ? o.icTargetCount : null,
      receiptPrinted: o.receiptPrinted,
      pendingSlipPrinted: o.pendingSlipPrinted,
      message: this.messageOf(o, stage),
      busy,
      createdAt: o.createdAt,
      updatedAt: o.updatedAt,
    };
  }

  private stageOf(o: GasOrder, busy: BusyReason | null): OrderStage {
    switch (o.state) {
      case 'created':
        return 'created';
      case 'awaiting_payment':
        return this.unknownPayment.has(o.orderNo) && !this.watchers.has(o.orderNo) ? 'paymentUnknown' : 'awaitingPayment';
      case 'paid':
      case 'crediting':
        return busy === 'cardWrite' ? 'writingCard' : 'crediting';
      case 'credited':
      case 'receipt_printed':
        return 'credited';
      case 'done':
        return 'done';
      case 'payment_expired':
        return 'paymentExpired';
      case 'payment_closed':
        return 'paymentClosed';
      case 'credit_pending':
        return 'creditPending';
      case 'needs_attention':
        return 'needsAttention';
      case 'refund_requested':
        return 'refundRequested';
      case 'refunded':
        return 'refunded';
    }
  }

  private messageOf(o: GasOrder, stage: OrderStage): CitizenMessage | null {
    switch (stage) {
      case 'paymentExpired':
        return messages.PAYMENT_EXPIRED;
      case 'paymentClosed':
        return messages.PAYMENT_CLOSED;
      case 'paymentUnknown':
        return messages.PAYMENT_UNKNOWN;
      case 'credited':
      case 'done':
        return o.meterType === 'iot' ? messages.CREDITED_IOT : messages.CREDITED_IC;
      case 'creditPending':
        return o.meterType === 'iot' ? messages.CREDIT_PENDING_IOT : messages.CREDIT_PENDING;
      case 'needsAttention':
        return messages.NEEDS_ATTENTION;
      case 'refunded':
        return messages.REFUNDED;
      default:
        return null;
    }
  }
}
