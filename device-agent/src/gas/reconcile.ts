/**
 * Three-way reconciliation of one China-time day (T+1 practice): the kiosk's journal, the payment
 * provider's bill and the gas company's ledger. Pure: the CLI (cli/gas.ts) fetches, this compares.
 *
 * Keys: the order number is the provider's out_trade_no and the gas company's serialNo. Only
 * this kiosk's rows count (bill and ledger carry the kiosk id). Paid orders whose credit is still
 * pending are open items, not mismatches: money and ledger agree that nothing was credited yet.
 */
import type { GasLedger, PaymentBill } from '../services/contract.js';
import { chinaDate, type GasOrder } from './journal.js';
import { maskAccountNo, yuan } from './receipts.js';
import { creditedStates, paidStates, pendingStates } from './states.js';

export type MismatchKind =
  | 'payment-not-in-journal'
  | 'journal-not-paid'
  | 'paid-not-in-bill'
  | 'amount-differs'
  | 'credited-not-in-ledger'
  | 'card-write-not-reported'
  | 'ledger-not-in-journal'
  | 'ledger-but-journal-not-credited'
  | 'credited-without-payment'
  | 'refund-not-in-journal'
  | 'refunded-not-in-bill'
  | 'refunded-but-credited';

export interface Mismatch {
  kind: MismatchKind;
  orderNo: string;
  detail: string;
}

export interface OpenItem {
  orderNo: string;
  state: string;
  amountFen: number;
  detail: string;
}

export interface ReconcileReport {
  date: string;
  kioskId: string;
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
  const billRows = input.bill.rows.filter((r) => r.kioskId === kioskId);
  const payments = new Map(billRows.filter((r) => r.type === 'payment').map((r) => [r.outTradeNo, r]));
  const refunds = new Map(billRows.filter((r) => r.type === 'refund').map((r) => [r.outTradeNo, r]));
  const ledger = new Map<string, GasLedger['entries'][number]>();
  for (const l of input.ledgers) for (const e of l.entries) if (e.kioskId === kioskId) ledger.set(e.serialNo, e);
  const ledgerToday = new Set(
    input.ledgers.filter((l) => l.date === date).flatMap((l) => l.entries.filter((e) => e.kioskId === kioskId).map((e) => e.serialNo)),
  );
  const delivered = (e: GasLedger['entries'][number] | undefined): boolean => e !== undefined && (e.status === 'credited' || e.status === 'written');

  // 1. The provider's payments of the day.
  for (const [no, p] of payments) {
    const o = lookup(no);
    if (!o) {
      add('payment-not-in-journal', no, `provider bill has a payment of ${yuan(p.amountFen)} the journal does not know`);
      continue;
    }
    if (o.amountFen !== p.amountFen) add('amount-differs', no, `bill ${yuan(p.amountFen)}, journal ${yuan(o.amountFen)}`);
    if (!paidStates.includes(o.state) && o.state !== 'needs_attention') add('journal-not-paid', no, `provider says paid, journal says ${o.state}`);
  }

  // 2. The journal's side of the day.
  for (const o of mine) {
    if (onDate(o.paidAt, date) && !payments.has(o.orderNo)) add('paid-not-in-bill', o.orderNo, `journal paid ${yuan(o.amountFen)} on ${date}, not in the provider bill`);
    const e = ledger.get(o.orderNo);
    if (creditedStates.includes(o.state) && (onDate(o.creditedAt, date) || (o.creditedAt === null && o.businessDate === date))) {
      if (!e) add('credited-not-in-ledger', o.orderNo, `journal ${o.state} (${o.meterType}), gas company has no entry`);
      else if (e.amountFen !== o.amountFen) add('amount-differs', o.orderNo, `ledger ${yuan(e.amountFen)}, journal ${yuan(o.amountFen)}`);
      else if (e.kind === 'ic_purchase' && e.status !== 'written') {
        add('card-write-not-reported', o.orderNo, `card written (journal ${o.state}, report ${o.gasReport}), gas company still has ${e.status}`);
      }
    }
    if (pendingStates.includes(o.state) && o.paidAt !== null && onDate(o.paidAt, date)) {
      open.push({ orderNo: o.orderNo, state: o.state, amountFen: o.amountFen, detail: `${o.meterType} ${maskAccountNo(o.accountNo)}${o.lastError ? `, last error ${o.lastError}` : ''}` });
    }
    if (o.state === 'refunded' && onDate(o.finishedAt, date) && !refunds.has(o.orderNo)) add('refunded-not-in-bill', o.orderNo, 'journal refunded, provider bill has no refund');
  }

  // 3. The gas company's entries of the day.
  for (const no of ledgerToday) {
    const e = ledger.get(no)!;
    const o = lookup(no);
    const paidAtProvider = payments.has(no) || (o !== undefined && o.paidAt !== null);
    if (delivered(e) && !paidAtProvider) add('credited-without-payment', no, `gas company ${e.status} ${yuan(e.amountFen)} with no successful payment`);
    if (!o) {
      add('ledger-not-in-journal', no, `gas company ${e.kind} ${e.status} ${yuan(e.amountFen)} the journal does not know`);
      continue;
    }
    if (delivered(e) && !creditedStates.includes(o.state)) add('ledger-but-journal-not-credited', no, `gas company ${e.status}, journal ${o.state}`);
  }

  // 4. Refunds: never for gas that was delivered.
  for (const [no, r] of refunds) {
    const o = lookup(no);
    if (!o || o.state !== 'refunded') add('refund-not-in-journal', no, `provider refunded ${yuan(r.amountFen)}, journal says ${o?.state ?? 'nothing'}`);
    if (delivered(ledger.get(no))) add('refunded-but-credited', no, `refunded ${yuan(r.amountFen)} although the gas company shows it ${ledger.get(no)?.status}`);
  }

  const sum = (xs: { amountFen: number }[]) => ({ count: xs.length, fen: xs.reduce((s, x) => s + x.amountFen, 0) });
  const paid = sum([...payments.values()]);
  const credited = sum(mine.filter((o) => creditedStates.includes(o.state) && (onDate(o.paidAt, date) || payments.has(o.orderNo))));
  const pending = sum(open);
  const refunded = sum([...refunds.values()]);
  const clean = mismatches.length === 0;
  const figures = `${paid.count} paid ${yuan(paid.fen)}, ${credited.count} credited ${yuan(credited.fen)}, ${pending.count} pending credit ${yuan(pending.fen)}, ${refunded.count} refunded ${yuan(refunded.fen)}`;
  const summary = clean
    ? `gas ${date} kiosk ${kioskId}: ${figures}; journal, payment bill and gas ledger agree`
    : `gas ${date} kiosk ${kioskId}: ${mismatches.length} mismatch${mismatches.length === 1 ? '' : 'es'}; ${figures}`;
  return { date, kioskId, paid, credited, pending, refunded, mismatches, open, clean, summary };
}
