/**
 * Three-way reconciliation of one China-time day (T+1 practice): the kiosk's journal, the payment
 * provider's bill and the gas company's ledger. Pure: the CLI (cli/gas.ts) fetches, this compares.
 *
 * Keys: the order number is the provider's out_trade_no and the gas company's serialNo. A ledger
 * entry under another serial is still attributed to its order by the provider's order id it
 * carries (paymentOrderNo), so a second credit for one payment shows as `credited-twice` instead
 * of disappearing into a map keyed by serial. Only this kiosk's rows count (bill and ledger carry
 * the kiosk id). Paid orders whose credit is still pending are open items, not mismatches: money
 * and ledger agree that nothing was credited yet. Besides order by order, the day's totals are
 * compared: each upstream's own totals against its rows, and paid = delivered + refunded + open.
 */
import type { GasLedger, PaymentBill } from '@kiosk/contracts/upstream';
import type { GasOrder } from './journal.js';
import { maskAccountNo } from './receipts.js';
import { chinaDate, yuan } from '@kiosk/platform';
import { creditedStates, paidStates, pendingStates } from './states.js';

type MismatchKind =
  // The differences issue 12 names, by the upstreams' own records:
  | 'paid-not-credited'
  | 'credited-twice'
  | 'credited-not-paid'
  | 'refunded-and-credited'
  | 'amounts-differ'
  | 'totals-differ'
  // Where the journal disagrees with an upstream:
  | 'payment-not-in-journal'
  | 'journal-not-paid'
  | 'paid-not-in-bill'
  | 'credited-not-in-ledger'
  | 'card-write-not-reported'
  | 'ledger-not-in-journal'
  | 'ledger-but-journal-not-credited'
  | 'refund-not-in-journal'
  | 'refunded-not-in-bill';

interface Mismatch {
  kind: MismatchKind;
  orderNo: string;
  detail: string;
}

interface OpenItem {
  orderNo: string;
  state: string;
  amountFen: number;
  detail: string;
}

/** The day's sums for this kiosk, per source (fen). */
interface ReconcileTotals {
  /** Provider bill: payments and refunds of the day. */
  paymentCount: number;
  paymentFen: number;
  refundCount: number;
  refundFen: number;
  /** Gas ledger: gas delivered (IoT credited, IC written) for the day's payments. */
  ledgerCount: number;
  ledgerFen: number;
  /** Journal: the day's paid orders still waiting for their credit. */
  openFen: number;
}

export interface ReconcileReport {
  date: string;
  kioskId: string;
  totals: ReconcileTotals;
  paid: { count: number; fen: number };
  credited: { count: number; fen: number };
  pending: { count: number; fen: number };
  refunded: { count: number; fen: number };
  mismatches: Mismatch[];
  open: OpenItem[];
  clean: boolean;
  summary: string;
}

export interface ReconcileInput {
  date: string;
  kioskId: string;
  /** Journal orders created, paid or credited on the date (GasJournal.forDate). */
  journal: readonly GasOrder[];
  bill: PaymentBill;
  /**
   * Gas ledgers of the date and its neighbours: an IC purchase is booked on the day it was
   * recorded, which may be before the card was written; a late credit may fall on the next day.
   */
  ledgers: readonly GasLedger[];
  /** Journal orders on other dates, looked up by order number (for bill or ledger rows of theirs). */
  journalLookup?: (orderNo: string) => GasOrder | undefined;
  /**
   * Bill rows of the kiosk's other products on the same provider (photo orders, photo/reconcile.ts):
   * reconciled there, left out here except in the check of the bill's own totals.
   */
  otherProduct?: (outTradeNo: string) => boolean;
}

const onDate = (iso: string | null, date: string): boolean => iso !== null && chinaDate(new Date(iso)) === date;

export function reconcile(input: ReconcileInput): ReconcileReport {
  const { date, kioskId } = input;
  const mismatches: Mismatch[] = [];
  const open: OpenItem[] = [];
  const add = (kind: MismatchKind, orderNo: string, detail: string): void => void mismatches.push({ kind, orderNo, detail });

  const mine = input.journal.filter((o) => o.originKioskId === kioskId);
  const journal = new Map(mine.map((o) => [o.orderNo, o]));
  const lookup = (no: string): GasOrder | undefined => {
    const o = journal.get(no) ?? input.journalLookup?.(no);
    return o && o.originKioskId === kioskId ? o : undefined;
  };
  const billRows = input.bill.rows.filter((r) => r.kioskId === kioskId && !input.otherProduct?.(r.outTradeNo));
  const payments = new Map(billRows.filter((r) => r.type === 'payment').map((r) => [r.outTradeNo, r]));
  const refunds = new Map<string, PaymentBill['rows'][number][]>();
  for (const r of billRows) if (r.type === 'refund') refunds.set(r.outTradeNo, [...(refunds.get(r.outTradeNo) ?? []), r]);
  const refundedFen = (no: string): number => {
    const fen = (refunds.get(no) ?? []).reduce((s, r) => s + r.amountFen, 0);
    if (fen > 0) return fen;
    // Refunded on another day (its own bill shows it): accounted for, not a difference of this day.
    const o = lookup(no);
    return o?.state === 'refunded' && o.finishedAt !== null && !onDate(o.finishedAt, date) ? o.amountFen : 0;
  };

  // The provider's order id → the kiosk's order number, to attribute ledger entries by payment.
  const byPayOrder = new Map<string, string>();
  for (const r of input.bill.rows) byPayOrder.set(r.orderId, r.outTradeNo);
  for (const o of mine) if (o.payOrderId) byPayOrder.set(o.payOrderId, o.orderNo);
  type Entry = GasLedger['entries'][number];
  const entries = new Map<string, Entry>();
  for (const l of input.ledgers) for (const e of l.entries) if (e.kioskId === kioskId) entries.set(`${e.kind}:${e.serialNo}`, e);
  const orderOf = (e: Entry): string =>
    lookup(e.serialNo) || payments.has(e.serialNo) ? e.serialNo : (byPayOrder.get(e.paymentOrderNo) ?? e.serialNo);
  const ledger = new Map<string, Entry[]>();
  for (const e of entries.values()) ledger.set(orderOf(e), [...(ledger.get(orderOf(e)) ?? []), e]);
  const delivered = (e: Entry): boolean => e.status === 'credited' || e.status === 'written';
  const deliveredOf = (no: string): Entry[] => (ledger.get(no) ?? []).filter(delivered);
  const ledgerToday = new Set(
    input.ledgers.filter((l) => l.date === date).flatMap((l) => l.entries.filter((e) => e.kioskId === kioskId).map(orderOf)),
  );
  const isOpen = (o: GasOrder | undefined): boolean =>
    o !== undefined && (pendingStates.includes(o.state) || o.state === 'refund_requested');

  // 1. The provider's payments of the day.
  for (const [no, p] of payments) {
    const o = lookup(no);
    if (!o) add('payment-not-in-journal', no, `provider bill has a payment of ${yuan(p.amountFen)} the journal does not know`);
    else {
      if (o.amountFen !== p.amountFen) add('amounts-differ', no, `bill ${yuan(p.amountFen)}, journal ${yuan(o.amountFen)}`);
      if (!paidStates.includes(o.state) && o.state !== 'needs_attention')
        add('journal-not-paid', no, `provider says paid, journal says ${o.state}`);
    }
    if (deliveredOf(no).length === 0 && refundedFen(no) === 0 && !isOpen(o)) {
      add('paid-not-credited', no, `paid ${yuan(p.amountFen)}, no gas delivered and no refund (journal ${o?.state ?? 'none'})`);
    }
  }

  // 2. The journal's side of the day.
  for (const o of mine) {
    if (onDate(o.paidAt, date) && !payments.has(o.orderNo))
      add('paid-not-in-bill', o.orderNo, `journal paid ${yuan(o.amountFen)} on ${date}, not in the provider bill`);
    const es = ledger.get(o.orderNo) ?? [];
    const e = es.find(delivered) ?? es[0];
    if (creditedStates.includes(o.state) && (onDate(o.creditedAt, date) || (o.creditedAt === null && o.businessDate === date))) {
      if (!e) add('credited-not-in-ledger', o.orderNo, `journal ${o.state} (${o.meterType}), gas company has no entry`);
      else if (e.amountFen !== o.amountFen)
        add('amounts-differ', o.orderNo, `ledger ${yuan(e.amountFen)}, journal ${yuan(o.amountFen)}`);
      else if (e.kind === 'ic_purchase' && e.status !== 'written') {
        add(
          'card-write-not-reported',
          o.orderNo,
          `card written (journal ${o.state}, report ${o.gasReport}), gas company still has ${e.status}`,
        );
      }
    }
    if (pendingStates.includes(o.state) && o.paidAt !== null && onDate(o.paidAt, date)) {
      open.push({
        orderNo: o.orderNo,
        state: o.state,
        amountFen: o.amountFen,
        detail: `${o.meterType} ${maskAccountNo(o.accountNo)}${o.lastError ? `, last error ${o.lastError}` : ''}`,
      });
    }
    if (o.state === 'refunded' && onDate(o.finishedAt, date) && !refunds.has(o.orderNo))
      add('refunded-not-in-bill', o.orderNo, 'journal refunded, provider bill has no refund');
  }

  // 3. The gas company's entries of the day, by order.
  for (const no of ledgerToday) {
    const es = ledger.get(no) ?? [];
    const got = es.filter(delivered);
    const o = lookup(no);
    if (got.length > 1) {
      add(
        'credited-twice',
        no,
        `gas company delivered ${got.length} times (${got.map((e) => `${e.serialNo} ${yuan(e.amountFen)}`).join(', ')}) for one order`,
      );
    }
    const paidAtProvider = payments.has(no) || (o !== undefined && o.paidAt !== null);
    for (const e of got)
      if (!paidAtProvider)
        add('credited-not-paid', no, `gas company ${e.status} ${yuan(e.amountFen)} with no successful payment`);
    if (!o) {
      for (const e of es)
        add('ledger-not-in-journal', no, `gas company ${e.kind} ${e.status} ${yuan(e.amountFen)} the journal does not know`);
      continue;
    }
    if (got.length > 0 && !creditedStates.includes(o.state))
      add('ledger-but-journal-not-credited', no, `gas company ${got[0]!.status}, journal ${o.state}`);
  }

  // 4. Refunds: never for gas that was delivered.
  for (const [no, rs] of refunds) {
    const o = lookup(no);
    const fen = rs.reduce((s, r) => s + r.amountFen, 0);
    if (!o || o.state !== 'refunded')
      add('refund-not-in-journal', no, `provider refunded ${yuan(fen)}, journal says ${o?.state ?? 'nothing'}`);
    const got = deliveredOf(no);
    if (got.length > 0)
      add('refunded-and-credited', no, `refunded ${yuan(fen)} although the gas company shows it ${got[0]!.status}`);
  }

  // 5. Totals: each upstream's own totals against its rows, then paid = delivered + refunded + open.
  const billAll = {
    count: input.bill.rows.filter((r) => r.type === 'payment').length,
    fen: input.bill.rows.filter((r) => r.type === 'payment').reduce((s, r) => s + r.amountFen, 0),
  };
  const billRef = {
    count: input.bill.rows.filter((r) => r.type === 'refund').length,
    fen: input.bill.rows.filter((r) => r.type === 'refund').reduce((s, r) => s + r.amountFen, 0),
  };
  const t = input.bill.totals;
  if (
    t.paymentCount !== billAll.count ||
    t.paymentFen !== billAll.fen ||
    t.refundCount !== billRef.count ||
    t.refundFen !== billRef.fen
  ) {
    add(
      'totals-differ',
      '*',
      `provider bill totals ${t.paymentCount} paid ${yuan(t.paymentFen)} / ${t.refundCount} refunded ${yuan(t.refundFen)}, its rows add up to ${billAll.count} / ${yuan(billAll.fen)} / ${billRef.count} / ${yuan(billRef.fen)}`,
    );
  }
  for (const l of input.ledgers) {
    const fen = l.entries.reduce((s, e) => s + e.amountFen, 0);
    if (l.totals.count !== l.entries.length || l.totals.amountFen !== fen) {
      add(
        'totals-differ',
        '*',
        `gas ledger ${l.date} totals ${l.totals.count} / ${yuan(l.totals.amountFen)}, its entries add up to ${l.entries.length} / ${yuan(fen)}`,
      );
    }
  }
  const openOf = (no: string): number =>
    isOpen(lookup(no)) && deliveredOf(no).length === 0 && refundedFen(no) === 0 ? (payments.get(no)?.amountFen ?? 0) : 0;
  const paidNos = [...payments.keys()];
  const totals: ReconcileTotals = {
    paymentCount: payments.size,
    paymentFen: paidNos.reduce((s, no) => s + payments.get(no)!.amountFen, 0),
    refundCount: [...refunds.values()].flat().length,
    refundFen: [...refunds.values()].flat().reduce((s, r) => s + r.amountFen, 0),
    ledgerCount: paidNos.reduce((s, no) => s + deliveredOf(no).length, 0),
    ledgerFen: paidNos.reduce((s, no) => s + deliveredOf(no).reduce((x, e) => x + e.amountFen, 0), 0),
    openFen: paidNos.reduce((s, no) => s + openOf(no), 0),
  };
  const accounted = totals.ledgerFen + paidNos.reduce((s, no) => s + refundedFen(no), 0) + totals.openFen;
  if (accounted !== totals.paymentFen) {
    add('totals-differ', '*', `paid ${yuan(totals.paymentFen)} on ${date}, but delivered + refunded + open = ${yuan(accounted)}`);
  }

  const sum = (xs: { amountFen: number }[]) => ({ count: xs.length, fen: xs.reduce((s, x) => s + x.amountFen, 0) });
  const paid = sum([...payments.values()]);
  const credited = sum(
    mine.filter((o) => creditedStates.includes(o.state) && (onDate(o.paidAt, date) || payments.has(o.orderNo))),
  );
  const pending = sum(open);
  const refunded = sum([...refunds.values()].flat());
  const clean = mismatches.length === 0;
  const figures = `${paid.count} paid ${yuan(paid.fen)}, ${credited.count} credited ${yuan(credited.fen)}, ${pending.count} pending credit ${yuan(pending.fen)}, ${refunded.count} refunded ${yuan(refunded.fen)}`;
  const summary = clean
    ? `gas ${date} kiosk ${kioskId}: ${figures}; journal, payment bill and gas ledger agree`
    : `gas ${date} kiosk ${kioskId}: ${mismatches.length} mismatch${mismatches.length === 1 ? '' : 'es'}; ${figures}`;
  return { date, kioskId, totals, paid, credited, pending, refunded, mismatches, open, clean, summary };
}
