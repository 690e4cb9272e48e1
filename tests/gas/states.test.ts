import { describe, expect, it } from 'vitest';
import {
  assertTransition,
  canTransition,
  finalStates,
  IllegalTransitionError,
  orderStates,
  paidStates,
  pendingStates,
  phaseOf,
  transitions,
  type OrderState,
} from '../../apps/agent/src/gas/states.js';

/** Every path the issue names, as state sequences the machine must accept. */
const paths: Record<string, OrderState[]> = {
  happy: ['created', 'awaiting_payment', 'paid', 'crediting', 'credited', 'receipt_printed', 'done'],
  noPrinter: ['created', 'awaiting_payment', 'paid', 'crediting', 'credited', 'done'],
  expired: ['created', 'awaiting_payment', 'payment_expired'],
  closedByCitizen: ['created', 'awaiting_payment', 'payment_closed'],
  neverSent: ['created', 'payment_closed'],
  creditFailedThenFinished: [
    'created',
    'awaiting_payment',
    'paid',
    'crediting',
    'credit_pending',
    'crediting',
    'credited',
    'done',
  ],
  cardGoneBeforeCredit: ['created', 'awaiting_payment', 'paid', 'credit_pending'],
  pendingTooLong: [
    'created',
    'awaiting_payment',
    'paid',
    'crediting',
    'credit_pending',
    'needs_attention',
    'crediting',
    'credited',
  ],
  operatorRefund: ['created', 'awaiting_payment', 'paid', 'crediting', 'credit_pending', 'refund_requested', 'refunded'],
  refundStuck: [
    'created',
    'awaiting_payment',
    'paid',
    'crediting',
    'credit_pending',
    'refund_requested',
    'needs_attention',
    'refund_requested',
    'refunded',
  ],
  paymentStuck: ['created', 'awaiting_payment', 'needs_attention', 'paid', 'crediting', 'credited'],
  paymentStuckClosed: ['created', 'awaiting_payment', 'needs_attention', 'payment_closed'],
  paymentStuckExpired: ['created', 'awaiting_payment', 'needs_attention', 'payment_expired'],
  counterMismatch: ['created', 'awaiting_payment', 'paid', 'crediting', 'needs_attention', 'refund_requested', 'refunded'],
};

describe('gas order state machine', () => {
  for (const [name, path] of Object.entries(paths)) {
    it(`accepts the ${name} path`, () => {
      // needs_attention remembers where the order got stuck (attention_from).
      let from: OrderState | null = null;
      for (let i = 1; i < path.length; i++) {
        expect(canTransition(path[i - 1]!, path[i]!, from), `${path[i - 1]} → ${path[i]}`).toBe(true);
        if (path[i] === 'needs_attention') from = path[i - 1]!;
      }
    });
  }

  it('reaches every side exit from the main path', () => {
    const reachable = new Set<OrderState>(['created']);
    for (let changed = true; changed;) {
      changed = false;
      for (const s of [...reachable])
        for (const t of transitions[s])
          if (!reachable.has(t)) {
            reachable.add(t);
            changed = true;
          }
    }
    expect([...reachable].sort()).toEqual([...orderStates].sort());
  });

  it('never refunds an order straight from crediting, paid or credited', () => {
    for (const s of ['paid', 'crediting', 'credited', 'receipt_printed', 'done', 'awaiting_payment'] as const) {
      expect(canTransition(s, 'refund_requested'), s).toBe(false);
      expect(canTransition(s, 'refunded'), s).toBe(false);
    }
    // Only refund_requested leads to refunded.
    for (const s of orderStates) if (s !== 'refund_requested') expect(canTransition(s, 'refunded'), s).toBe(false);
  });

  it('credits only through crediting', () => {
    for (const s of orderStates) if (s !== 'crediting') expect(canTransition(s, 'credited'), s).toBe(false);
  });

  it('gets to paid only from awaiting_payment (or an operator resolving a stuck payment)', () => {
    expect(orderStates.filter((s) => canTransition(s, 'paid', 'awaiting_payment')).sort()).toEqual([
      'awaiting_payment',
      'needs_attention',
    ]);
    expect(orderStates.filter((s) => canTransition(s, 'paid', 'crediting')).sort()).toEqual(['awaiting_payment']);
  });

  it('never leaves a final state', () => {
    for (const s of finalStates) expect(transitions[s]).toEqual([]);
  });

  it('never goes back to an unpaid state once paid, except needs_attention resolving a stuck payment', () => {
    const unpaid: OrderState[] = ['created', 'awaiting_payment', 'payment_expired', 'payment_closed'];
    for (const s of paidStates) for (const u of unpaid) expect(canTransition(s, u), `${s} → ${u}`).toBe(false);
  });

  it('rejects forbidden moves with a typed error', () => {
    expect(() => assertTransition('GT1', 'crediting', 'refunded')).toThrow(IllegalTransitionError);
    expect(() => assertTransition('GT1', 'done', 'crediting')).toThrow(/done → crediting/);
    expect(() => assertTransition('GT1', 'awaiting_payment', 'crediting')).toThrow(IllegalTransitionError);
    expect(() => assertTransition('GT1', 'paid', 'credited')).toThrow(IllegalTransitionError);
    expect(() => assertTransition('GT1', 'paid', 'crediting')).not.toThrow();
  });

  it('classifies phases', () => {
    expect(phaseOf('done')).toBe('final');
    expect(phaseOf('refunded')).toBe('final');
    expect(phaseOf('payment_expired')).toBe('final');
    expect(phaseOf('credit_pending')).toBe('pending');
    expect(phaseOf('needs_attention')).toBe('pending');
    expect(phaseOf('crediting')).toBe('active');
    expect(pendingStates).toEqual(['credit_pending', 'needs_attention']);
  });

  /**
   * Issue 12, defect 6: not single edges but every path. An order is a (state, where it got
   * stuck) pair, since needs_attention remembers attention_from; walk the whole graph from paid.
   */
  it('no path from paid ever reaches an unpaid state, through needs_attention or otherwise', () => {
    type Node = { state: OrderState; from: OrderState | null };
    const key = (n: Node) => `${n.state}<${n.from ?? ''}>`;
    const unpaidEnds: OrderState[] = ['created', 'awaiting_payment', 'payment_expired', 'payment_closed'];
    for (const start of paidStates) {
      const seen = new Map<string, Node>([[key({ state: start, from: null }), { state: start, from: null }]]);
      const queue: Node[] = [{ state: start, from: null }];
      while (queue.length > 0) {
        const n = queue.shift()!;
        for (const to of orderStates) {
          if (!canTransition(n.state, to, n.from)) continue;
          const next: Node = { state: to, from: to === 'needs_attention' ? n.state : to === n.state ? n.from : null };
          if (!seen.has(key(next))) {
            seen.set(key(next), next);
            queue.push(next);
          }
        }
      }
      const reached = [...new Set([...seen.values()].map((n) => n.state))];
      for (const u of unpaidEnds) expect(reached, `${start} →…→ ${u}`).not.toContain(u);
    }
  });

  it('a payment stuck before it was paid can still end unpaid, or paid', () => {
    expect(canTransition('needs_attention', 'payment_closed', 'awaiting_payment')).toBe(true);
    expect(canTransition('needs_attention', 'payment_expired', 'awaiting_payment')).toBe(true);
    expect(canTransition('needs_attention', 'paid', 'awaiting_payment')).toBe(true);
    expect(canTransition('needs_attention', 'crediting', 'awaiting_payment')).toBe(false);
    expect(canTransition('needs_attention', 'refund_requested', 'awaiting_payment')).toBe(false);
    expect(canTransition('needs_attention', 'payment_closed', 'crediting')).toBe(false);
    expect(canTransition('needs_attention', 'payment_closed', 'refund_requested')).toBe(false);
    expect(canTransition('needs_attention', 'paid', 'credit_pending')).toBe(false);
  });
});
