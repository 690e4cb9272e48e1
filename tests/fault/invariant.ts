/**
 * The crash campaign's invariant, from the UPSTREAMS' OWN RECORDS only: the payment provider's
 * bill (what was paid, what was refunded), the gas company's ledger (IoT credits) and the cards'
 * contents (the balance writes each card actually took). The kiosk's journal is never evidence of
 * delivery; it is read only to report orders left unfinished.
 *
 *   delivered(order) = IoT: credits in the gas ledger under its serial number or payment order
 *                      (voided/reversed credits do not count); IC: balance writes on the card
 *   lost             = paid at the provider, but delivered + refunded < paid — except an order
 *                      whose card shows a torn write (counter written, balance not) and which
 *                      the kiosk holds in needs_attention/credit_pending: that one is HELD for a
 *                      person (only the card in hand can settle it) and reported, not lost
 *   double-credited  = delivered + refunded > paid (credited twice, refunded and credited, or
 *                      credited without any payment)
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { OrderState } from '../../apps/agent/src/gas/states.js';
import type { Services } from '../../apps/agent/src/services/index.js';
import type { GasCardSimulator } from '../../apps/simulators/src/gascard/index.js';

export interface Violations {
  lost: number;
  doubleCredited: number;
  /** Orders the kiosk left in a state that is neither final nor pending for a person. */
  unfinished: number;
  problems: string[];
  paid: number;
  /** Paid and delivered once / refunded / held for a person after a torn card write (summary line). */
  delivered: number;
  refunded: number;
  held: number;
}

export const emptyViolations = (): Violations => ({
  lost: 0,
  doubleCredited: 0,
  unfinished: 0,
  problems: [],
  paid: 0,
  delivered: 0,
  refunded: 0,
  held: 0,
});

export function addViolations(total: Violations, v: Violations, prefix: string): void {
  for (const k of ['lost', 'doubleCredited', 'unfinished', 'paid', 'delivered', 'refunded', 'held'] as const) total[k] += v[k];
  total.problems.push(...v.problems.map((p) => `${prefix}${p}`));
}

export interface InvariantInputs {
  kioskId: string;
  services: Services;
  sim: GasCardSimulator;
  /** The agent's data dir (journal read only to list unfinished orders). */
  agentDir: string;
}

const RESTING: readonly OrderState[] = [
  'done',
  'payment_expired',
  'payment_closed',
  'refunded',
  'credit_pending',
  'needs_attention',
];

function journalStates(agentDir: string): Array<{ order_no: string; state: string }> {
  let db: Database.Database;
  try {
    db = new Database(join(agentDir, 'agent.db'), { readonly: true, fileMustExist: true });
  } catch {
    return [];
  }
  try {
    return db.prepare('SELECT order_no, state FROM gas_orders').all() as Array<{ order_no: string; state: string }>;
  } catch {
    return [];
  } finally {
    db.close();
  }
}

const chinaDay = (ms: number): string => new Date(ms + 8 * 3600_000).toISOString().slice(0, 10);

/** A ledger entry that no longer delivers gas (the gas company voided / reversed it). */
const cancelledStatus = (status: string): boolean => /void|revers|cancel/i.test(status);

export async function checkInvariant(x: InvariantInputs): Promise<Violations> {
  const v = emptyViolations();
  const days = [chinaDay(Date.now() - 86_400_000), chinaDay(Date.now())];
  const bills = await Promise.all(days.map((d) => x.services.payment.bill(d)));
  const ledgers = await Promise.all(days.map((d) => x.services.gas.ledger(d)));
  const rows = bills.flatMap((b) => b.rows).filter((r) => r.kioskId === x.kioskId);
  const entries = ledgers.flatMap((l) => l.entries).filter((e) => e.kioskId === x.kioskId);

  const paidFen = new Map<string, number>();
  const payOrderOf = new Map<string, string>();
  const refundedFen = new Map<string, number>();
  for (const r of rows) {
    if (r.type === 'payment') {
      paidFen.set(r.outTradeNo, (paidFen.get(r.outTradeNo) ?? 0) + r.amountFen);
      payOrderOf.set(r.orderId, r.outTradeNo);
    } else refundedFen.set(r.outTradeNo, (refundedFen.get(r.outTradeNo) ?? 0) + r.amountFen);
  }
  // Deliveries keyed by the kiosk's order number (= payment out_trade_no).
  const deliveredFen = new Map<string, number>();
  const deliveries = new Map<string, number>();
  const deliver = (no: string, fen: number): void => {
    deliveredFen.set(no, (deliveredFen.get(no) ?? 0) + fen);
    deliveries.set(no, (deliveries.get(no) ?? 0) + 1);
  };
  for (const e of entries) {
    if (e.kind !== 'iot_credit' || cancelledStatus(e.status)) continue;
    // A credit sent under another serial still names the payment it spends.
    deliver(payOrderOf.get(e.paymentOrderNo) ?? (paidFen.has(e.serialNo) ? e.serialNo : e.paymentOrderNo), e.amountFen);
  }
  const torn = new Set<string>();
  for (const card of x.sim.wallet.values()) {
    for (const w of card.writes) deliver(w.serialNo, w.amountFen);
    for (const t of card.torn) torn.add(t.serialNo);
  }
  const journal = new Map(journalStates(x.agentDir).map((j) => [j.order_no, j.state]));

  const orders = new Set([...paidFen.keys(), ...deliveredFen.keys(), ...refundedFen.keys()]);
  for (const no of orders) {
    const paid = paidFen.get(no) ?? 0;
    const got = deliveredFen.get(no) ?? 0;
    const back = refundedFen.get(no) ?? 0;
    if (paid > 0) v.paid += 1;
    if (got + back > paid) {
      v.doubleCredited += 1;
      v.problems.push(`${no}: paid ${paid}, delivered ${got} (${deliveries.get(no) ?? 0}×), refunded ${back}`);
    } else if (
      got + back < paid &&
      torn.has(no) &&
      got === 0 &&
      back === 0 &&
      ['needs_attention', 'credit_pending'].includes(journal.get(no) ?? '')
    ) {
      v.held += 1;
    } else if (got + back < paid) {
      v.lost += 1;
      v.problems.push(`${no}: paid ${paid}, delivered ${got}, refunded ${back}`);
    } else if (got > 0) v.delivered += 1;
    else if (back > 0) v.refunded += 1;
  }
  for (const [no, state] of journal) {
    if (!RESTING.includes(state as OrderState)) {
      v.unfinished += 1;
      v.problems.push(`${no}: left in ${state}`);
    }
  }
  return v;
}
