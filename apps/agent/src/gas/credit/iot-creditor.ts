/**
 * IoT meters: the gas company credits the meter remotely. The request carries the order's
 * credit key (rules/keys.ts), so a retry after a lost answer gets the original credit back.
 */
import type { EngineContext } from '../context.js';
import { errorCode, outcomeUnknown } from '../errors.js';
import type { Escalation } from '../escalation.js';
import type { CommitMeta, GasOrder } from '../journal.js';
import { creditKey } from '../rules/keys.js';
import type { OrderState } from '../states.js';

export class IotCreditor {
  constructor(
    private readonly c: EngineContext,
    private readonly escalation: Escalation,
  ) {}

  /** From crediting: credited, or parked in `backTo` when the credit failed or is unknown. */
  async credit(o: GasOrder, backTo: OrderState, meta: CommitMeta): Promise<GasOrder> {
    const serialNo = creditKey(o);
    const req = { serialNo, accountNo: o.accountNo, amountFen: o.amountFen, paymentOrderNo: o.payOrderId ?? o.orderNo };
    try {
      const c = await this.c.gas.remoteCredit(req);
      return this.c.journal.transition(
        o.orderNo,
        'crediting',
        'credited',
        {
          creditId: c.creditId,
          balanceAfterFen: c.balanceAfterFen,
          volumeM3: c.volumeM3,
          creditedAt: c.creditedAt,
          lastError: null,
        },
        { ...meta, detail: { duplicate: c.duplicate } },
      );
    } catch (err) {
      if (outcomeUnknown(err)) {
        // The credit may have landed: ask by serial number before concluding anything.
        try {
          const found = await this.c.gas.getRemoteCredit(serialNo);
          if (found) return this.recordFound(o, found, meta);
        } catch (qErr) {
          this.c.log.warn({ orderNo: o.orderNo, err: errorCode(qErr) }, 'credit query failed too');
        }
      }
      return this.escalation.park(o, backTo, errorCode(err), meta);
    }
  }

  /** The gas company shows the credit (found by query or by a refused void): record it. */
  recordFound(
    o: GasOrder,
    found: { creditId: string; balanceAfterFen: number; volumeM3: number; creditedAt: string },
    meta: CommitMeta,
  ): GasOrder {
    return this.c.journal.transition(
      o.orderNo,
      'crediting',
      'credited',
      {
        creditId: found.creditId,
        balanceAfterFen: found.balanceAfterFen,
        volumeM3: found.volumeM3,
        creditedAt: found.creditedAt,
        lastError: null,
      },
      { ...meta, detail: { confirmedByQuery: true } },
    );
  }
}
