/**
 * IC-card meters: the gas company records the purchase and hands out the write data; the kiosk
 * writes the card and reports the result. Before any write (first or again) the card is re-read
 * and judged by rules/card.ts against the gas company's record: counter AND stored amount. A
 * write whose answer is lost is never repeated blind; a torn write goes to needs_attention.
 */
import { GasCardError, type GasCardData, type GasCardReader } from '@kiosk/protocol-gascard';
import type { IcPurchase } from '@kiosk/contracts/upstream';
import type { EngineContext } from '../context.js';
import { errorCode } from '../errors.js';
import type { Escalation } from '../escalation.js';
import type { CommitMeta, GasOrder } from '../journal.js';
import { cardAlreadyWritten, type CardBefore, type CardVerdict, type PurchaseRecord } from '../rules/card.js';
import { creditKey } from '../rules/keys.js';
import type { OrderState } from '../states.js';
import type { BusyReason } from '../types.js';

const toRecord = (p: IcPurchase): PurchaseRecord => ({
  cardNo: p.cardNo,
  targetCount: p.write.purchaseCount,
  amountFen: p.amountFen,
  status: p.status,
});

export class IcCardCreditor {
  constructor(
    private readonly c: EngineContext,
    private readonly escalation: Escalation,
    private readonly setBusy: (orderNo: string, reason: BusyReason | null) => void,
  ) {}

  /** What the card held before this order's last write went out (journaled with the card_write step). */
  cardBefore(orderNo: string): CardBefore | null {
    const h = this.c.journal
      .history(orderNo)
      .filter((e) => e.step === 'card_write')
      .at(-1);
    const fen = h?.detail.storedBeforeFen;
    return typeof fen === 'number' ? { storedFen: fen } : null;
  }

  /**
   * True when a card write went out for this order and was not confirmed to have failed: the gas
   * may be on the card whatever the gas company's record says (refunds must not go ahead).
   */
  cardMayHoldGas(o: GasOrder): boolean {
    if (o.meterType !== 'ic-card') return false;
    // Paid at another kiosk: its write attempts are in that kiosk's journal, not here.
    if (o.originKioskId !== o.kioskId) return true;
    let mayHold = false;
    for (const e of this.c.journal.history(o.orderNo)) {
      if (e.step === 'card_write' || e.step === 'card_written') mayHold = true;
      if (e.step === 'write_failed_reported') mayHold = false;
    }
    return mayHold || o.gasReport === 'pending';
  }

  /** Without the card nothing can be written; only ask whether it was finished elsewhere. */
  async checkElsewhere(o: GasOrder, meta: CommitMeta): Promise<GasOrder> {
    let p: IcPurchase | null;
    try {
      p = await this.c.gas.getIcPurchase(creditKey(o));
    } catch {
      return o;
    }
    if (p?.status !== 'written') return o;
    const cr = this.c.journal.transition(o.orderNo, ['credit_pending', 'needs_attention'], 'crediting', {}, meta);
    return this.c.journal.transition(
      cr.orderNo,
      'crediting',
      'credited',
      { gasReport: 'done', lastError: null },
      { ...meta, detail: { writtenElsewhere: true } },
    );
  }

  async credit(start: GasOrder, backTo: OrderState, allowCard: boolean, meta: CommitMeta): Promise<GasOrder> {
    let o = start;
    const serialNo = creditKey(o);
    // 1. The gas company's purchase record and the write data (idempotent by serial number).
    let record: IcPurchase | null;
    if (o.icPurchaseId === null || o.icTargetCount === null || o.icMac === null) {
      if (o.cardNo === null || o.cardCountBefore === null)
        return this.escalation.park(o, 'needs_attention', 'ic:no_card_data', meta);
      try {
        record = await this.c.gas.createIcPurchase({
          serialNo,
          accountNo: o.accountNo,
          cardNo: o.cardNo,
          amountFen: o.amountFen,
          cardPurchaseCount: o.cardCountBefore,
          paymentOrderNo: o.payOrderId ?? o.orderNo,
        });
      } catch (err) {
        return this.escalation.park(o, backTo, errorCode(err), meta);
      }
      o = this.c.journal.step(
        o.orderNo,
        'crediting',
        'purchase_recorded',
        {
          icPurchaseId: record.purchaseId,
          icTargetCount: record.write.purchaseCount,
          icMac: record.write.mac,
          volumeM3: record.write.volumeM3,
        },
        meta,
      );
      if (record.status === 'written')
        return this.c.journal.transition(o.orderNo, 'crediting', 'credited', { gasReport: 'done', lastError: null }, meta);
    } else {
      // 2. Already known to be on the card (crash after the read-back): only the report is missing.
      if (o.step === 'card_written') return this.reportWritten(o, meta);
      try {
        record = await this.c.gas.getIcPurchase(serialNo);
      } catch (err) {
        // The card is judged against the gas company's record; without it, nothing is written.
        return this.escalation.park(o, backTo, `ic:purchase_unknown:${errorCode(err)}`, meta);
      }
      if (record?.status === 'written') {
        return this.c.journal.transition(
          o.orderNo,
          'crediting',
          'credited',
          { gasReport: 'done', lastError: null },
          { ...meta, detail: { writtenElsewhere: true } },
        );
      }
    }

    // 3. Re-read the card and judge it before writing (again).
    const reader = allowCard ? this.c.cardReader() : undefined;
    if (!reader || !reader.cardPresent()) return this.escalation.park(o, backTo, 'ic:card_absent', meta);
    let card: GasCardData;
    try {
      card = await reader.readCard();
    } catch (err) {
      return this.escalation.park(o, backTo, errorCode(err), meta);
    }
    const rec = record ? toRecord(record) : null;
    const verdict = cardAlreadyWritten(card, rec, this.cardBefore(o.orderNo));
    if (verdict === 'on_card') {
      o = this.c.journal.step(
        o.orderNo,
        'crediting',
        'card_written',
        { gasReport: 'pending' },
        { ...meta, detail: { purchaseCount: card.purchaseCount, alreadyOnCard: true } },
      );
      return this.reportWritten(o, meta);
    }
    if (verdict !== 'write') return this.judged(o, verdict, card, backTo, meta);

    const target = rec!.targetCount;
    const storedBeforeFen = card.storedPurchase?.amountFen ?? 0;
    o = this.c.journal.step(
      o.orderNo,
      'crediting',
      'card_write',
      { icWriteAttempts: o.icWriteAttempts + 1 },
      { ...meta, detail: { target, storedBeforeFen } },
    );
    this.setBusy(o.orderNo, 'cardWrite');
    try {
      const w = await reader.writePurchase({
        cardNo: card.cardNo,
        purchaseCount: target,
        amountFen: o.amountFen,
        volumeM3: o.volumeM3 ?? 0,
        mac: o.icMac as string,
        serialNo,
      });
      if (w.purchaseCount !== target)
        return this.escalation.park(o, 'needs_attention', `ic:counter_after_write:${w.purchaseCount}`, meta);
      o = this.c.journal.step(
        o.orderNo,
        'crediting',
        'card_written',
        { gasReport: 'pending' },
        { ...meta, detail: { purchaseCount: target, result: w.result } },
      );
      return await this.reportWritten(o, meta);
    } catch (err) {
      if (err instanceof GasCardError && err.code === 'writeUnknown')
        return this.afterUnknownWrite(o, reader, rec!, { storedFen: storedBeforeFen }, backTo, meta, err);
      return this.escalation.park(o, backTo, errorCode(err), meta);
    } finally {
      this.setBusy(o.orderNo, 'payment');
    }
  }

  /** A card that must not be written now: torn or off-counter → a person; wrong card → wait for the right one. */
  private judged(
    o: GasOrder,
    verdict: Exclude<CardVerdict, 'on_card' | 'write'>,
    card: GasCardData,
    backTo: OrderState,
    meta: CommitMeta,
  ): GasOrder {
    switch (verdict) {
      case 'wrong_card':
        return this.escalation.park(o, backTo, 'ic:wrong_card', meta);
      case 'torn':
        return this.escalation.park(o, 'needs_attention', `ic:torn_write:${card.purchaseCount}`, meta);
      case 'mismatch':
        return this.escalation.park(o, 'needs_attention', `ic:counter_mismatch:${card.purchaseCount}`, meta);
    }
  }

  /** The write may or may not have taken: the card decides, if it is still there. */
  private async afterUnknownWrite(
    o: GasOrder,
    reader: GasCardReader,
    record: PurchaseRecord,
    before: CardBefore,
    backTo: OrderState,
    meta: CommitMeta,
    err: GasCardError,
  ): Promise<GasOrder> {
    if (!reader.cardPresent()) return this.escalation.park(o, backTo, errorCode(err), meta);
    let card: GasCardData;
    try {
      card = await reader.readCard();
    } catch (readErr) {
      this.c.log.warn({ orderNo: o.orderNo, err: errorCode(readErr) }, 'card re-read after an unknown write failed');
      return this.escalation.park(o, backTo, errorCode(err), meta);
    }
    const verdict = cardAlreadyWritten(card, record, before);
    if (verdict === 'on_card') {
      const w = this.c.journal.step(
        o.orderNo,
        'crediting',
        'card_written',
        { gasReport: 'pending' },
        { ...meta, detail: { purchaseCount: card.purchaseCount, confirmedByReread: true } },
      );
      return this.reportWritten(w, meta);
    }
    if (verdict === 'write') {
      // The write did not take: tell the gas company, the purchase stays writable (补写卡).
      try {
        await this.c.gas.reportCardWrite(creditKey(o), { result: 'failed', purchaseCountAfter: card.purchaseCount });
        o = this.c.journal.step(o.orderNo, 'crediting', 'write_failed_reported', { gasReport: 'failed' }, meta);
      } catch (rErr) {
        this.c.log.warn({ orderNo: o.orderNo, err: errorCode(rErr) }, 'could not report the failed write');
      }
      return this.escalation.park(o, backTo, 'ic:write_failed', meta);
    }
    return this.judged(o, verdict, card, backTo, meta);
  }

  /** The card shows the purchase: tell the gas company, then credited (report retried later if needed). */
  private async reportWritten(o: GasOrder, meta: CommitMeta): Promise<GasOrder> {
    const target = o.icTargetCount as number;
    let report: 'done' | 'pending' = 'pending';
    try {
      await this.c.gas.reportCardWrite(creditKey(o), { result: 'written', purchaseCountAfter: target });
      report = 'done';
    } catch (err) {
      this.c.log.warn({ orderNo: o.orderNo, err: errorCode(err) }, 'card-write report failed; retried in the background');
    }
    return this.c.journal.transition(
      o.orderNo,
      'crediting',
      'credited',
      { gasReport: report, lastError: report === 'done' ? null : 'ic:report_pending' },
      meta,
    );
  }
}
