/**
 * What recovery (start-up) and the retry loop do with an order, by what the journal says. Pure:
 * the journal's state in, the next step out; recovery.ts carries it out.
 */
import type { OrderState } from '../states.js';

/** States from which a credit may (still) be attempted. */
const creditableStates: readonly OrderState[] = ['paid', 'crediting', 'credit_pending'];

/** A paid order whose gas is not delivered yet (also one stuck in needs_attention on the way). */
export function wantsCredit(o: { state: OrderState; attentionFrom: OrderState | null }): boolean {
  if (creditableStates.includes(o.state)) return true;
  return o.state === 'needs_attention' && o.attentionFrom !== null && creditableStates.includes(o.attentionFrom);
}

/**
 * - `close_local`: `created` — awaiting_payment is journaled before the provider is called, so
 *   nothing was sent: closed without asking anyone;
 * - `resolve_payment`: ask the provider; close the order there if nobody paid (never end unpaid
 *   without it);
 * - `deliver`: a paid order: credit it (the card may be used at start-up or by an operator);
 * - `finish`: credited, nobody at the screen: done;
 * - `refund`: carry on an operator's refund (void first);
 * - `none`: leave it (final, or waiting for a person).
 */
export type RecoveryStep = 'close_local' | 'resolve_payment' | 'deliver' | 'finish' | 'refund' | 'none';

export function recoveryStep(
  o: { state: OrderState; attentionFrom: OrderState | null },
  by: { operator: boolean },
): RecoveryStep {
  switch (o.state) {
    case 'created':
      return 'close_local';
    case 'awaiting_payment':
      return 'resolve_payment';
    case 'paid':
    case 'crediting':
    case 'credit_pending':
      return 'deliver';
    case 'credited':
    case 'receipt_printed':
      return 'finish';
    case 'refund_requested':
      return 'refund';
    case 'needs_attention':
      if (o.attentionFrom === 'awaiting_payment') return 'resolve_payment';
      // A refund stuck on an unconfirmed void is retried only when a person asks.
      if (o.attentionFrom === 'refund_requested') return by.operator ? 'refund' : 'none';
      return wantsCredit(o) ? 'deliver' : 'none';
    default:
      return 'none';
  }
}
