/** The money rules as pure decisions, without a sandbox (apps/agent/src/gas/rules). */
import { describe, expect, it } from 'vitest';
import {
  cardAlreadyWritten,
  creditKey,
  mayEndUnpaid,
  mayRefund,
  nextPaymentStep,
  recoveryStep,
  refundKey,
  wantsCredit,
  type PurchaseRecord,
} from '../../apps/agent/src/gas/rules/index.js';

describe('mayRefund: void before refund', () => {
  it('asks for the void first, whatever a credit query said', () => {
    expect(mayRefund({ voidAnswer: null, cardMayHoldGas: false })).toBe('void');
  });
  it('refunds only on a definite voided / never credited', () => {
    expect(mayRefund({ voidAnswer: 'never_credited', cardMayHoldGas: false })).toBe('refund');
    expect(mayRefund({ voidAnswer: 'voided', cardMayHoldGas: false })).toBe('refund');
  });
  it('records the credit when the gas company says it was credited', () => {
    expect(mayRefund({ voidAnswer: 'already_credited', cardMayHoldGas: false })).toBe('credited');
  });
  it('an unknown answer goes to a person, never to a refund', () => {
    expect(mayRefund({ voidAnswer: 'unknown', cardMayHoldGas: false })).toBe('needs_attention');
  });
  it('an IC card that may hold the gas is never refunded, whatever the void says', () => {
    for (const v of [null, 'voided', 'never_credited', 'unknown'] as const) {
      expect(mayRefund({ voidAnswer: v, cardMayHoldGas: true })).toBe('needs_attention');
    }
  });
});

describe('payment: close before final unpaid', () => {
  it('only CLOSED or an order the provider never had may end unpaid', () => {
    expect(mayEndUnpaid('CLOSED')).toBe(true);
    expect(mayEndUnpaid('not_found')).toBe(true);
    for (const s of ['NOTPAY', 'USERPAYING', 'PAYERROR', 'SUCCESS', 'REFUND'] as const) expect(mayEndUnpaid(s)).toBe(false);
  });
  it('PAYERROR is closed at the provider, not ended locally', () => {
    expect(nextPaymentStep('PAYERROR', false)).toBe('close');
    expect(nextPaymentStep('PAYERROR', true)).toBe('close');
  });
  it('giving up on an open order means closing it first', () => {
    expect(nextPaymentStep('NOTPAY', true)).toBe('close');
    expect(nextPaymentStep('USERPAYING', true)).toBe('close');
    expect(nextPaymentStep('NOTPAY', false)).toBe('wait');
  });
  it('a payment always wins, even when giving up', () => {
    expect(nextPaymentStep('SUCCESS', true)).toBe('credit');
    expect(nextPaymentStep('CLOSED', true)).toBe('end_unpaid');
    expect(nextPaymentStep('REFUND', false)).toBe('needs_attention');
  });
});

describe('cardAlreadyWritten: counter AND amount AND the gas company record', () => {
  const record: PurchaseRecord = { cardNo: 'C1', targetCount: 8, amountFen: 5000, status: 'awaiting_write' };
  const card = (purchaseCount: number, storedFen: number | null, cardNo = 'C1') => ({
    cardNo,
    purchaseCount,
    storedPurchase: storedFen === null ? null : { amountFen: storedFen, volumeM3: 1 },
  });
  it('counter at the target with the balance grown by the amount: on the card', () => {
    expect(cardAlreadyWritten(card(8, 7000), record, { storedFen: 2000 })).toBe('on_card');
    expect(cardAlreadyWritten(card(8, 5000), record, null)).toBe('on_card');
  });
  it('torn write: counter written, balance not', () => {
    expect(cardAlreadyWritten(card(8, 2000), record, { storedFen: 2000 })).toBe('torn');
    expect(cardAlreadyWritten(card(8, null), record, null)).toBe('torn');
    expect(cardAlreadyWritten(card(8, null), record, { storedFen: 0 })).toBe('torn');
  });
  it('torn the other way: balance written, counter not', () => {
    expect(cardAlreadyWritten(card(7, 7000), record, { storedFen: 2000 })).toBe('torn');
  });
  it('counter one below with the balance untouched: write', () => {
    expect(cardAlreadyWritten(card(7, 2000), record, { storedFen: 2000 })).toBe('write');
    expect(cardAlreadyWritten(card(7, null), record, null)).toBe('write');
  });
  it('no record, a voided record, another counter or another card: never written blind', () => {
    expect(cardAlreadyWritten(card(8, 5000), null, null)).toBe('mismatch');
    expect(cardAlreadyWritten(card(8, 5000), { ...record, status: 'voided' }, null)).toBe('mismatch');
    expect(cardAlreadyWritten(card(9, 5000), record, null)).toBe('mismatch');
    expect(cardAlreadyWritten(card(8, 5000, 'C2'), record, null)).toBe('wrong_card');
  });
});

describe('idempotency keys', () => {
  it('the credit key is the order number on every attempt; the refund key adds R', () => {
    const o = { orderNo: 'GT20260630120000ABCDEF' };
    expect(creditKey(o)).toBe('GT20260630120000ABCDEF');
    expect(creditKey(o)).toBe(creditKey({ ...o }));
    expect(refundKey(o)).toBe('GT20260630120000ABCDEFR');
  });
});

describe('recoveryStep: what recovery does by what the journal says', () => {
  const at = (
    state: Parameters<typeof recoveryStep>[0]['state'],
    attentionFrom: Parameters<typeof recoveryStep>[0]['attentionFrom'] = null,
    operator = false,
  ) => recoveryStep({ state, attentionFrom }, { operator });
  it('never ends an unpaid order without the provider, except one never sent', () => {
    expect(at('created')).toBe('close_local');
    expect(at('awaiting_payment')).toBe('resolve_payment');
    expect(at('needs_attention', 'awaiting_payment')).toBe('resolve_payment');
  });
  it('credits paid orders, finishes credited ones, carries refunds on', () => {
    for (const s of ['paid', 'crediting', 'credit_pending'] as const) expect(at(s)).toBe('deliver');
    expect(at('needs_attention', 'crediting')).toBe('deliver');
    expect(at('credited')).toBe('finish');
    expect(at('receipt_printed')).toBe('finish');
    expect(at('refund_requested')).toBe('refund');
  });
  it('a refund stuck on an unconfirmed void waits for a person', () => {
    expect(at('needs_attention', 'refund_requested')).toBe('none');
    expect(at('needs_attention', 'refund_requested', true)).toBe('refund');
  });
  it('leaves final orders alone', () => {
    for (const s of ['done', 'payment_closed', 'payment_expired', 'refunded'] as const) expect(at(s)).toBe('none');
  });
  it('wantsCredit: paid and not delivered, also when stuck on the way', () => {
    expect(wantsCredit({ state: 'credit_pending', attentionFrom: null })).toBe(true);
    expect(wantsCredit({ state: 'needs_attention', attentionFrom: 'crediting' })).toBe(true);
    expect(wantsCredit({ state: 'needs_attention', attentionFrom: 'awaiting_payment' })).toBe(false);
    expect(wantsCredit({ state: 'needs_attention', attentionFrom: 'refund_requested' })).toBe(false);
    expect(wantsCredit({ state: 'done', attentionFrom: null })).toBe(false);
  });
});
