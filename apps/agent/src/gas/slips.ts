/**
 * Slips: the receipt of a credited order (then done), the pending-credit slip of a paid order
 * whose gas is not delivered, and the payment-unknown slip (order number and what to do, per
 * credit kind). A missing or failing printer never blocks the money: a credited order still ends
 * done.
 */
import type { PrintResult } from '../devices/printer/driver.js';
import type { ReceiptDocument } from '../receipts/document.js';
import type { OrderActivity } from './activity.js';
import type { EngineContext } from './context.js';
import { gasError } from './errors.js';
import type { GasOrder } from './journal.js';
import type { Presenter } from './presenter.js';
import { gasReceipt, paymentUnknownSlip, pendingSlip } from './receipts.js';
import { creditedStates } from './states.js';
import type { OrderView, PrintOutcome } from './types.js';

export class Slips {
  constructor(
    private readonly c: EngineContext,
    private readonly activity: OrderActivity,
    private readonly presenter: Presenter,
  ) {}

  private require(orderNo: string): GasOrder {
    const o = this.c.journal.get(orderNo);
    if (!o) throw gasError('invalidData', 'ORDER_NOT_FOUND');
    return o;
  }

  /** Which slip this order gets now, or null when none. */
  private kindOf(o: GasOrder): 'receipt' | 'pending' | 'paymentUnknown' | null {
    if (creditedStates.includes(o.state)) return 'receipt';
    if (o.state === 'credit_pending' || o.state === 'needs_attention') return 'pending';
    if (this.presenter.paymentUnknown(o)) return 'paymentUnknown';
    return null;
  }

  document(orderNo: string): ReceiptDocument {
    const o = this.require(orderNo);
    const ctx = { ...this.c.slip, now: this.c.now() };
    switch (this.kindOf(o)) {
      case 'receipt':
        return gasReceipt(o, ctx);
      case 'pending':
        return pendingSlip(o, ctx);
      case 'paymentUnknown':
        return paymentUnknownSlip(o, ctx);
      case null:
        throw gasError('sequenceError', 'NOT_PENDING', `order is ${o.state}`);
    }
  }

  async print(orderNo: string): Promise<PrintOutcome> {
    const o = this.require(orderNo);
    const kind = this.kindOf(o);
    if (kind === null) throw gasError('sequenceError', 'NOT_PENDING', `order is ${o.state}`);
    const credited = kind === 'receipt';
    if (credited && o.receiptPrinted)
      return { printed: false, kind: 'receipt', reason: 'alreadyPrinted', order: this.presenter.toView(o) };
    const doc = this.document(orderNo);
    const printer = this.c.printer();
    this.activity.foreground.add(orderNo);
    let result: PrintResult | null = null;
    let reason: string | null = null;
    if (!printer) reason = 'noPrinter';
    else {
      const wasBusy = this.activity.inFlight.get(orderNo) ?? null;
      this.activity.setBusy(orderNo, 'printing');
      try {
        result = await printer.print(doc);
        if (result.outcome !== 'printed') reason = result.reason ?? result.outcome;
      } catch (err) {
        reason = err instanceof Error ? err.message : String(err);
      } finally {
        this.activity.setBusy(orderNo, wasBusy);
      }
    }
    const printed = result?.outcome === 'printed';
    return this.activity.withLock(orderNo, async () => {
      let after = this.require(orderNo);
      if (credited) {
        if (printed && after.state === 'credited') {
          this.c.journal.transition(
            orderNo,
            'credited',
            'receipt_printed',
            { receiptPrinted: true, receiptJobId: result?.jobId ?? null },
            { actor: 'session' },
          );
        } else if (printed) {
          this.c.journal.note(orderNo, { receiptPrinted: true, receiptJobId: result?.jobId ?? null });
        }
        after = this.require(orderNo);
        if (after.state === 'credited' || after.state === 'receipt_printed') {
          after = this.c.journal.transition(
            orderNo,
            after.state,
            'done',
            {},
            { actor: 'session', detail: { receiptPrinted: printed } },
          );
        }
      } else if (
        printed &&
        (after.state === 'credit_pending' || after.state === 'needs_attention' || after.state === 'awaiting_payment')
      ) {
        after = this.c.journal.step(
          orderNo,
          after.state,
          'pending_slip',
          { pendingSlipPrinted: true },
          { actor: 'session', detail: { kind } },
        );
      }
      return {
        printed,
        kind: credited ? 'receipt' : 'pending',
        reason,
        order: this.presenter.toView(after),
      } satisfies PrintOutcome;
    });
  }

  /** Ends a credited order without (or after an external) receipt. */
  async finish(orderNo: string, receiptPrinted = false): Promise<OrderView> {
    return this.activity.withLock(orderNo, async () => {
      let o = this.require(orderNo);
      if (o.state === 'credited' && receiptPrinted)
        o = this.c.journal.transition(orderNo, 'credited', 'receipt_printed', { receiptPrinted: true }, { actor: 'session' });
      if (o.state === 'credited' || o.state === 'receipt_printed')
        o = this.c.journal.transition(orderNo, o.state, 'done', {}, { actor: 'session' });
      return this.presenter.toView(o);
    });
  }
}
