/**
 * Reconciliation of the photo orders of one China-time day against the payment provider's bill
 * (the same bill as gas: one provider for the kiosk). Pure: the CLI fetches, this compares.
 * Photo order numbers start with `PH` (orders.ts); the gas reconciliation leaves those bill rows
 * to this one.
 *
 * Per order: every payment is known to the journal and paid there; every paid order ends uploaded
 * (a receipt code), refunded, or open (upload pending / refund requested); no refund for an
 * uploaded photo. Totals: paid = uploaded + refunded + open.
 */
import type { PaymentBill } from '@kiosk/contracts/upstream';
import { chinaDate, yuan } from '@kiosk/platform';
import type { PhotoOrder } from './journal.js';

export const isPhotoOrderNo = (no: string): boolean => no.startsWith('PH');

type PhotoMismatchKind =
  | 'payment-not-in-journal'
  | 'journal-not-paid'
  | 'paid-not-in-bill'
  | 'paid-not-delivered'
  | 'refund-not-in-journal'
  | 'refunded-not-in-bill'
  | 'refunded-and-uploaded'
  | 'amounts-differ'
  | 'totals-differ';

export interface PhotoReconcileReport {
  date: string;
  kioskId: string;
  paid: { count: number; fen: number };
  uploaded: { count: number; fen: number };
  refunded: { count: number; fen: number };
  open: { orderNo: string; state: string; amountFen: number }[];
  mismatches: { kind: PhotoMismatchKind; orderNo: string; detail: string }[];
  clean: boolean;
  summary: string;
}

const UPLOADED = new Set(['uploaded', 'done']);
const OPEN = new Set(['paid', 'uploading', 'upload_pending', 'refund_requested', 'needs_attention']);
const PAID = new Set([
  'paid',
  'uploading',
  'uploaded',
  'done',
  'upload_pending',
  'refund_requested',
  'refunded',
  'needs_attention',
]);

export function reconcilePhoto(input: {
  date: string;
  kioskId: string;
  journal: readonly PhotoOrder[];
  bill: PaymentBill;
  lookup?: (no: string) => PhotoOrder | undefined;
}): PhotoReconcileReport {
  const { date, kioskId } = input;
  const mismatches: PhotoReconcileReport['mismatches'] = [];
  const add = (kind: PhotoMismatchKind, orderNo: string, detail: string): void => void mismatches.push({ kind, orderNo, detail });
  const mine = input.journal.filter((o) => o.kioskId === kioskId);
  const journal = new Map(mine.map((o) => [o.orderNo, o]));
  const lookup = (no: string): PhotoOrder | undefined => journal.get(no) ?? input.lookup?.(no);
  const rows = input.bill.rows.filter((r) => r.kioskId === kioskId && isPhotoOrderNo(r.outTradeNo));
  const payments = new Map(rows.filter((r) => r.type === 'payment').map((r) => [r.outTradeNo, r]));
  const refunds = new Map<string, number>();
  for (const r of rows) if (r.type === 'refund') refunds.set(r.outTradeNo, (refunds.get(r.outTradeNo) ?? 0) + r.amountFen);
  const onDate = (iso: string | null): boolean => iso !== null && chinaDate(new Date(iso)) === date;

  const open: PhotoReconcileReport['open'] = [];
  let uploadedFen = 0;
  let uploadedCount = 0;
  let refundedFen = 0;
  let openFen = 0;
  for (const [no, p] of payments) {
    const o = lookup(no);
    if (!o) {
      add('payment-not-in-journal', no, `provider bill has a payment of ${yuan(p.amountFen)} the photo journal does not know`);
      continue;
    }
    if (o.amountFen !== p.amountFen) add('amounts-differ', no, `bill ${yuan(p.amountFen)}, journal ${yuan(o.amountFen)}`);
    if (!PAID.has(o.state)) add('journal-not-paid', no, `provider says paid, journal says ${o.state}`);
    const refunded = refunds.get(no) ?? (o.state === 'refunded' && !onDate(o.finishedAt) ? o.amountFen : 0);
    if (UPLOADED.has(o.state)) {
      uploadedCount++;
      uploadedFen += o.amountFen;
      if (refunded > 0)
        add('refunded-and-uploaded', no, `refunded ${yuan(refunded)} although receipt ${o.receiptCode ?? '?'} exists`);
    } else if (refunded > 0) refundedFen += refunded;
    else if (OPEN.has(o.state)) {
      open.push({ orderNo: no, state: o.state, amountFen: o.amountFen });
      openFen += o.amountFen;
    } else add('paid-not-delivered', no, `paid ${yuan(p.amountFen)}, no receipt and no refund (journal ${o.state})`);
  }
  for (const o of mine) {
    if (onDate(o.paidAt) && !payments.has(o.orderNo))
      add('paid-not-in-bill', o.orderNo, `journal paid ${yuan(o.amountFen)} on ${date}, not in the provider bill`);
    if (o.state === 'refunded' && onDate(o.finishedAt) && !refunds.has(o.orderNo))
      add('refunded-not-in-bill', o.orderNo, 'journal refunded, provider bill has no refund');
  }
  for (const [no, fen] of refunds) {
    const o = lookup(no);
    if (!o || o.state !== 'refunded')
      add('refund-not-in-journal', no, `provider refunded ${yuan(fen)}, journal says ${o?.state ?? 'nothing'}`);
  }
  const paidFen = [...payments.values()].reduce((s, r) => s + r.amountFen, 0);
  if (paidFen !== uploadedFen + refundedFen + openFen) {
    add(
      'totals-differ',
      '*',
      `paid ${yuan(paidFen)} on ${date}, but uploaded + refunded + open = ${yuan(uploadedFen + refundedFen + openFen)}`,
    );
  }
  const clean = mismatches.length === 0;
  const figures = `${payments.size} paid ${yuan(paidFen)}, ${uploadedCount} uploaded ${yuan(uploadedFen)}, ${open.length} open ${yuan(openFen)}, refunded ${yuan(refundedFen)}`;
  return {
    date,
    kioskId,
    paid: { count: payments.size, fen: paidFen },
    uploaded: { count: uploadedCount, fen: uploadedFen },
    refunded: { count: [...refunds.keys()].length, fen: refundedFen },
    open,
    mismatches,
    clean,
    summary: clean
      ? `photo ${date} kiosk ${kioskId}: ${figures}; journal and payment bill agree`
      : `photo ${date} kiosk ${kioskId}: ${mismatches.length} mismatch${mismatches.length === 1 ? '' : 'es'}; ${figures}`,
  };
}
