/**
 * Start-up recovery: the journal and the upstreams are put in the state a crash at each point
 * would leave (the same calls the engine makes, stopped half-way), then a fresh engine starts on
 * the same database. The real SIGKILL test is tests/fault/crash.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEMO_GAS_ACCOUNTS } from '@kiosk/synthetic';
import type { GasOrder } from '../../apps/agent/src/gas/journal.js';
import { sandboxForFile } from '../sandbox/fixture.js';
import { FakeGasCardReader } from './fake-card.js';
import { clearFaults, fault, KIOSK, ledgerFor, order, pay, type EngineRig, enginesPerTest } from './harness.js';

const t = sandboxForFile();
const reader = new FakeGasCardReader();
const { rig, restart } = enginesPerTest(t, { reader });

const iot = DEMO_GAS_ACCOUNTS.iot.accountNo;
const meta = { actor: 'test' };
const newNo = () => `GT${Date.now()}${randomBytes(3).toString('hex').toUpperCase()}`.slice(0, 22);

async function balance(r: EngineRig): Promise<number> {
  return (await r.services.gas.lookupAccount({ accountNo: iot })).balanceFen ?? 0;
}

/** created → awaiting_payment → provider order, as createOrder does; optionally paid. */
async function upToPayment(
  r: EngineRig,
  o: { meter: 'iot' | 'ic-card'; amountFen: number; paid: boolean; cardCount?: number },
): Promise<GasOrder> {
  const orderNo = newNo();
  const ic = o.meter === 'ic-card';
  r.journal.create(
    {
      orderNo,
      kioskId: KIOSK,
      meterType: o.meter,
      accountNo: ic ? DEMO_GAS_ACCOUNTS.icCard.accountNo : iot,
      cardNo: ic ? DEMO_GAS_ACCOUNTS.icCard.cardNo : null,
      cardCountBefore: ic ? (o.cardCount ?? null) : null,
      amountFen: o.amountFen,
    },
    meta,
  );
  r.journal.transition(
    orderNo,
    'created',
    'awaiting_payment',
    { payDeadline: new Date(Date.now() + 60_000).toISOString() },
    meta,
  );
  const p = await r.services.payment.createOrder({
    outTradeNo: orderNo,
    amountFen: o.amountFen,
    description: 'test',
    expireSeconds: 120,
  });
  r.journal.step(orderNo, 'awaiting_payment', 'payment_created', { payOrderId: p.orderId, payCodeUrl: p.codeUrl }, meta);
  if (!o.paid) return r.journal.require(orderNo);
  const q = await pay(t, orderNo);
  return r.journal.transition(
    orderNo,
    'awaiting_payment',
    'paid',
    { payOrderId: q.orderId, transactionId: q.transactionId, paidAt: q.paidAt, tradeState: 'SUCCESS' },
    meta,
  );
}

/**
 * A paid 50-yuan IC-card order journaled up to `card_write` with the purchase recorded at the gas
 * company, as the engine leaves it just before it writes the card (the card is in the reader).
 */
async function upToCardWrite() {
  const a = await rig();
  const card = reader.insert('icCard');
  const start = card.purchaseCount;
  const o = await upToPayment(a, { meter: 'ic-card', amountFen: 5000, paid: true, cardCount: start });
  a.journal.transition(o.orderNo, 'paid', 'crediting', {}, meta);
  const p = await a.services.gas.createIcPurchase({
    serialNo: o.orderNo,
    accountNo: o.accountNo,
    cardNo: o.cardNo!,
    amountFen: 5000,
    cardPurchaseCount: start,
    paymentOrderNo: o.payOrderId!,
  });
  a.journal.step(
    o.orderNo,
    'crediting',
    'purchase_recorded',
    { icPurchaseId: p.purchaseId, icTargetCount: p.write.purchaseCount, icMac: p.write.mac, volumeM3: p.write.volumeM3 },
    meta,
  );
  a.journal.step(o.orderNo, 'crediting', 'card_write', { icWriteAttempts: 1 }, meta);
  return { a, card, start, o, p };
}

describe('start-up recovery', () => {
  it('created (nothing sent) → payment_closed', async () => {
    const a = await rig();
    const orderNo = newNo();
    a.journal.create({ orderNo, kioskId: KIOSK, meterType: 'iot', accountNo: iot, amountFen: 5000 }, meta);
    const b = await restart(a);
    expect(order(b, orderNo).state).toBe('payment_closed');
    expect(b.journal.unfinished()).toHaveLength(0);
  });

  it('awaiting_payment before the provider heard of it → payment_closed', async () => {
    const a = await rig();
    const orderNo = newNo();
    a.journal.create({ orderNo, kioskId: KIOSK, meterType: 'iot', accountNo: iot, amountFen: 5000 }, meta);
    a.journal.transition(
      orderNo,
      'created',
      'awaiting_payment',
      { payDeadline: new Date(Date.now() + 60_000).toISOString() },
      meta,
    );
    const b = await restart(a);
    expect(order(b, orderNo)).toMatchObject({ state: 'payment_closed', lastError: 'payment:never_created' });
  });

  it('awaiting_payment, unpaid at the provider → closed there before citizens are served', async () => {
    const a = await rig();
    const o = await upToPayment(a, { meter: 'iot', amountFen: 5000, paid: false });
    const b = await restart(a);
    expect(order(b, o.orderNo).state).toBe('payment_closed');
    expect((await b.services.payment.queryOrder(o.orderNo)).tradeState).toBe('CLOSED');
  });

  it('awaiting_payment, paid while the agent was down → credited once', async () => {
    const a = await rig();
    const before = await balance(a);
    const o = await upToPayment(a, { meter: 'iot', amountFen: 5000, paid: false });
    await pay(t, o.orderNo);
    const b = await restart(a);
    expect(order(b, o.orderNo).state).toBe('done');
    expect(await balance(b)).toBe(before + 5000);
    expect(await ledgerFor(t, o.orderNo)).toHaveLength(1);
  });

  it('paid, credit never attempted → credited', async () => {
    const a = await rig();
    const before = await balance(a);
    const o = await upToPayment(a, { meter: 'iot', amountFen: 3000, paid: true });
    const b = await restart(a);
    expect(order(b, o.orderNo).state).toBe('done');
    expect(await balance(b)).toBe(before + 3000);
  });

  it('crediting, and the credit had landed → credited, not credited again', async () => {
    const a = await rig();
    const before = await balance(a);
    const o = await upToPayment(a, { meter: 'iot', amountFen: 2000, paid: true });
    a.journal.transition(o.orderNo, 'paid', 'crediting', {}, meta);
    await a.services.gas.remoteCredit({ serialNo: o.orderNo, accountNo: iot, amountFen: 2000, paymentOrderNo: o.payOrderId! });
    const b = await restart(a);
    expect(order(b, o.orderNo).creditedAt).not.toBeNull();
    expect(await balance(b)).toBe(before + 2000);
    expect(await ledgerFor(t, o.orderNo)).toHaveLength(1);
  });

  it('crediting, gas company unreachable at start → credit_pending at once, credited (and done) by the retry loop', async () => {
    const a = await rig();
    const before = await balance(a);
    const o = await upToPayment(a, { meter: 'iot', amountFen: 2000, paid: true });
    a.journal.transition(o.orderNo, 'paid', 'crediting', {}, meta);
    await fault(t, { operation: 'gas.*', kind: 'error', status: 503, count: 1000 });
    const b = await restart(a);
    expect(order(b, o.orderNo).state).toBe('credit_pending');
    expect(b.engine.ready()).toBe(true);
    await clearFaults(t);
    await b.engine.runRetryPass();
    // Credited in the background for a citizen who is gone: closed as done right away.
    expect(order(b, o.orderNo)).toMatchObject({ state: 'done', receiptPrinted: false });
    expect(await balance(b)).toBe(before + 2000);
  });

  it('provider unreachable at start: the unpaid order waits for the retry loop, start() still resolves', async () => {
    const a = await rig();
    const o = await upToPayment(a, { meter: 'iot', amountFen: 5000, paid: false });
    await fault(t, { operation: 'payment.*', kind: 'error', status: 503, count: 1000 });
    const b = await restart(a);
    expect(order(b, o.orderNo).state).toBe('awaiting_payment');
    await clearFaults(t);
    await b.engine.runRetryPass();
    expect(order(b, o.orderNo).state).toBe('payment_closed');
  });

  it('IC card: crash after the write took, card still in the reader → credited, no second write', async () => {
    const { a, card, start, o, p } = await upToCardWrite();
    await reader.writePurchase({
      cardNo: o.cardNo!,
      purchaseCount: p.write.purchaseCount,
      amountFen: 5000,
      volumeM3: p.write.volumeM3,
      mac: p.write.mac,
      serialNo: o.orderNo,
    });
    const calls = reader.writeCalls;
    const b = await restart(a);
    expect(order(b, o.orderNo).state).toBe('done');
    expect(reader.writeCalls).toBe(calls);
    expect(card.purchaseCount).toBe(start + 1);
    expect((await ledgerFor(t, o.orderNo))[0]?.status).toBe('written');
  });

  it('IC card: crash mid-write with the card gone → credit_pending; 补写卡 later completes once', async () => {
    const { a, card, start, o } = await upToCardWrite();
    reader.remove();
    const b = await restart(a);
    expect(order(b, o.orderNo).state).toBe('credit_pending');
    expect(b.engine.counts().creditPending).toBe(1);
    reader.insert('icCard');
    expect((await b.engine.finishPending(o.orderNo)).order.state).toBe('credited');
    expect(card.purchaseCount).toBe(start + 1);
    expect(card.writes.filter((w) => w.serialNo === o.orderNo)).toHaveLength(1);
  });

  it('credited or receipt_printed → done (the receipt is not printed for a citizen who left)', async () => {
    const a = await rig();
    const o = await upToPayment(a, { meter: 'iot', amountFen: 1000, paid: true });
    a.journal.transition(o.orderNo, 'paid', 'crediting', {}, meta);
    await a.services.gas.remoteCredit({ serialNo: o.orderNo, accountNo: iot, amountFen: 1000, paymentOrderNo: o.payOrderId! });
    a.journal.transition(o.orderNo, 'crediting', 'credited', {}, meta);
    const b = await restart(a);
    expect(order(b, o.orderNo)).toMatchObject({ state: 'done', receiptPrinted: false });
  });

  it('refund_requested → refunded (same out_refund_no, refunded once)', async () => {
    const a = await rig();
    const o = await upToPayment(a, { meter: 'iot', amountFen: 1000, paid: true });
    a.journal.transition(o.orderNo, 'paid', 'crediting', {}, meta);
    a.journal.transition(o.orderNo, 'crediting', 'credit_pending', {}, meta);
    a.journal.transition(o.orderNo, 'credit_pending', 'refund_requested', { refundNo: `${o.orderNo}R` }, meta);
    await a.services.payment.refund({ outTradeNo: o.orderNo, outRefundNo: `${o.orderNo}R`, amountFen: 1000 });
    const b = await restart(a);
    expect(order(b, o.orderNo).state).toBe('refunded');
    const q = await b.services.payment.queryOrder(o.orderNo);
    expect(q).toMatchObject({ tradeState: 'REFUND', refundedFen: 1000 });
    expect(await ledgerFor(t, o.orderNo)).toHaveLength(0);
  });
});
