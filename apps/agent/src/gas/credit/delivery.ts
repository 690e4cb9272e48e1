/**
 * Credit delivery: gets a paid order's gas to the customer, by the IoT creditor or the IC-card
 * creditor, under the order's lock. On any failure or doubt the order ends in credit_pending (or
 * back in needs_attention when it came from there); never refunded here.
 */
import type { OrderActivity } from '../activity.js';
import type { EngineContext } from '../context.js';
import { errorCode, gasError } from '../errors.js';
import type { Escalation } from '../escalation.js';
import type { CommitMeta, GasOrder } from '../journal.js';
import { wantsCredit } from '../rules/recovery.js';
import type { OrderState } from '../states.js';
import type { IcCardCreditor } from './ic-card-creditor.js';
import type { IotCreditor } from './iot-creditor.js';

export { wantsCredit } from '../rules/recovery.js';

export class CreditDelivery {
  constructor(
    private readonly c: EngineContext,
    private readonly activity: OrderActivity,
    private readonly escalation: Escalation,
    readonly iot: IotCreditor,
    readonly ic: IcCardCreditor,
  ) {}

  async deliver(orderNo: string, opts: { actor: string; allowCard: boolean }): Promise<GasOrder> {
    return this.activity.withLock(orderNo, async () => {
      let o = this.c.journal.get(orderNo);
      if (!o) throw gasError('invalidData', 'ORDER_NOT_FOUND');
      if (!wantsCredit(o)) return o;
      const backTo: OrderState = o.state === 'needs_attention' ? 'needs_attention' : 'credit_pending';
      const meta: CommitMeta = { actor: opts.actor };
      this.activity.setBusy(orderNo, 'payment');
      try {
        if (
          o.meterType === 'ic-card' &&
          !opts.allowCard &&
          o.icPurchaseId !== null &&
          o.step !== 'card_written' &&
          (o.state === 'credit_pending' || o.state === 'needs_attention')
        ) {
          return await this.ic.checkElsewhere(o, meta);
        }
        if (o.state !== 'crediting')
          o = this.c.journal.transition(orderNo, ['paid', 'credit_pending', 'needs_attention'], 'crediting', {}, meta);
        return o.meterType === 'iot'
          ? await this.iot.credit(o, backTo, meta)
          : await this.ic.credit(o, backTo, opts.allowCard, meta);
      } catch (err) {
        this.c.log.error(
          { orderNo, err: errorCode(err), stack: err instanceof Error ? err.stack : undefined },
          'credit step failed unexpectedly',
        );
        const now = this.c.journal.get(orderNo);
        if (now?.state === 'crediting') return this.escalation.park(now, backTo, errorCode(err), meta);
        return now ?? o;
      } finally {
        this.activity.setBusy(orderNo, null);
      }
    });
  }
}
