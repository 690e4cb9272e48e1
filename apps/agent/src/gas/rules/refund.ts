/**
 * The refund rule (issue 12, defect 1). A paid order's money may only go back once the gas can
 * never be credited under its serial: a credit still in flight at the gas company (slow past the
 * kiosk's timeout) would otherwise land after the refund. So the refund desk first voids the
 * serial (冲正) and refunds only on a definite answer that nothing was or will be credited.
 */

/** What the gas company answered to the void. null: not asked yet. */
export type VoidAnswer = 'voided' | 'never_credited' | 'already_credited' | 'unknown';

export interface RefundFacts {
  voidAnswer: VoidAnswer | null;
  /**
   * IC cards: a card write went out for this order and was not confirmed to have failed. The gas
   * may be on the card whatever the gas company's record says; only the card can tell.
   */
  cardMayHoldGas: boolean;
}

/**
 * The next step of the refund desk:
 * - `void`: ask the gas company to void the serial first;
 * - `refund`: the void was definite (voided / never credited), the money may go back;
 * - `credited`: the gas was credited after all: record the credit, never refund;
 * - `needs_attention`: no definite answer (or the card may hold the gas): a person decides,
 *   nothing is refunded.
 */
export type RefundStep = 'void' | 'refund' | 'credited' | 'needs_attention';

export function mayRefund(f: RefundFacts): RefundStep {
  if (f.cardMayHoldGas) return 'needs_attention';
  if (f.voidAnswer === null) return 'void';
  if (f.voidAnswer === 'voided' || f.voidAnswer === 'never_credited') return 'refund';
  if (f.voidAnswer === 'already_credited') return 'credited';
  return 'needs_attention';
}
