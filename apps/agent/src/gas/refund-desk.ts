/**
 * The refund desk (operator only, maintenance mode; the engine never refunds by itself). A paid,
 * uncredited order's money goes back only after the gas company made the credit impossible: the
 * serial is voided first (冲正), and the decision after each answer is rules/refund.ts (mayRefund).
 * An unknown answer leaves the order in needs_attention, never refunded; a credit that did land is
 * recorded instead.
 */
import { UpstreamError } from '../services/errors.js';
import type { OrderActivity } from './activity.js';
import type { EngineContext } from './context.js';
import { wantsCredit } from './credit/delivery.js';
import type { IcCardCreditor } from './credit/ic-card-creditor.js';
import type { IotCreditor } from './credit/iot-creditor.js';
import { errorCode, gasError, outcomeUnknown } from './errors.js';
import type { Escalation } from './escalation.js';
import type { GasOrder } from './journal.js';
import { creditKey, refundKey } from './rules/keys.js';
import { mayRefund, type VoidAnswer } from './rules/refund.js';

export class RefundDesk {
  constructor(
    private readonly c: EngineContext,
    private readonly activity: OrderActivity,
    private readonly escalation: Escalation,
    private readonly iot: IotCreditor,
    private readonly ic: IcCardCreditor,
  ) {}

  private require(orderNo: string): GasOrder {
    const o = this.c.journal.get(orderNo);
    if (!o) throw gasError('invalidData', 'ORDER_NOT_FOUND');
    return o;
  }

  /** Operator: refund a paid order whose gas was not delivered. */
  async requestRefund(orderNo: string, reason: string, actor: string): Promise<GasOrder> {
    return this.activity.withLock(orderNo, async () => {
      let o = this.require(orderNo);
      if (o.state === 'refund_requested' || (o.state === 'needs_attention' && o.attentionFrom === 'refund_requested')) {
        if (o.state === 'needs_attention')
          o = this.c.journal.transition(orderNo, 'needs_attention', 'refund_requested', {}, { actor });
        return this.proceed(o, actor);
      }
      if (!(o.state === 'credit_pending' || (o.state === 'needs_attention' && wantsCredit(o)))) {
        throw gasError('sequenceError', 'NOT_PENDING', `order is ${o.state}`);
      }
      if (mayRefund({ voidAnswer: null, cardMayHoldGas: this.ic.cardMayHoldGas(o) }) === 'needs_attention') {
        throw gasError('userError', 'REFUND_UNSAFE', 'a card write went out for this order: read the card first (补写卡)');
      }
      const why = reason.slice(0, 80);
      o = this.c.journal.transition(
        orderNo,
        ['credit_pending', 'needs_attention'],
        'refund_requested',
        { refundNo: refundKey(o), refundReason: why },
        { actor, detail: { reason: why } },
      );
      return this.proceed(o, actor);
    });
  }

  /** A refund_requested order: void, then refund (also the retry loop's way after a crash). Call under the order's lock. */
  async proceed(start: GasOrder, actor: string): Promise<GasOrder> {
    let o = start;
    const cardMayHoldGas = this.ic.cardMayHoldGas(o);
    let voidAnswer: VoidAnswer | null = null;
    let step = mayRefund({ voidAnswer, cardMayHoldGas });
    if (step === 'void') {
      voidAnswer = await this.voidSerial(o);
      this.c.journal.note(o.orderNo, { lastError: `void:${voidAnswer}` });
      o = this.require(o.orderNo);
      step = mayRefund({ voidAnswer, cardMayHoldGas });
    }
    switch (step) {
      case 'refund':
        return this.refund(o, actor);
      case 'credited':
        await this.recordCredit(o, actor);
        throw gasError('sequenceError', 'ALREADY_COMPLETE', 'the gas company credited this order; it was recorded, not refunded');
      case 'needs_attention':
      case 'void':
        this.escalation.escalate(o, `refund:void_${voidAnswer ?? 'not_done'}`, actor);
        throw gasError('deviceNotReady', 'REFUND_UNSAFE', 'the gas company did not confirm the void; nothing was refunded');
    }
  }

  /** 冲正 by the order's credit key: a definite answer, or unknown. */
  private async voidSerial(o: GasOrder): Promise<VoidAnswer> {
    try {
      return (await this.c.gas.voidSerial(creditKey(o), 'refund')).result;
    } catch (err) {
      if (err instanceof UpstreamError && err.code === 'REJECTED' && err.upstreamCode === 'ALREADY_CREDITED')
        return 'already_credited';
      this.c.log.warn({ orderNo: o.orderNo, err: errorCode(err) }, 'void not confirmed; not refunding');
      return 'unknown';
    }
  }

  /** The void was refused because the gas is there: record the credit, never refund. */
  private async recordCredit(o: GasOrder, actor: string): Promise<GasOrder> {
    const meta = { actor, detail: { foundByVoid: true } };
    const cr = this.c.journal.transition(
      o.orderNo,
      'refund_requested',
      'crediting',
      { refundNo: null, refundReason: null },
      meta,
    );
    if (cr.meterType === 'iot') {
      const found = await this.c.gas.getRemoteCredit(creditKey(cr)).catch(() => null);
      if (found) return this.iot.recordFound(cr, found, meta);
      return this.iot.credit(cr, 'needs_attention', meta);
    }
    return this.c.journal.transition(cr.orderNo, 'crediting', 'credited', { gasReport: 'done', lastError: null }, meta);
  }

  private async refund(o: GasOrder, actor: string): Promise<GasOrder> {
    try {
      const r = await this.c.payment.refund({
        outTradeNo: o.orderNo,
        outRefundNo: o.refundNo ?? refundKey(o),
        amountFen: o.amountFen,
        ...(o.refundReason ? { reason: o.refundReason } : {}),
      });
      return this.c.journal.transition(
        o.orderNo,
        'refund_requested',
        'refunded',
        { refundId: r.refundId, lastError: null },
        { actor },
      );
    } catch (err) {
      this.c.journal.note(o.orderNo, { lastError: errorCode(err) });
      if (!outcomeUnknown(err)) return this.escalation.escalate(o, errorCode(err), actor);
      return this.require(o.orderNo);
    }
  }
}
