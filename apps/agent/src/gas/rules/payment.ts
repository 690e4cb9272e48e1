/**
 * The payment rules (issue 12, defects 2 and 6). An order is final as unpaid only when the
 * provider itself says it can no longer be paid: CLOSED, or it never had the order. PAYERROR,
 * NOTPAY and USERPAYING are not final at the provider (the buyer may still pay), so giving up
 * on them means closing the order at the provider first; a payment seen during the close wins.
 */
import type { TradeState } from '@kiosk/contracts/upstream';

/** The provider's answer about an order; `not_found`: it never saw the order. */
export type ProviderSays = TradeState | 'not_found';

/** True only when nobody can pay this order any more: the provider closed it or never had it. */
export function mayEndUnpaid(says: ProviderSays): boolean {
  return says === 'CLOSED' || says === 'not_found';
}

/**
 * - `credit`: paid; deliver the gas;
 * - `wait`: not paid yet and the kiosk is still waiting (countdown running);
 * - `close`: the kiosk gives up (countdown over, citizen cancelled, PAYERROR): close at the
 *   provider and decide by what the close answers;
 * - `end_unpaid`: final as unpaid (payment_closed / payment_expired);
 * - `needs_attention`: refunded outside the kiosk; a person must look.
 */
export type PaymentStep = 'credit' | 'wait' | 'close' | 'end_unpaid' | 'needs_attention';

export function nextPaymentStep(says: ProviderSays, giveUp: boolean): PaymentStep {
  if (says === 'SUCCESS') return 'credit';
  if (says === 'REFUND') return 'needs_attention';
  if (mayEndUnpaid(says)) return 'end_unpaid';
  // PAYERROR: the buyer's attempt failed, but the order stays payable until it is closed.
  if (giveUp || says === 'PAYERROR') return 'close';
  return 'wait';
}
