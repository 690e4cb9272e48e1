/**
 * The payment watcher: polls the provider while the QR code is shown, closes the order when the
 * kiosk gives up (countdown over, citizen cancelled, PAYERROR), and resolves unpaid orders after a
 * restart. An order becomes final as unpaid only when the provider closed it (or never had it):
 * the decision is rules/payment.ts; a payment seen during the close wins and is credited.
 */
import type { PaymentOrder } from '@kiosk/contracts/upstream';
import { UpstreamError } from '../services/errors.js';
import type { OrderActivity, Watcher } from './activity.js';
import type { EngineContext } from './context.js';
import { errorCode } from './errors.js';
import type { Escalation } from './escalation.js';
import type { CommitMeta, GasOrder } from './journal.js';
import { nextPaymentStep, type ProviderSays } from './rules/payment.js';
import type { OrderState } from './states.js';

/** What to do once an order is paid (credit delivery). */
export type OnPaid = (orderNo: string) => Promise<unknown>;

const UNPAID_FROM: OrderState[] = ['awaiting_payment', 'needs_attention'];

export class PaymentWatcher {
  stopped = false;

  constructor(
    private readonly c: EngineContext,
    private readonly activity: OrderActivity,
    private readonly escalation: Escalation,
    private readonly onPaid: OnPaid,
  ) {}

  start(orderNo: string, cancel: boolean): Watcher {
    const existing = this.activity.watchers.get(orderNo);
    if (existing) {
      if (cancel) existing.cancel = true;
      existing.wake();
      return existing;
    }
    let wakeFn: () => void = () => {};
    const w: Watcher = { cancel, wake: () => wakeFn(), done: Promise.resolve() };
    this.activity.unknownPayment.delete(orderNo);
    this.activity.watchers.set(orderNo, w);
    this.activity.setBusy(orderNo, 'payment');
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
        paid = await this.watch(orderNo, w, sleep);
      } catch (err) {
        this.c.log.error({ orderNo, err: errorCode(err) }, 'payment watcher failed');
      } finally {
        this.activity.watchers.delete(orderNo);
      }
      if (paid && !this.stopped) await this.onPaid(orderNo);
      else this.activity.setBusy(orderNo, null);
    })();
    return w;
  }

  /** Polls the provider until the order is paid or final unpaid. Returns true when paid. */
  private async watch(orderNo: string, w: Watcher, sleep: (ms: number) => Promise<void>): Promise<boolean> {
    for (;;) {
      const o = this.c.journal.get(orderNo);
      if (!o || o.state !== 'awaiting_payment') return o?.state === 'paid';
      if (this.stopped) return false;
      const now = this.c.now().getTime();
      const deadline = o.payDeadline ? Date.parse(o.payDeadline) : now;
      if (w.cancel || now >= deadline) {
        try {
          // Giving up: the rule decides what that takes (closing the order at the provider).
          await this.apply(o, (o.tradeState as ProviderSays | null) ?? 'NOTPAY', null, 'runner', true);
        } catch (err) {
          this.c.journal.note(orderNo, { lastError: errorCode(err) });
          if (now > deadline + this.c.settings.closeGraceMs) {
            // The provider cannot be reached: stop holding the session; the retry loop goes on.
            this.c.log.warn({ orderNo, err: errorCode(err) }, 'cannot close the unpaid order; leaving it to the retry loop');
            this.activity.unknownPayment.add(orderNo);
            return false;
          }
          await sleep(this.c.settings.paymentPollMs);
        }
        continue;
      }
      try {
        const q = await this.c.payment.queryOrder(orderNo, {
          timeoutMs: Math.min(5000, this.c.settings.paymentPollMs * 2 + 1000),
        });
        const after = await this.apply(o, q.tradeState, q, 'runner', false);
        if (after.state === 'awaiting_payment') {
          if (q.tradeState !== o.tradeState) this.c.journal.note(orderNo, { tradeState: q.tradeState });
          this.c.events.emit('payment', {
            orderNo,
            tradeState: q.tradeState,
            secondsLeft: Math.max(0, Math.ceil((deadline - this.c.now().getTime()) / 1000)),
          });
        }
      } catch (err) {
        if (err instanceof UpstreamError && err.code === 'NOT_FOUND' && o.payOrderId === null) {
          await this.apply(o, 'not_found', null, 'runner', false);
          continue;
        }
        // The query, or the close after a PAYERROR, failed: ask again next round.
        this.c.log.warn({ orderNo, err: errorCode(err) }, 'payment query failed');
      }
      await sleep(Math.min(this.c.settings.paymentPollMs, Math.max(0, deadline - this.c.now().getTime())));
    }
  }

  /**
   * Journals what the provider says about an unpaid order, following nextPaymentStep; `close`
   * closes the order at the provider first. Returns the order afterwards.
   */
  private async apply(
    o: GasOrder,
    says: ProviderSays,
    q: PaymentOrder | null,
    actor: string,
    giveUp: boolean,
  ): Promise<GasOrder> {
    const step = nextPaymentStep(says, giveUp);
    if (step === 'close') return this.close(o, actor);
    if (step === 'wait') return o;
    return this.decided(o, step, says, q, actor);
  }

  /** credit / end_unpaid / needs_attention: the journal write for a definite answer. */
  private decided(
    o: GasOrder,
    step: 'credit' | 'end_unpaid' | 'needs_attention',
    says: ProviderSays,
    q: PaymentOrder | null,
    actor: string,
  ): GasOrder {
    const meta: CommitMeta = { actor, detail: { tradeState: says } };
    const pay = q ? { payOrderId: q.orderId, tradeState: q.tradeState } : {};
    switch (step) {
      case 'credit':
        return this.c.journal.transition(
          o.orderNo,
          UNPAID_FROM,
          'paid',
          { ...pay, transactionId: q?.transactionId ?? null, paidAt: q?.paidAt ?? null },
          meta,
        );
      case 'end_unpaid': {
        if (says === 'not_found') {
          return this.c.journal.transition(
            o.orderNo,
            UNPAID_FROM,
            'payment_closed',
            { lastError: 'payment:never_created' },
            meta,
          );
        }
        const expired = o.payDeadline !== null && this.c.now().toISOString() >= o.payDeadline;
        return this.c.journal.transition(o.orderNo, UNPAID_FROM, expired ? 'payment_expired' : 'payment_closed', pay, meta);
      }
      case 'needs_attention':
        // Refunded outside the kiosk: a person must look at it.
        if (o.state === 'needs_attention') return o;
        return this.escalation.escalate(o, 'payment:refunded_outside', actor, pay);
    }
  }

  /**
   * Closes an unpaid order at the provider, then decides by what the provider says after the
   * close. A close that loses the race to a payment yields paid. Throws when the provider cannot
   * be reached or still shows the order open: then nothing is final.
   */
  async close(o: GasOrder, actor: string): Promise<GasOrder> {
    let says: ProviderSays;
    let q: PaymentOrder | null = null;
    try {
      q = await this.c.payment.closeOrder(o.orderNo);
      says = q.tradeState;
    } catch (err) {
      if (err instanceof UpstreamError && err.code === 'NOT_FOUND') says = 'not_found';
      else if (err instanceof UpstreamError && err.code === 'REJECTED') {
        // ORDER_PAID: paid in the last second. Ask what it is now.
        q = await this.c.payment.queryOrder(o.orderNo);
        says = q.tradeState;
      } else throw err;
    }
    const step = nextPaymentStep(says, true);
    if (step === 'close' || step === 'wait') throw new Error(`payment order still ${says} after the close`);
    // Decided against the state the close was based on: the journal's compare-and-set refuses a stale one.
    return this.decided(o, step, says, q, actor);
  }

  /** Where is this unpaid order at the provider (after a restart, or the watcher gave up)? Close it if nobody paid. */
  async resolve(o: GasOrder, actor: string): Promise<GasOrder> {
    const fresh = this.c.journal.get(o.orderNo) ?? o;
    if (fresh.state !== 'awaiting_payment' && fresh.state !== 'needs_attention') return fresh;
    let q: PaymentOrder;
    try {
      q = await this.c.payment.queryOrder(o.orderNo);
    } catch (err) {
      if (err instanceof UpstreamError && err.code === 'NOT_FOUND')
        return this.decided(fresh, 'end_unpaid', 'not_found', null, actor);
      throw err;
    }
    // Nobody is looking at this QR code any more: giving up means closing it first.
    const after = await this.apply(fresh, q.tradeState, q, actor, true);
    this.activity.unknownPayment.delete(o.orderNo);
    return after;
  }
}
