import { describe, expect, it } from 'vitest';
import { DEMO_GAS_ACCOUNTS } from '@kiosk/synthetic';
import { sandboxForFile } from '../sandbox/fixture.js';
import { clearFaults, fault, ledgerFor, order, pay, states, type EngineRig, enginesPerTest, rejection } from './harness.js';

const t = sandboxForFile();
const { rig } = enginesPerTest(t);

const iot = DEMO_GAS_ACCOUNTS.iot.accountNo;

async function balance(r: EngineRig, accountNo = iot): Promise<number> {
  return (await r.services.gas.lookupAccount({ accountNo })).balanceFen ?? 0;
}

describe('IoT top-up', () => {
  it('goes created → … → done, journaling each state before its step, and credits once', async () => {
    const r = await rig();
    const before = await balance(r);
    const { view } = await r.engine.lookupAccount({ accountNo: iot });
    expect(view).toMatchObject({ meterType: 'iot', canTopUp: true, needsCard: false, accountNoMasked: '88001***01' });
    expect(view.amounts.presetsFen).toEqual([5000, 10000, 20000, 50000]);

    const created = await r.engine.createOrder({ accountNo: iot, amountFen: 5000 });
    expect(created.order.stage).toBe('awaitingPayment');
    expect(created.order.payment?.codeUrl).toMatch(/\/pay\/PO/);
    expect(created.qrSvg).toContain('<svg');
    expect(r.engine.isMoneyStepInFlight()).toBe(true);
    expect(r.engine.busyReason()).toBe('payment');
    const no = created.order.orderNo;
    expect(no).toMatch(/^GT\d{14}[0-9A-Z]{6}$/);

    await pay(t, no);
    const rest = await r.engine.waitForRest(no);
    expect(rest.state).toBe('credited');
    expect(rest.balanceAfterFen).toBe(before + 5000);
    expect(rest.message?.zh).toContain('充值成功');

    const printed = await r.engine.printSlip(no);
    expect(printed).toMatchObject({ printed: true, kind: 'receipt' });
    expect(printed.order.state).toBe('done');
    expect(r.printer.printed.at(-1)?.kind).toBe('gas-topup');
    expect(JSON.stringify(r.printer.printed.at(-1))).not.toContain(iot);

    expect(states(r, no)).toEqual([
      'created',
      'awaiting_payment',
      'step:payment_created',
      'paid',
      'crediting',
      'credited',
      'receipt_printed',
      'done',
    ]);
    expect(await balance(r)).toBe(before + 5000);
    expect(await ledgerFor(t, no)).toHaveLength(1);
    expect(r.engine.isMoneyStepInFlight()).toBe(false);
    expect(r.engine.counts()).toMatchObject({ creditPending: 0, needsAttention: 0, active: 0 });
  });

  it('refuses amounts outside the limits or not in whole yuan, before any money moves', async () => {
    const r = await rig();
    expect((await rejection(r.engine.createOrder({ accountNo: iot, amountFen: 500 }))).reason).toBe('AMOUNT_OUT_OF_RANGE');
    expect((await rejection(r.engine.createOrder({ accountNo: iot, amountFen: 300_000 }))).reason).toBe('AMOUNT_OUT_OF_RANGE');
    expect((await rejection(r.engine.createOrder({ accountNo: iot, amountFen: 5050 }))).reason).toBe('AMOUNT_STEP');
    expect(
      (await rejection(r.engine.createOrder({ accountNo: DEMO_GAS_ACCOUNTS.suspended.accountNo, amountFen: 5000 }))).reason,
    ).toBe('ACCOUNT_SUSPENDED');
    expect((await rejection(r.engine.createOrder({ accountNo: '8899999999', amountFen: 5000 }))).reason).toBe(
      'ACCOUNT_NOT_FOUND',
    );
    expect(r.journal.all()).toHaveLength(0);
  });

  it('closes an unpaid order when the countdown runs out (NOTPAY is not final)', async () => {
    const r = await rig({ settings: { paymentCountdownSeconds: 1 } });
    const { order: o } = await r.engine.createOrder({ accountNo: iot, amountFen: 5000 });
    const ticks: string[] = [];
    const rest = await r.engine.waitForRest(o.orderNo, { onTick: (x) => ticks.push(x.tradeState) });
    expect(rest.state).toBe('payment_expired');
    expect(ticks.length).toBeGreaterThan(0);
    expect(ticks.every((s) => s === 'NOTPAY')).toBe(true);
    expect((await r.services.payment.queryOrder(o.orderNo)).tradeState).toBe('CLOSED');
    expect(r.engine.isMoneyStepInFlight()).toBe(false);
  });

  it('closes the order when the citizen cancels', async () => {
    const r = await rig();
    const { order: o } = await r.engine.createOrder({ accountNo: iot, amountFen: 5000 });
    const v = await r.engine.cancel(o.orderNo);
    expect(v.state).toBe('payment_closed');
    expect((await r.services.payment.queryOrder(o.orderNo)).tradeState).toBe('CLOSED');
    expect(r.engine.isMoneyStepInFlight()).toBe(false);
  });

  it('credits an order paid in the last second even when the citizen cancelled', async () => {
    const r = await rig({ settings: { paymentPollMs: 60_000 } });
    const before = await balance(r);
    const { order: o } = await r.engine.createOrder({ accountNo: iot, amountFen: 3000 });
    await pay(t, o.orderNo);
    const v = await r.engine.cancel(o.orderNo);
    expect(v.state).toBe('credited');
    expect(await balance(r)).toBe(before + 3000);
  });

  it('a lost reply after the credit still ends credited exactly once (asks by serial number)', async () => {
    const r = await rig();
    const before = await balance(r);
    const { order: o } = await r.engine.createOrder({ accountNo: iot, amountFen: 4000 });
    await fault(t, { operation: 'gas.iot.credit', kind: 'error', status: 503, phase: 'after', count: 3 });
    await pay(t, o.orderNo);
    const rest = await r.engine.waitForRest(o.orderNo);
    expect(rest.state).toBe('credited');
    expect(await balance(r)).toBe(before + 4000);
    expect(await ledgerFor(t, o.orderNo)).toHaveLength(1);
    expect(r.journal.history(o.orderNo).find((h) => h.toState === 'credited')?.detail).toMatchObject({ confirmedByQuery: true });
  });

  it('a timed-out credit whose reply is lost is confirmed by query, not repeated', async () => {
    const r = await rig();
    const before = await balance(r);
    const { order: o } = await r.engine.createOrder({ accountNo: iot, amountFen: 2000 });
    await fault(t, { operation: 'gas.iot.credit', kind: 'timeout', phase: 'after', count: 3, delayMs: 5000 });
    await pay(t, o.orderNo);
    expect((await r.engine.waitForRest(o.orderNo)).state).toBe('credited');
    expect(await balance(r)).toBe(before + 2000);
    expect(await ledgerFor(t, o.orderNo)).toHaveLength(1);
  });

  it('5xx on every credit attempt → credit_pending (never refunded), then the retry loop credits once', async () => {
    const r = await rig();
    const before = await balance(r);
    const { order: o } = await r.engine.createOrder({ accountNo: iot, amountFen: 6000 });
    await fault(t, { operation: 'gas.iot.credit*', kind: 'error', status: 503, count: 20 });
    await pay(t, o.orderNo);
    const rest = await r.engine.waitForRest(o.orderNo);
    expect(rest.state).toBe('credit_pending');
    expect(rest.message?.zh).toContain('自动重试');
    expect(r.engine.counts().creditPending).toBe(1);
    expect((await r.services.payment.queryOrder(o.orderNo)).tradeState).toBe('SUCCESS');

    const slip = await r.engine.printSlip(o.orderNo);
    expect(slip).toMatchObject({ printed: true, kind: 'pending' });
    expect(JSON.stringify(r.printer.printed.at(-1))).toContain(`KIOSK-GAS-PENDING:${o.orderNo}`);

    await clearFaults(t);
    await r.engine.runRetryPass();
    expect(order(r, o.orderNo).state).toBe('credited');
    expect(await balance(r)).toBe(before + 6000);
    expect(await ledgerFor(t, o.orderNo)).toHaveLength(1);
    expect(r.engine.counts().creditPending).toBe(0);
  });

  it('keeps polling through payment-query outages', async () => {
    const r = await rig();
    const { order: o } = await r.engine.createOrder({ accountNo: iot, amountFen: 1000 });
    await fault(t, { operation: 'payment.query', kind: 'error', status: 502, count: 6 });
    await pay(t, o.orderNo);
    expect((await r.engine.waitForRest(o.orderNo)).state).toBe('credited');
  });

  it('a failed payment-order creation leaves nothing payable behind', async () => {
    const r = await rig();
    await fault(t, { operation: 'payment.create', kind: 'error', status: 503, phase: 'after', count: 3 });
    const err = await rejection(r.engine.createOrder({ accountNo: iot, amountFen: 5000 }));
    expect(err.reason).toBe('PAYMENT_UNAVAILABLE');
    const [o] = r.journal.all();
    await r.engine.waitForRest(o!.orderNo);
    expect(order(r, o!.orderNo).state).toBe('payment_closed');
    // It reached the provider despite the lost reply: it must be closed there.
    expect((await r.services.payment.queryOrder(o!.orderNo)).tradeState).toBe('CLOSED');
  });

  it('endSession closes an unpaid order and waits until no money step is in flight', async () => {
    const r = await rig();
    const { order: o } = await r.engine.createOrder({ accountNo: iot, amountFen: 5000 });
    expect(r.engine.isMoneyStepInFlight()).toBe(true);
    await r.engine.endSession();
    expect(r.engine.isMoneyStepInFlight()).toBe(false);
    expect(order(r, o.orderNo).state).toBe('payment_closed');
    expect((await r.services.payment.queryOrder(o.orderNo)).tradeState).toBe('CLOSED');
  });

  it('only one order at a time', async () => {
    const r = await rig();
    const { order: o } = await r.engine.createOrder({ accountNo: iot, amountFen: 5000 });
    expect((await rejection(r.engine.createOrder({ accountNo: iot, amountFen: 5000 }))).reason).toBe('ORDER_IN_PROGRESS');
    await r.engine.cancel(o.orderNo);
  });
});

describe('operator refund and needs_attention', () => {
  it('refunds a rejected credit only after the gas company confirms nothing was credited', async () => {
    const r = await rig();
    const { order: o } = await r.engine.createOrder({ accountNo: iot, amountFen: 5000 });
    await fault(t, { operation: 'gas.iot.credit', kind: 'error', status: 409, count: 5 });
    await pay(t, o.orderNo);
    expect((await r.engine.waitForRest(o.orderNo)).state).toBe('credit_pending');
    await clearFaults(t);
    const v = await r.engine.requestRefund(o.orderNo, 'citizen asked at the counter');
    expect(v.state).toBe('refunded');
    expect((await r.services.payment.queryOrder(o.orderNo)).tradeState).toBe('REFUND');
    expect(await ledgerFor(t, o.orderNo)).toHaveLength(0);
    expect(states(r, o.orderNo).slice(-3)).toEqual(['credit_pending', 'refund_requested', 'refunded']);
  });

  it('refuses a refund when the credit did land, and records the credit instead', async () => {
    const r = await rig();
    const before = await balance(r);
    const { order: o } = await r.engine.createOrder({ accountNo: iot, amountFen: 5000 });
    await fault(t, { operation: 'gas.iot.credit', kind: 'error', status: 503, phase: 'after', count: 3 });
    await fault(t, { operation: 'gas.iot.credit.get', kind: 'error', status: 503, count: 3 });
    await pay(t, o.orderNo);
    expect((await r.engine.waitForRest(o.orderNo)).state).toBe('credit_pending');
    await clearFaults(t);
    const err = await rejection(r.engine.requestRefund(o.orderNo, 'test'));
    expect(err.reason).toBe('ALREADY_COMPLETE');
    expect(order(r, o.orderNo).state).toBe('credited');
    expect((await r.services.payment.queryOrder(o.orderNo)).tradeState).toBe('SUCCESS');
    expect(await balance(r)).toBe(before + 5000);
  });

  it('refuses a refund while the gas company cannot confirm the void (needs_attention, not refunded)', async () => {
    const r = await rig();
    const { order: o } = await r.engine.createOrder({ accountNo: iot, amountFen: 5000 });
    await fault(t, { operation: 'gas.iot.credit*', kind: 'error', status: 503, count: 30 });
    await fault(t, { operation: 'gas.void', kind: 'error', status: 503, count: 30 });
    await pay(t, o.orderNo);
    expect((await r.engine.waitForRest(o.orderNo)).state).toBe('credit_pending');
    expect((await rejection(r.engine.requestRefund(o.orderNo, 'test'))).reason).toBe('REFUND_UNSAFE');
    expect(order(r, o.orderNo)).toMatchObject({ state: 'needs_attention', attentionFrom: 'refund_requested' });
    expect((await r.services.payment.queryOrder(o.orderNo)).tradeState).toBe('SUCCESS');
  });

  it('escalates orders pending beyond the configured age, with an alert, and keeps retrying them', async () => {
    const r = await rig({ settings: { needsAttentionAfterMs: 1 } });
    const { order: o } = await r.engine.createOrder({ accountNo: iot, amountFen: 5000 });
    await fault(t, { operation: 'gas.iot.credit*', kind: 'error', status: 503, count: 100 });
    await pay(t, o.orderNo);
    expect((await r.engine.waitForRest(o.orderNo)).state).toBe('credit_pending');
    await r.engine.runRetryPass();
    expect(order(r, o.orderNo).state).toBe('needs_attention');
    expect(r.alerts).toHaveLength(1);
    expect(r.alerts[0]).toMatchObject({ orderNo: o.orderNo, from: 'credit_pending', kind: 'gas.needs_attention' });
    expect(r.engine.counts()).toMatchObject({ creditPending: 0, needsAttention: 1 });
    // Another failing pass: still needs_attention, no second alert.
    await r.engine.runRetryPass();
    expect(order(r, o.orderNo).state).toBe('needs_attention');
    expect(r.alerts).toHaveLength(1);
    await clearFaults(t);
    await r.engine.runRetryPass();
    expect(order(r, o.orderNo).state).toBe('credited');
  });
});
