/**
 * The gas top-up engine: a thin facade over the parts that move money or gas, around the journal
 * (journal.ts) and the order machine (states.ts). See docs/gas.md, "Engine parts".
 *
 * - order-desk.ts       the citizen's side: account, card, order + payment, cancel, wait
 * - payment-watcher.ts  polls the provider; closes before any order is final as unpaid
 * - credit/             delivery, IoT creditor, IC-card creditor
 * - pending-desk.ts     补写卡 (finish a pending credit, also for other kiosks' orders)
 * - refund-desk.ts      operator refunds: void (冲正) first, refund only on a definite answer
 * - recovery.ts         start-up recovery and the retry loop
 * - slips.ts            receipt, pending slip, payment-unknown slip
 * - presenter.ts        views and the QR code for the UI
 * - activity.ts         what runs for which order (locks, busy, watchers)
 * - rules/              the money rules as pure decisions
 *
 * Rules kept by the parts: every state is committed before the step it announces; every upstream
 * call carries the order's idempotency key (rules/keys.ts); a paid order whose credit failed or is
 * unknown becomes credit_pending, never refunded by the engine; one order's steps never run
 * concurrently (per-order lock).
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { GasCardReader } from '@kiosk/protocol-gascard';
import type { ReceiptDocument } from '../receipts/document.js';
import type { GasAccount } from '@kiosk/contracts/upstream';
import type { GasConnector } from '../services/gas.js';
import type { PaymentConnector } from '../services/payment.js';
import { OrderActivity } from './activity.js';
import { amountRules } from './amounts.js';
import { GAS_COMPANY_NAME } from './constants.js';
import type { EngineContext } from './context.js';
import { CreditDelivery } from './credit/delivery.js';
import { IcCardCreditor } from './credit/ic-card-creditor.js';
import { IotCreditor } from './credit/iot-creditor.js';
import { Escalation } from './escalation.js';
import type { GasJournal, GasOrder, OrderCounts } from './journal.js';
import { OrderDesk } from './order-desk.js';
import { PaymentWatcher } from './payment-watcher.js';
import { PendingDesk } from './pending-desk.js';
import { Presenter, renderPaymentQr } from './presenter.js';
import { maskAccountNo } from './receipts.js';
import { Recovery } from './recovery.js';
import { RefundDesk } from './refund-desk.js';
import { Slips } from './slips.js';
import type {
  AccountView,
  AmountRules,
  BusyReason,
  CardView,
  CreatedOrder,
  GasEngineEvents,
  GasSettings,
  OrderView,
  PaymentTick,
  PrintOutcome,
  SlipPrinter,
} from './types.js';

export { isSlipPrinter } from './types.js';
export type {
  AccountView,
  AmountRules,
  BusyReason,
  CardView,
  CreatedOrder,
  GasAlert,
  GasSettings,
  OrderView,
  PaymentTick,
  PrintOutcome,
  SlipPrinter,
} from './types.js';

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

export class GasEngine extends EventEmitter<GasEngineEvents> {
  readonly journal: GasJournal;
  private readonly c: EngineContext;
  private readonly activity: OrderActivity;
  private readonly presenter: Presenter;
  private readonly watcher: PaymentWatcher;
  private readonly delivery: CreditDelivery;
  private readonly orders: OrderDesk;
  private readonly slips: Slips;
  private readonly pendingDesk: PendingDesk;
  private readonly refunds: RefundDesk;
  private readonly recovery: Recovery;
  private lastCounts: OrderCounts | null = null;
  private readonly unsubscribe: () => void;

  constructor(opts: GasEngineOptions) {
    super();
    this.journal = opts.journal;
    this.c = {
      journal: opts.journal,
      gas: opts.gas,
      payment: opts.payment,
      settings: opts.settings,
      kioskId: opts.kioskId,
      slip: {
        company: opts.company ?? GAS_COMPANY_NAME,
        kioskId: opts.kioskId,
        ...(opts.site !== undefined ? { site: opts.site } : {}),
        ...(opts.hotline !== undefined ? { hotline: opts.hotline } : {}),
      },
      cardReader: opts.cardReader ?? (() => undefined),
      printer: opts.printer ?? (() => undefined),
      log: opts.logger,
      now: opts.now ?? (() => new Date()),
      events: this,
    };
    this.activity = new OrderActivity((orderNo) => {
      const o = this.journal.get(orderNo);
      if (o) this.emit('order', this.presenter.toView(o));
    });
    this.presenter = new Presenter(this.activity, this.c.now);
    const escalation = new Escalation(this.c);
    const iot = new IotCreditor(this.c, escalation);
    const ic = new IcCardCreditor(this.c, escalation, (no, r) => this.activity.setBusy(no, r));
    this.delivery = new CreditDelivery(this.c, this.activity, escalation, iot, ic);
    this.watcher = new PaymentWatcher(this.c, this.activity, escalation, (no) =>
      this.delivery.deliver(no, { actor: 'runner', allowCard: true }),
    );
    this.orders = new OrderDesk(this.c, this.activity, this.presenter, this.watcher, this.delivery);
    this.slips = new Slips(this.c, this.activity, this.presenter);
    this.pendingDesk = new PendingDesk(
      this.c,
      this.activity,
      this.presenter,
      this.delivery,
      this.watcher,
      () => this.orders.requireReader(),
      (e) => this.orders.cardError(e),
    );
    this.refunds = new RefundDesk(this.c, this.activity, escalation, iot, ic);
    this.recovery = new Recovery(this.c, this.activity, escalation, this.watcher, this.delivery, this.refunds, this.slips);
    this.unsubscribe = this.journal.addCommitListener((point, order) => {
      this.c.log.info(
        {
          orderNo: order.orderNo,
          point,
          state: order.state,
          meter: order.meterType,
          account: maskAccountNo(order.accountNo),
          amountFen: order.amountFen,
        },
        'gas order journaled',
      );
      this.emit('order', this.presenter.toView(order));
      this.emitCounts();
    });
  }

  // ---- life cycle ---------------------------------------------------------------------------------

  /** Start-up recovery: resolves once every unfinished order is final or pending. */
  async start(): Promise<void> {
    this.watcher.stopped = false;
    this.recovery.stopped = false;
    await this.recovery.recoverAll('startup');
    this.orders.ready = true;
    this.emitCounts(true);
    this.recovery.startLoop();
  }

  async stop(): Promise<void> {
    this.watcher.stopped = true;
    const tick = this.recovery.stopLoop();
    for (const w of this.activity.watchers.values()) w.wake();
    const running = this.activity.running();
    if (tick) running.push(tick);
    await Promise.race([Promise.allSettled(running), new Promise((r) => setTimeout(r, 10_000).unref())]);
    this.unsubscribe();
  }

  ready(): boolean {
    return this.orders.ready;
  }

  counts(): OrderCounts {
    return this.journal.counts();
  }

  /** True while a payment is being watched, gas credited, a card written or a slip printed. */
  isMoneyStepInFlight(): boolean {
    return this.activity.inFlight.size > 0;
  }

  busyReason(): BusyReason | null {
    return this.activity.busyReason();
  }

  /** Resolves when no money step is in flight (countdowns and remote commands wait for this). */
  whenIdle(): Promise<void> {
    return this.activity.whenIdle();
  }

  private emitCounts(force = false): void {
    const c = this.journal.counts();
    const last = this.lastCounts;
    this.lastCounts = c;
    if (
      force ||
      !last ||
      last.creditPending !== c.creditPending ||
      last.needsAttention !== c.needsAttention ||
      last.active !== c.active
    ) {
      this.emit('counts', c);
    }
  }

  // ---- the citizen's flow -------------------------------------------------------------------------

  settingsView(): {
    presetsFen: number[];
    minAmountFen: number;
    maxAmountFen: number;
    amountStepFen: number;
    paymentCountdownSeconds: number;
  } {
    const s = this.c.settings;
    return {
      presetsFen: [...s.presetsFen],
      minAmountFen: s.minAmountFen,
      maxAmountFen: s.maxAmountFen,
      amountStepFen: s.amountStepFen,
      paymentCountdownSeconds: s.paymentCountdownSeconds,
    };
  }

  lookupAccount(
    query: { accountNo: string } | { cardNo: string },
    signal?: AbortSignal,
  ): Promise<{ account: GasAccount; view: AccountView }> {
    return this.orders.lookupAccount(query, signal);
  }

  amountRules(a: GasAccount): AmountRules {
    return amountRules(this.c.settings, a);
  }

  readCard(options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<{ card: CardView; account: AccountView }> {
    return this.orders.readCard(options);
  }

  /** Creates the order and its payment; the QR code is rendered by the presenter. */
  async createOrder(input: { amountFen: number; accountNo?: string; sessionId?: string | null }): Promise<CreatedOrder> {
    const order = await this.orders.createOrder(input);
    return { order, qrSvg: await renderPaymentQr(order.payment?.codeUrl ?? '') };
  }

  /** The card left the reader: the next citizen's order must not use it. */
  forgetCard(): void {
    this.activity.lastCard = null;
  }

  endSession(): Promise<void> {
    return this.orders.endSession();
  }

  cancel(orderNo: string): Promise<OrderView> {
    return this.orders.cancel(orderNo);
  }

  view(orderNo: string): OrderView {
    return this.presenter.toView(this.orders.require(orderNo));
  }

  toView(o: GasOrder): OrderView {
    return this.presenter.toView(o);
  }

  waitForRest(
    orderNo: string,
    options: { signal?: AbortSignal; onTick?: (t: PaymentTick) => void; onOrder?: (v: OrderView) => void } = {},
  ): Promise<OrderView> {
    return this.orders.waitForRest(orderNo, options);
  }

  deliver(orderNo: string, opts: { actor: string; allowCard: boolean }): Promise<GasOrder> {
    return this.delivery.deliver(orderNo, opts);
  }

  // ---- slips and 补写卡 -----------------------------------------------------------------------------

  printSlip(orderNo: string): Promise<PrintOutcome> {
    return this.slips.print(orderNo);
  }

  /** The documents themselves, for a session that prints through its own print step. */
  slipDocument(orderNo: string): ReceiptDocument {
    return this.slips.document(orderNo);
  }

  finish(orderNo: string, receiptPrinted = false): Promise<OrderView> {
    return this.slips.finish(orderNo, receiptPrinted);
  }

  finishPending(
    orderNoInput: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<{ order: OrderView; alreadyComplete: boolean }> {
    return this.pendingDesk.finishPending(orderNoInput, options);
  }

  // ---- operations ---------------------------------------------------------------------------------

  /** Pending and needs-attention orders, masked, for the maintenance panel. */
  pendingOrders(): OrderView[] {
    return [...this.journal.pending(), ...this.journal.unfinished()].map((o) => this.presenter.toView(o));
  }

  /** Operator: retry an order now (credit, payment query or refund, whichever it needs). */
  async retry(orderNo: string, actor = 'operator'): Promise<OrderView> {
    await this.recovery.recoverOne(this.orders.require(orderNo), 'retry', actor, true);
    return this.view(orderNo);
  }

  /** Operator: refund a paid order whose gas was not delivered (void first; see refund-desk.ts). */
  async requestRefund(orderNo: string, reason: string, actor = 'operator'): Promise<OrderView> {
    await this.refunds.requestRefund(orderNo, reason, actor);
    return this.view(orderNo);
  }

  recoverAll(kind: 'startup' | 'retry'): Promise<void> {
    return this.recovery.recoverAll(kind);
  }

  /** Runs one background pass now (tests, maintenance). */
  runRetryPass(): Promise<void> {
    return this.recovery.runRetryPass();
  }
}
