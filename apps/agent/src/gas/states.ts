/**
 * The gas top-up order as a pure state machine: which states exist, which moves are allowed, and
 * what each state means for money. No I/O here; the engine (engine.ts) does the calls and asks
 * this module before every journal write.
 *
 *   created → awaiting_payment → paid → crediting → credited → receipt_printed → done
 *
 * Side exits: payment_expired, payment_closed (never paid), credit_pending (待写卡: paid, credit
 * not delivered or outcome unknown), refund_requested → refunded (operator only, and only when
 * the gas company confirms nothing was credited), needs_attention (stuck beyond the configured
 * age; an operator is alerted, automatic idempotent retries continue).
 */

export const orderStates = [
  'created',
  'awaiting_payment',
  'paid',
  'crediting',
  'credited',
  'receipt_printed',
  'done',
  'payment_expired',
  'payment_closed',
  'credit_pending',
  'refund_requested',
  'refunded',
  'needs_attention',
] as const;
export type OrderState = (typeof orderStates)[number];

/**
 * Allowed moves. A state is always committed to the journal before the step it announces is
 * attempted (awaiting_payment before the provider's create-order call, crediting before the
 * remote credit or card write, refund_requested before the refund call).
 */
export const transitions: Readonly<Record<OrderState, readonly OrderState[]>> = {
  // Nothing was sent to the provider yet: closing is a local decision.
  created: ['awaiting_payment', 'payment_closed'],
  awaiting_payment: ['paid', 'payment_expired', 'payment_closed', 'needs_attention'],
  // Paid but no credit attempted yet (e.g. the IC card is not in the reader any more).
  paid: ['crediting', 'credit_pending', 'needs_attention'],
  crediting: ['credited', 'credit_pending', 'needs_attention'],
  credited: ['receipt_printed', 'done'],
  receipt_printed: ['done'],
  // Never to refund_requested by itself: the engine only moves there for an operator, after the
  // gas company confirmed that nothing was credited under this serial number.
  credit_pending: ['crediting', 'needs_attention', 'refund_requested'],
  // crediting: the void was refused because the gas was credited after all; record it.
  refund_requested: ['refunded', 'needs_attention', 'crediting'],
  // An operator's (or the retry loop's) way back out. Which of these is allowed depends on where
  // the order got stuck (attentionExits): an order stuck after payment never ends unpaid.
  needs_attention: ['paid', 'payment_expired', 'payment_closed', 'crediting', 'refund_requested'],
  done: [],
  payment_expired: [],
  payment_closed: [],
  refunded: [],
};

export const finalStates: readonly OrderState[] = ['done', 'payment_expired', 'payment_closed', 'refunded'];
/** Waiting for a retry, the citizen (补写卡) or an operator; counted in heartbeats. */
export const pendingStates: readonly OrderState[] = ['credit_pending', 'needs_attention'];
/** Money has moved to the provider (unless later refunded). */
export const paidStates: readonly OrderState[] = [
  'paid',
  'crediting',
  'credited',
  'receipt_printed',
  'done',
  'credit_pending',
  'refund_requested',
  'refunded',
];
/** The gas was delivered (remote credit confirmed or card write read back). */
export const creditedStates: readonly OrderState[] = ['credited', 'receipt_printed', 'done'];

export type OrderPhase = 'active' | 'pending' | 'final';

export function phaseOf(state: OrderState): OrderPhase {
  if (finalStates.includes(state)) return 'final';
  if (pendingStates.includes(state)) return 'pending';
  return 'active';
}

export function isOrderState(s: string): s is OrderState {
  return (orderStates as readonly string[]).includes(s);
}

/**
 * needs_attention remembers the state it came from (attention_from), and its way out depends on
 * which side of the payment that was. This is what makes every path from a paid state to an
 * unpaid final state impossible in the table itself, not only in the engine.
 */
const attentionExits: Readonly<Record<'unpaid' | 'paid', readonly OrderState[]>> = {
  // Stuck while waiting for the payment: the provider's answer decides.
  unpaid: ['paid', 'payment_expired', 'payment_closed'],
  // Stuck after the money moved: credit it, or (operator) refund it. Never unpaid.
  paid: ['crediting', 'refund_requested'],
};

/** Which side of the payment a needs_attention order is on; unknown counts as paid (the safe side). */
function attentionSide(attentionFrom: OrderState | null): 'unpaid' | 'paid' {
  return attentionFrom === 'created' || attentionFrom === 'awaiting_payment' ? 'unpaid' : 'paid';
}

/** `attentionFrom`: for a move out of needs_attention, where the order got stuck. */
export function canTransition(from: OrderState, to: OrderState, attentionFrom: OrderState | null = null): boolean {
  if (from === 'needs_attention') return attentionExits[attentionSide(attentionFrom)].includes(to);
  return transitions[from].includes(to);
}

export class IllegalTransitionError extends Error {
  constructor(
    readonly orderNo: string,
    readonly from: OrderState,
    readonly to: OrderState,
  ) {
    super(`order ${orderNo}: ${from} → ${to} is not allowed`);
    this.name = 'IllegalTransitionError';
  }
}

export function assertTransition(
  orderNo: string,
  from: OrderState,
  to: OrderState,
  attentionFrom: OrderState | null = null,
): void {
  if (!canTransition(from, to, attentionFrom)) throw new IllegalTransitionError(orderNo, from, to);
}

/**
 * Steps inside a state that are journaled on their own (no state change), so a crash between
 * them is told apart on recovery.
 */
const orderSteps = [
  /** awaiting_payment: the provider answered create-order (code URL stored). */
  'payment_created',
  /** crediting (IC card): the gas company recorded the purchase and gave the write data. */
  'purchase_recorded',
  /** crediting (IC card): about to write the card (attempt counter incremented first). */
  'card_write',
  /** crediting (IC card): the card's counter was read back at the target: the gas is on the card. */
  'card_written',
  /** crediting (IC card): a write that did not take was reported as failed to the gas company. */
  'write_failed_reported',
  /** credited: the card-write result reached the gas company (after a failed first report). */
  'report_sent',
  /** credit_pending: the pending-credit slip was printed for the citizen. */
  'pending_slip',
] as const;
export type OrderStep = (typeof orderSteps)[number];
