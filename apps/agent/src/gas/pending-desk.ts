/**
 * The pending-credit desk (补写卡): finishes a paid order whose credit is pending. IoT by
 * retrying the credit; IC by re-reading the card and writing it only if the card rule says the
 * purchase is not on it yet. Orders from another kiosk are imported from the provider and the gas
 * company first; an order of this kiosk whose payment outcome was unknown is resolved first.
 */
import type { GasCardData, GasCardReader } from '@kiosk/protocol-gascard';
import type { IcPurchase, PaymentOrder } from '@kiosk/contracts/upstream';
import { UpstreamError } from '../services/errors.js';
import type { OrderActivity } from './activity.js';
import type { EngineContext } from './context.js';
import { wantsCredit, type CreditDelivery } from './credit/delivery.js';
import { fromUpstream, gasError } from './errors.js';
import type { GasOrder } from './journal.js';
import type { PaymentWatcher } from './payment-watcher.js';
import type { Presenter } from './presenter.js';
import { orderNoFromScan } from './receipts.js';
import { creditKey } from './rules/keys.js';
import { creditedStates } from './states.js';
import type { OrderView } from './types.js';

export class PendingDesk {
  constructor(
    private readonly c: EngineContext,
    private readonly activity: OrderActivity,
    private readonly presenter: Presenter,
    private readonly delivery: CreditDelivery,
    private readonly watcher: PaymentWatcher,
    private readonly requireReader: () => GasCardReader,
    private readonly cardError: (err: unknown) => Error,
  ) {}

  async finishPending(
    orderNoInput: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<{ order: OrderView; alreadyComplete: boolean }> {
    const orderNo = orderNoFromScan(orderNoInput);
    let o = this.c.journal.get(orderNo) ?? (await this.importPending(orderNo));
    if (creditedStates.includes(o.state)) return { order: this.presenter.toView(o), alreadyComplete: true };
    if (this.presenter.paymentUnknown(o)) {
      // The slip of an unknown payment: ask the provider now (closing the order if nobody paid).
      await this.activity.withLock(orderNo, () => this.watcher.resolve(o, 'session')).catch(() => undefined);
      o = this.c.journal.get(orderNo) ?? o;
    }
    if (o.state === 'paid' || o.state === 'crediting') {
      await this.activity.settled(orderNo);
      o = this.c.journal.get(orderNo) ?? o;
    }
    if (!wantsCredit(o)) {
      if (creditedStates.includes(o.state)) return { order: this.presenter.toView(o), alreadyComplete: true };
      throw gasError(
        'sequenceError',
        o.state === 'payment_closed' || o.state === 'payment_expired' ? 'ORDER_NOT_PAID' : 'NOT_PENDING',
        `order is ${o.state}`,
      );
    }
    if (o.meterType === 'ic-card') {
      const reader = this.requireReader();
      let card: GasCardData;
      try {
        card = await reader.waitForCard({
          timeoutMs: this.c.settings.cardWaitMs,
          ...(options.signal ? { signal: options.signal } : {}),
        });
      } catch (err) {
        throw this.cardError(err);
      }
      if (card.cardNo !== o.cardNo) throw gasError('userError', 'WRONG_CARD');
      this.activity.lastCard = card;
    }
    this.activity.foreground.add(orderNo);
    const after = await this.delivery.deliver(orderNo, { actor: 'session', allowCard: true });
    return { order: this.presenter.toView(after), alreadyComplete: false };
  }

  /** A pending IC order paid at another kiosk: rebuild it from the provider and the gas company. */
  private async importPending(orderNo: string): Promise<GasOrder> {
    if (!/^[A-Za-z0-9_-]{8,32}$/.test(orderNo)) throw gasError('invalidData', 'ORDER_NOT_FOUND');
    let pay: PaymentOrder;
    let purchase: IcPurchase | null;
    try {
      pay = await this.c.payment.queryOrder(orderNo);
      purchase = await this.c.gas.getIcPurchase(creditKey({ orderNo }));
    } catch (err) {
      if (err instanceof UpstreamError && err.code === 'NOT_FOUND') throw gasError('invalidData', 'ORDER_NOT_FOUND');
      throw err instanceof UpstreamError ? fromUpstream(err) : err;
    }
    if (pay.tradeState !== 'SUCCESS') throw gasError('userError', 'ORDER_NOT_PAID');
    if (!purchase || purchase.status === 'voided') throw gasError('userError', 'PENDING_ELSEWHERE');
    const existing = this.c.journal.get(orderNo);
    if (existing) return existing;
    return this.c.journal.create(
      {
        orderNo,
        kioskId: this.c.kioskId,
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
}
