/**
 * The order desk: the citizen's side of an order. Account lookup, card read, creating the order
 * and its payment (journal first, then the provider), cancelling, ending the session, and waiting
 * for an order to rest. Payments are watched by the payment watcher, credits delivered by credit
 * delivery; this part only starts them.
 */
import { randomInt } from 'node:crypto';
import { chinaStampCompact } from '@kiosk/platform';
import { GasCardError, type GasCardData, type GasCardReader } from '@kiosk/protocol-gascard';
import type { GasAccount, PaymentOrder } from '@kiosk/contracts/upstream';
import { UpstreamError } from '../services/errors.js';
import type { OrderActivity } from './activity.js';
import { amountRules } from './amounts.js';
import type { EngineContext } from './context.js';
import type { CreditDelivery } from './credit/delivery.js';
import { errorCode, fromUpstream, gasError, GasError, outcomeUnknown } from './errors.js';
import type { CommitMeta, GasOrder } from './journal.js';
import type { PaymentWatcher } from './payment-watcher.js';
import { accountView, type Presenter } from './presenter.js';
import { maskAccountNo, maskCardNo } from './receipts.js';
import { phaseOf, type OrderState } from './states.js';
import type { AccountView, CardView, OrderView, PaymentTick } from './types.js';

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

const chinaStamp = chinaStampCompact;

export class OrderDesk {
  ready = false;

  constructor(
    private readonly c: EngineContext,
    private readonly activity: OrderActivity,
    private readonly presenter: Presenter,
    private readonly watcher: PaymentWatcher,
    private readonly delivery: CreditDelivery,
  ) {}

  require(orderNo: string): GasOrder {
    const o = this.c.journal.get(orderNo);
    if (!o) throw gasError('invalidData', 'ORDER_NOT_FOUND');
    return o;
  }

  async lookupAccount(
    query: { accountNo: string } | { cardNo: string },
    signal?: AbortSignal,
  ): Promise<{ account: GasAccount; view: AccountView }> {
    let account: GasAccount;
    try {
      account = await this.c.gas.lookupAccount(query, signal ? { signal } : {});
    } catch (err) {
      if (err instanceof UpstreamError) throw fromUpstream(err);
      throw err;
    }
    return { account, view: accountView(this.c.settings, account) };
  }

  requireReader(): GasCardReader {
    const r = this.c.cardReader();
    if (!r || r.status().device === 'noDevice') throw gasError('deviceNotReady', 'NO_CARD_READER');
    return r;
  }

  cardError(err: unknown): GasError {
    if (err instanceof GasError) return err;
    if (err instanceof GasCardError) {
      if (err.code === 'noCard' || err.code === 'timeout')
        return gasError(err.code === 'timeout' ? 'timeOut' : 'userError', 'NO_CARD', err.message);
      if (err.code === 'offline') return gasError('deviceNotReady', 'NO_CARD_READER', err.message);
      if (err.code === 'canceled') return gasError('canceled', 'NO_CARD', err.message);
      return gasError('hardwareError', 'CARD_READ_FAILED', err.message);
    }
    return gasError('hardwareError', 'CARD_READ_FAILED', err instanceof Error ? err.message : String(err));
  }

  /** Waits for the gas card, reads it and looks its account up. */
  async readCard(options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<{ card: CardView; account: AccountView }> {
    const reader = this.requireReader();
    let data: GasCardData;
    try {
      data = await reader.waitForCard({
        timeoutMs: options.timeoutMs ?? this.c.settings.cardWaitMs,
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (err) {
      throw this.cardError(err);
    }
    this.activity.lastCard = data;
    const { account, view } = await this.lookupAccount({ cardNo: data.cardNo }, options.signal);
    const pendingOrders = this.c.journal.openForCard(data.cardNo).map((o) => o.orderNo);
    let v = view;
    if (view.canTopUp && pendingOrders.length > 0) {
      v = { ...view, canTopUp: false, reason: gasError('userError', 'PENDING_CARD_WRITE').toPayload() };
    } else if (view.canTopUp && account.purchaseCount !== null && account.purchaseCount !== data.purchaseCount) {
      v = { ...view, canTopUp: false, reason: gasError('userError', 'CARD_COUNTER_MISMATCH').toPayload() };
    }
    return {
      card: {
        cardNoMasked: maskCardNo(data.cardNo),
        purchaseCount: data.purchaseCount,
        storedPurchase: data.storedPurchase,
        pendingOrders,
      },
      account: v,
    };
  }

  private newOrderNo(): string {
    let tail = '';
    for (let i = 0; i < 6; i++) tail += ORDER_ALPHABET[randomInt(ORDER_ALPHABET.length)];
    return `GT${chinaStamp(this.c.now())}${tail}`;
  }

  /**
   * Creates the order and the provider's QR order. Pass `accountNo` for an account typed on the
   * keypad, or nothing to top up the card read by readCard (IC-card meters always need the card).
   */
  async createOrder(input: { amountFen: number; accountNo?: string; sessionId?: string | null }): Promise<OrderView> {
    if (!this.ready) throw gasError('deviceNotReady', 'NOT_READY');
    if (this.activity.watchers.size > 0 || [...this.activity.inFlight.values()].some((r) => r !== 'printing')) {
      throw gasError('sequenceError', 'ORDER_IN_PROGRESS');
    }
    for (const no of this.activity.foreground) {
      const f = this.c.journal.get(no);
      if (!f || phaseOf(f.state) !== 'active') this.activity.foreground.delete(no);
    }
    let card: GasCardData | null = null;
    let accountNo = input.accountNo;
    if (accountNo === undefined) {
      if (!this.activity.lastCard) throw gasError('userError', 'CARD_REQUIRED');
      accountNo = this.activity.lastCard.accountNo;
    }
    const { account } = await this.lookupAccount({ accountNo });
    if (account.status !== 'normal') throw gasError('userError', 'ACCOUNT_SUSPENDED');
    const rules = amountRules(this.c.settings, account);
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
      this.activity.lastCard = card;
      if (card.cardNo !== account.cardNo) throw gasError('userError', 'CARD_MISMATCH');
      if (this.c.journal.openForCard(card.cardNo).length > 0) throw gasError('userError', 'PENDING_CARD_WRITE');
      if (account.purchaseCount !== null && card.purchaseCount !== account.purchaseCount) {
        throw gasError('userError', 'CARD_COUNTER_MISMATCH');
      }
    }

    const orderNo = this.newOrderNo();
    const meta: CommitMeta = { actor: 'session', detail: { amountFen: input.amountFen, meter: account.meterType } };
    this.c.journal.create(
      {
        orderNo,
        kioskId: this.c.kioskId,
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
    const deadline = new Date(this.c.now().getTime() + this.c.settings.paymentCountdownSeconds * 1000).toISOString();
    this.activity.foreground.add(orderNo);
    this.c.journal.transition(orderNo, 'created', 'awaiting_payment', { payDeadline: deadline }, { actor: 'session' });
    this.activity.setBusy(orderNo, 'payment');
    let p: PaymentOrder;
    try {
      p = await this.c.payment.createOrder({
        outTradeNo: orderNo,
        amountFen: input.amountFen,
        description: `天然气充值 户号${maskAccountNo(account.accountNo)}`,
        expireSeconds: Math.max(10, this.c.settings.paymentCountdownSeconds + this.c.settings.paymentExpiryGraceSeconds),
      });
    } catch (err) {
      this.c.log.warn({ orderNo, err: errorCode(err) }, 'payment order could not be created; closing it');
      this.c.journal.note(orderNo, { lastError: errorCode(err) });
      // The provider may or may not have the order: the watcher closes it either way.
      this.watcher.start(orderNo, true);
      throw err instanceof UpstreamError && !outcomeUnknown(err)
        ? fromUpstream(err)
        : gasError('deviceNotReady', 'PAYMENT_UNAVAILABLE', errorCode(err));
    }
    const o = this.c.journal.step(
      orderNo,
      'awaiting_payment',
      'payment_created',
      { payOrderId: p.orderId, payCodeUrl: p.codeUrl, payExpiresAt: p.expiresAt, tradeState: p.tradeState },
      { actor: 'session' },
    );
    this.watcher.start(orderNo, false);
    return this.presenter.toView(o);
  }

  /**
   * The session is ending (timeout, cancel, goodbye): close any order still waiting for payment,
   * forget the card, and resolve once no money step is in flight. A paid order keeps going.
   */
  async endSession(): Promise<void> {
    this.activity.lastCard = null;
    const open = [...this.activity.foreground].filter((no) => this.c.journal.get(no)?.state === 'awaiting_payment');
    await Promise.all(
      open.map((no) =>
        this.cancel(no).catch((err: unknown) =>
          this.c.log.warn({ orderNo: no, err: errorCode(err) }, 'closing at session end failed'),
        ),
      ),
    );
    await this.activity.whenIdle();
  }

  /** The citizen cancelled, or the session is ending: close the payment if it is still unpaid. */
  async cancel(orderNo: string): Promise<OrderView> {
    const o = this.require(orderNo);
    if (o.state === 'created') {
      // Nothing was sent to the provider yet.
      return this.presenter.toView(
        this.c.journal.transition(
          orderNo,
          'created',
          'payment_closed',
          { lastError: 'payment:never_sent' },
          { actor: 'session' },
        ),
      );
    }
    if (o.state === 'awaiting_payment') {
      const w = this.activity.watchers.get(orderNo) ?? this.watcher.start(orderNo, true);
      w.cancel = true;
      w.wake();
      await w.done;
      const after = this.require(orderNo);
      if (after.state === 'awaiting_payment') return this.presenter.toView(after);
      if (after.state === 'paid' || after.state === 'crediting') await this.activity.settled(orderNo);
      return this.presenter.toView(this.require(orderNo));
    }
    if (o.state === 'paid' || o.state === 'crediting') {
      // Paid before the cancel arrived: the money step goes on; the caller gets its outcome.
      return this.waitForRest(orderNo);
    }
    if (REST_STATES.includes(o.state)) return this.presenter.toView(o);
    throw gasError('sequenceError', 'CANNOT_CANCEL', `order is ${o.state}`);
  }

  /**
   * Resolves when the order rests (paid and credited, pending, closed …) and nothing runs for it.
   * `onTick` gets the payment countdown while the QR code is shown.
   */
  async waitForRest(
    orderNo: string,
    options: { signal?: AbortSignal; onTick?: (t: PaymentTick) => void; onOrder?: (v: OrderView) => void } = {},
  ): Promise<OrderView> {
    this.require(orderNo);
    const events = this.c.events;
    return new Promise<OrderView>((resolve, reject) => {
      const cleanup = (): void => {
        events.off('order', onOrder);
        events.off('payment', onTick);
        options.signal?.removeEventListener('abort', onAbort);
      };
      const check = (): boolean => {
        const o = this.c.journal.get(orderNo);
        if (!o) return false;
        if (this.isRest(o)) {
          cleanup();
          resolve(this.presenter.toView(o));
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
      events.on('order', onOrder);
      events.on('payment', onTick);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      if (!check()) this.ensureDriven(orderNo);
    });
  }

  private isRest(o: GasOrder): boolean {
    if (this.activity.inFlight.has(o.orderNo) || this.activity.locks.has(o.orderNo)) return false;
    if (REST_STATES.includes(o.state)) return true;
    return this.presenter.paymentUnknown(o);
  }

  /** Something is working on this order, or starts now. */
  private ensureDriven(orderNo: string): void {
    const o = this.c.journal.get(orderNo);
    if (!o || this.activity.locks.has(orderNo) || this.activity.inFlight.has(orderNo)) return;
    if (o.state === 'awaiting_payment' && !this.activity.watchers.has(orderNo) && !this.activity.unknownPayment.has(orderNo))
      this.watcher.start(orderNo, false);
    else if (o.state === 'paid' || o.state === 'crediting')
      void this.delivery.deliver(orderNo, { actor: 'session', allowCard: true });
  }
}
