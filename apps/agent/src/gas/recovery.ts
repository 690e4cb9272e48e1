/**
 * The recovery loop: at start-up (before citizens are served) and then every
 * gas.recoveryIntervalMs, drives every order that is neither final nor resting to where it
 * belongs: unpaid orders are resolved at the provider, paid ones credited, refunds carried on,
 * lost card-write reports resent, old orders escalated to needs_attention.
 */
import type { OrderActivity } from './activity.js';
import type { EngineContext } from './context.js';
import type { CreditDelivery } from './credit/delivery.js';
import { errorCode } from './errors.js';
import type { Escalation } from './escalation.js';
import { StaleOrderError, type GasOrder } from './journal.js';
import type { PaymentWatcher } from './payment-watcher.js';
import type { RefundDesk } from './refund-desk.js';
import { creditKey } from './rules/keys.js';
import { recoveryStep } from './rules/recovery.js';
import type { Slips } from './slips.js';

export class Recovery {
  stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private tickRunning: Promise<void> | undefined;

  constructor(
    private readonly c: EngineContext,
    private readonly activity: OrderActivity,
    private readonly escalation: Escalation,
    private readonly watcher: PaymentWatcher,
    private readonly delivery: CreditDelivery,
    private readonly refunds: RefundDesk,
    private readonly slips: Slips,
  ) {}

  startLoop(): void {
    this.stopped = false;
    this.timer = setInterval(() => void this.tick(), this.c.settings.recoveryIntervalMs);
    this.timer.unref();
    // Pending credits are retried at once, not a whole interval later; start() does not wait.
    setImmediate(() => void this.tick());
  }

  stopLoop(): Promise<void> | undefined {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    return this.tickRunning;
  }

  /** One pass over the journal. `startup`: before citizens are served; `retry`: the background loop. */
  async recoverAll(kind: 'startup' | 'retry'): Promise<void> {
    for (const o of this.c.journal.unfinished()) {
      if (this.stopped) return;
      try {
        await this.recoverOne(o, kind, kind === 'startup' ? 'recovery' : 'retry', false);
      } catch (err) {
        this.c.log.warn(
          { orderNo: o.orderNo, state: o.state, err: errorCode(err) },
          'recovery of an order failed; retried later',
        );
      }
    }
    if (kind === 'retry') {
      for (const o of this.c.journal.pending()) {
        if (this.stopped) return;
        try {
          await this.recoverOne(o, kind, 'retry', false);
        } catch (err) {
          this.c.log.warn({ orderNo: o.orderNo, state: o.state, err: errorCode(err) }, 'retry of a pending order failed');
        }
      }
    }
    await this.retryReports();
    this.escalateOld();
  }

  private async deliverAndFinish(orderNo: string, actor: string, allowCard: boolean): Promise<void> {
    const after = await this.delivery.deliver(orderNo, { actor, allowCard });
    // Nobody is waiting at the screen for this receipt (printSlip still can print it).
    if (after.state === 'credited' && !this.activity.foreground.has(orderNo)) await this.slips.finish(orderNo);
  }

  async recoverOne(start: GasOrder, kind: 'startup' | 'retry', actor: string, operator: boolean): Promise<void> {
    const orderNo = start.orderNo;
    if (this.activity.isActive(orderNo)) return;
    const o = this.c.journal.get(orderNo);
    if (!o) return;
    const allowCard = kind === 'startup' || operator;
    switch (recoveryStep(o, { operator })) {
      case 'close_local':
        this.c.journal.transition(orderNo, 'created', 'payment_closed', { lastError: 'payment:never_sent' }, { actor });
        return;
      case 'resolve_payment':
        await this.activity.withLock(orderNo, () => this.watcher.resolve(o, actor));
        // Paid after all: credit it now.
        if (this.c.journal.get(orderNo)?.state === 'paid') await this.deliverAndFinish(orderNo, actor, allowCard);
        return;
      case 'deliver':
        // From needs_attention the card is only used when an operator asks.
        await this.deliverAndFinish(orderNo, actor, o.state === 'needs_attention' ? operator : allowCard);
        return;
      case 'finish': {
        const idle = this.c.now().getTime() - Date.parse(o.updatedAt) >= this.c.settings.finishAfterMs;
        if (kind === 'startup' || idle || operator || !this.activity.foreground.has(orderNo)) await this.slips.finish(orderNo);
        return;
      }
      case 'refund':
        if (o.state === 'needs_attention') await this.refunds.requestRefund(orderNo, o.refundReason ?? 'retry', actor);
        else await this.activity.withLock(orderNo, () => this.refunds.proceed(o, actor));
        return;
      case 'none':
        return;
    }
  }

  private async retryReports(): Promise<void> {
    for (const o of this.c.journal.inStates(['credited', 'receipt_printed', 'done'])) {
      if (o.gasReport !== 'pending' || o.icTargetCount === null || this.activity.locks.has(o.orderNo)) continue;
      try {
        await this.c.gas.reportCardWrite(creditKey(o), { result: 'written', purchaseCountAfter: o.icTargetCount });
        this.c.journal.step(o.orderNo, o.state, 'report_sent', { gasReport: 'done', lastError: null }, { actor: 'retry' });
      } catch (err) {
        this.c.log.warn({ orderNo: o.orderNo, err: errorCode(err) }, 'card-write report still failing');
      }
    }
  }

  /** Orders stuck longer than the configured age become needs_attention, with an alert. */
  private escalateOld(): void {
    const limit = this.c.now().getTime() - this.c.settings.needsAttentionAfterMs;
    for (const o of [...this.c.journal.unfinished(), ...this.c.journal.inStates(['credit_pending'])]) {
      if (Date.parse(o.createdAt) > limit) continue;
      if (this.activity.isActive(o.orderNo)) continue;
      if (!['awaiting_payment', 'paid', 'crediting', 'credit_pending', 'refund_requested'].includes(o.state)) continue;
      try {
        this.escalation.escalate(o, o.lastError ?? `stuck:${o.state}`, 'retry');
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
        this.c.log.error({ err: errorCode(err) }, 'gas retry pass failed');
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
}
