/**
 * Issue 12: the money-losing races, each reproduced against the sandbox upstreams misbehaving the
 * way real ones do. Every check reads the upstreams' own records (payment bill, gas ledger, card),
 * not just the kiosk's journal.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { settlePayment } from '../../apps/simulators/src/payments-control.js';
import { DEMO_GAS_ACCOUNTS } from '@kiosk/synthetic';
import { HEADERS, startTestSandbox, type TestSandbox, sandboxForFile } from '../sandbox/fixture.js';
import { FakeGasCardReader } from './fake-card.js';
import {
  clearFaults,
  fault,
  lateCreditsLanded,
  ledgerFor,
  moneyFault,
  order,
  pay,
  startEngine,
  type EngineRig,
  enginesPerTest,
} from './harness.js';

const t = sandboxForFile();
const reader = new FakeGasCardReader();
const { rig, rigs } = enginesPerTest(t, { reader, waitForLateCredits: true });

const iot = DEMO_GAS_ACCOUNTS.iot.accountNo;
const today = (): string => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

/** The provider's own record: was this order refunded? */
async function refundedAtProvider(orderNo: string): Promise<boolean> {
  const res = await fetch(`${t.url}/payment/v1/bills?date=${today()}`, { headers: HEADERS });
  const bill = (await res.json()) as { rows: { type: string; outTradeNo: string }[] };
  return bill.rows.some((r) => r.type === 'refund' && r.outTradeNo === orderNo);
}

async function tradeState(orderNo: string): Promise<string> {
  const res = await fetch(`${t.url}/payment/v1/orders/${orderNo}`, { headers: HEADERS });
  return ((await res.json()) as { tradeState: string }).tradeState;
}

/** Gas delivered by the gas company's own ledger: an IoT credit, or a purchase that is not voided. */
async function gasDelivered(orderNo: string): Promise<boolean> {
  return (await ledgerFor(t, orderNo)).some(
    (e) => e.status === 'credited' || e.status === 'written' || e.status === 'awaiting_write',
  );
}

/**
 * Pays `orderNo` while its credit is held back, refunds it at credit_pending, lets the late
 * credit arrive, and checks the provider refunded and the gas company delivered nothing.
 */
async function refundWhileTheCreditIsLate(r: EngineRig, orderNo: string): Promise<void> {
  await pay(t, orderNo);
  expect((await r.engine.waitForRest(orderNo)).state).toBe('credit_pending');
  await r.engine.requestRefund(orderNo, 'citizen asked').catch(() => undefined);
  await lateCreditsLanded(t);
  const refunded = await refundedAtProvider(orderNo);
  const credited = await gasDelivered(orderNo);
  expect({ refunded, credited }).toEqual({ refunded: true, credited: false });
}

describe('defect 1: a refund first makes the credit impossible (void / 冲正)', () => {
  it('IoT: a credit still in flight past the timeout never lands after the refund', async () => {
    const r = await rig();
    const { order: o } = await r.engine.createOrder({ accountNo: iot, amountFen: 3000 });
    // The gas company is slower than the kiosk's patience: every attempt lands 6 s later.
    await moneyFault(t, { mode: 'credit_late', target: 'iot', delayMs: 6000, count: 10 });
    await refundWhileTheCreditIsLate(r, o.orderNo);
    expect(order(r, o.orderNo).state).toBe('refunded');
  });

  it('IC card: a purchase still in flight never lands after the refund', async () => {
    const r = await rig();
    reader.insert('icCardNew');
    await r.engine.readCard();
    const { order: o } = await r.engine.createOrder({ amountFen: 2000 });
    await moneyFault(t, { mode: 'credit_late', target: 'ic', delayMs: 6000, count: 10 });
    await refundWhileTheCreditIsLate(r, o.orderNo);
    expect(reader.wallet.get(DEMO_GAS_ACCOUNTS.icCardNew.cardNo)?.writes.filter((w) => w.serialNo === o.orderNo)).toEqual([]);
  });

  it('an unknown answer to the void leaves the order in needs_attention, never refunded', async () => {
    const r = await rig();
    const { order: o } = await r.engine.createOrder({ accountNo: iot, amountFen: 2000 });
    await fault(t, { operation: 'gas.iot.credit*', kind: 'error', status: 503, count: 20 });
    await pay(t, o.orderNo);
    expect((await r.engine.waitForRest(o.orderNo)).state).toBe('credit_pending');
    await clearFaults(t);
    await moneyFault(t, { mode: 'void_unknown', count: 20 });
    await r.engine.requestRefund(o.orderNo, 'citizen asked').catch(() => undefined);
    expect(order(r, o.orderNo).state).toBe('needs_attention');
    expect(await refundedAtProvider(o.orderNo)).toBe(false);
    // A later retry with a working gas company voids and then refunds.
    await clearFaults(t);
    await r.engine.requestRefund(o.orderNo, 'citizen asked');
    expect(order(r, o.orderNo).state).toBe('refunded');
    expect(await refundedAtProvider(o.orderNo)).toBe(true);
  });

  it('a credit that did land is recorded, not refunded', async () => {
    const r = await rig();
    const { order: o } = await r.engine.createOrder({ accountNo: iot, amountFen: 2000 });
    await moneyFault(t, { mode: 'credit_answer_lost', target: 'iot', count: 3 });
    // The query after the lost answer fails too, so the kiosk cannot tell.
    await fault(t, { operation: 'gas.iot.credit.get', kind: 'error', status: 503, count: 3 });
    await pay(t, o.orderNo);
    expect((await r.engine.waitForRest(o.orderNo)).state).toBe('credit_pending');
    await clearFaults(t);
    await r.engine.requestRefund(o.orderNo, 'citizen asked').catch(() => undefined);
    expect(await refundedAtProvider(o.orderNo)).toBe(false);
    expect(['credited', 'done']).toContain(order(r, o.orderNo).state);
  });
});

describe('defect 1 (IC card): a recorded purchase never written to the card', () => {
  it('is voided at the gas company, then refunded; its write data is dead', async () => {
    const r = await rig();
    reader.insert('icCardNew');
    await r.engine.readCard();
    const { order: o } = await r.engine.createOrder({ amountFen: 2000 });
    // The card leaves before the credit: the purchase is recorded, nothing written.
    reader.remove();
    await pay(t, o.orderNo);
    expect((await r.engine.waitForRest(o.orderNo)).state).toBe('credit_pending');
    expect((await ledgerFor(t, o.orderNo))[0]?.status).toBe('awaiting_write');
    await r.engine.requestRefund(o.orderNo, 'citizen asked');
    expect(order(r, o.orderNo).state).toBe('refunded');
    expect(await refundedAtProvider(o.orderNo)).toBe(true);
    expect((await ledgerFor(t, o.orderNo))[0]?.status).toBe('voided');
    // 补写卡 with the card afterwards writes nothing.
    reader.insert('icCardNew');
    await expect(r.engine.finishPending(o.orderNo)).rejects.toThrow();
    expect(reader.wallet.get(DEMO_GAS_ACCOUNTS.icCardNew.cardNo)?.writes.filter((w) => w.serialNo === o.orderNo)).toEqual([]);
  });

  it('a card write that may have taken blocks the refund until the card is read', async () => {
    const r = await rig();
    reader.insert('icCardNew');
    await r.engine.readCard();
    const { order: o } = await r.engine.createOrder({ amountFen: 2000 });
    reader.removeMidWrite = { applied: true };
    await pay(t, o.orderNo);
    expect((await r.engine.waitForRest(o.orderNo)).state).toBe('credit_pending');
    await expect(r.engine.requestRefund(o.orderNo, 'citizen asked')).rejects.toMatchObject({ reason: 'REFUND_UNSAFE' });
    expect(await refundedAtProvider(o.orderNo)).toBe(false);
    // 补写卡 finds the gas on the card and reports it: credited, once.
    reader.insert('icCardNew');
    expect((await r.engine.finishPending(o.orderNo)).order.state).toBe('credited');
    expect(reader.wallet.get(DEMO_GAS_ACCOUNTS.icCardNew.cardNo)?.writes.filter((w) => w.serialNo === o.orderNo)).toHaveLength(1);
  });
});

describe('defect 2: an order is final as unpaid only once closed at the provider', () => {
  it('PAYERROR: the kiosk closes the order at the provider before payment_closed', async () => {
    const r = await rig();
    const { order: o } = await r.engine.createOrder({ accountNo: iot, amountFen: 2000 });
    await settlePayment(t.url, o.orderNo, 'fail');
    const rest = await r.engine.waitForRest(o.orderNo);
    expect(rest.state).toBe('payment_closed');
    // The provider agrees nobody can pay it any more: a buyer retrying is refused.
    expect(await tradeState(o.orderNo)).toBe('CLOSED');
    await expect(settlePayment(t.url, o.orderNo, 'pay')).rejects.toThrow();
  });

  it('PAYERROR, and the buyer pays again while the kiosk closes: the payment wins and is credited', async () => {
    const r = await rig();
    const { order: o } = await r.engine.createOrder({ accountNo: iot, amountFen: 2000 });
    await moneyFault(t, { mode: 'pay_during_close', outTradeNo: o.orderNo });
    await settlePayment(t.url, o.orderNo, 'fail');
    const rest = await r.engine.waitForRest(o.orderNo);
    expect(rest.state).toBe('credited');
    expect(await gasDelivered(o.orderNo)).toBe(true);
  });

  it('countdown over, and the payment lands during the close: credited', async () => {
    const r = await rig({ settings: { paymentCountdownSeconds: 1 } });
    const { order: o } = await r.engine.createOrder({ accountNo: iot, amountFen: 2000 });
    await moneyFault(t, { mode: 'pay_during_close', outTradeNo: o.orderNo });
    const rest = await r.engine.waitForRest(o.orderNo);
    expect(rest.state).toBe('credited');
    expect(await gasDelivered(o.orderNo)).toBe(true);
  });
});

describe('defect 4: after an unknown payment outcome the citizen is told the truth per credit kind', () => {
  async function unknownPayment(r: EngineRig, amountFen: number, accountNo?: string): Promise<string> {
    const { order: o } = await r.engine.createOrder({ amountFen, ...(accountNo ? { accountNo } : {}) });
    // The provider cannot be reached at all until the kiosk gives up holding the session.
    await fault(t, { operation: 'payment.*', kind: 'error', status: 503, count: 10_000 });
    const rest = await r.engine.waitForRest(o.orderNo);
    expect(rest.stage).toBe('paymentUnknown');
    return o.orderNo;
  }

  it('IC card: the card is needed again (补写卡), and a pending slip says so with the order number', async () => {
    const r = await rig({ settings: { paymentCountdownSeconds: 1, closeGraceMs: 200 } });
    reader.insert('icCard');
    await r.engine.readCard();
    const no = await unknownPayment(r, 1000);
    const v = r.engine.view(no);
    expect(v.message?.zh).toContain('补写卡');
    expect(v.message?.zh).not.toContain('将自动为您充值');
    expect(v.message?.zh).toContain('燃气卡');
    expect(v.message?.en).toMatch(/card/i);
    const printed = await r.engine.printSlip(no);
    expect(printed).toMatchObject({ printed: true, kind: 'pending' });
    const slip = JSON.stringify(r.printer.printed.at(-1));
    expect(slip).toContain(no);
    expect(slip).toContain('补写卡');
  });

  it('IoT: credited automatically once the payment is confirmed; the slip carries the order number', async () => {
    const r = await rig({ settings: { paymentCountdownSeconds: 1, closeGraceMs: 200 } });
    const no = await unknownPayment(r, 1000, iot);
    const v = r.engine.view(no);
    expect(v.message?.zh).toContain('自动');
    expect(v.message?.zh).not.toContain('补写卡');
    const printed = await r.engine.printSlip(no);
    expect(printed).toMatchObject({ printed: true, kind: 'pending' });
    expect(JSON.stringify(r.printer.printed.at(-1))).toContain(no);
  });
});

describe('defect 5: "already on the card" needs counter, amount and the gas company record', () => {
  // Each case leaves a purchase waiting on the card's account: a sandbox and a wallet of its own.
  let own: TestSandbox;
  let cards: FakeGasCardReader;
  beforeEach(async () => {
    own = await startTestSandbox();
    cards = new FakeGasCardReader();
  });
  afterEach(async () => {
    for (const r of rigs.splice(0)) await r.close();
    await own.close();
  });

  async function torn(keepCard: boolean): Promise<{ r: EngineRig; no: string }> {
    const r = await startEngine(own, { card: cards });
    rigs.push(r);
    cards.insert('icCardNew');
    await r.engine.readCard();
    const { order: o } = await r.engine.createOrder({ amountFen: 3000 });
    cards.tearNextWrite = { keepCard };
    await settlePayment(own.url, o.orderNo, 'pay');
    return { r, no: o.orderNo };
  }

  it('a torn write (counter written, balance not) goes to needs_attention, never credited', async () => {
    const { r, no } = await torn(true);
    const rest = await r.engine.waitForRest(no);
    expect(rest.state).toBe('needs_attention');
    // The card's counter moved but its balance did not: no receipt for gas that is not there.
    expect(cards.inserted?.purchaseCount).toBe(order(r, no).icTargetCount);
    expect((await ledgerFor(own, no))[0]?.status).not.toBe('written');
  });

  it('a torn write found later at 补写卡 is not reported written either', async () => {
    const { r, no } = await torn(false);
    expect((await r.engine.waitForRest(no)).state).toBe('credit_pending');
    cards.insert('icCardNew');
    const after = await r.engine.finishPending(no).catch(() => null);
    expect(after?.order.state ?? order(r, no).state).toBe('needs_attention');
    expect((await ledgerFor(own, no))[0]?.status).not.toBe('written');
  });
});
