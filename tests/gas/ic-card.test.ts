import { describe, expect, it } from 'vitest';
import { DEMO_GAS_ACCOUNTS } from '@kiosk/synthetic';
import { sandboxForFile } from '../sandbox/fixture.js';
import { FakeGasCardReader } from './fake-card.js';
import { clearFaults, fault, ledgerFor, order, pay, states, type EngineRig, enginesPerTest, rejection } from './harness.js';

// The card lives as long as the sandbox's account: one wallet for the whole file.
const t = sandboxForFile();
const reader = new FakeGasCardReader();
const { rig } = enginesPerTest(t, { reader });

const writesFor = (serial: string): number =>
  [...reader.wallet.values()].flatMap((c) => c.writes).filter((w) => w.serialNo === serial).length;

async function gasCompanyCount(r: EngineRig): Promise<number> {
  return (await r.services.gas.lookupAccount({ accountNo: DEMO_GAS_ACCOUNTS.icCard.accountNo })).purchaseCount ?? -1;
}

async function paidOrder(r: EngineRig, amountFen = 5000): Promise<string> {
  const read = await r.engine.readCard();
  expect(read.account.canTopUp).toBe(true);
  const { order: o } = await r.engine.createOrder({ amountFen });
  await pay(t, o.orderNo);
  return o.orderNo;
}

describe('IC-card top-up', () => {
  it('writes the card once, reports it, and the counters agree', async () => {
    const r = await rig();
    const card = reader.insert('icCard');
    const before = card.purchaseCount;
    const read = await r.engine.readCard();
    expect(read.card).toMatchObject({ cardNoMasked: '9100********0001', purchaseCount: before, pendingOrders: [] });
    expect(read.account).toMatchObject({ meterType: 'ic-card', needsCard: true, canTopUp: true });

    const { order: o } = await r.engine.createOrder({ amountFen: 5000 });
    expect(o.cardNoMasked).toBe('9100********0001');
    await pay(t, o.orderNo);
    const rest = await r.engine.waitForRest(o.orderNo);
    expect(rest.state).toBe('credited');
    expect(rest.purchaseCount).toBe(before + 1);
    expect(rest.message?.zh).toContain('插入燃气表');
    expect(card.purchaseCount).toBe(before + 1);
    expect(writesFor(o.orderNo)).toBe(1);
    expect(await gasCompanyCount(r)).toBe(before + 1);
    expect((await ledgerFor(t, o.orderNo))[0]?.status).toBe('written');
    expect(states(r, o.orderNo)).toEqual([
      'created',
      'awaiting_payment',
      'step:payment_created',
      'paid',
      'crediting',
      'step:purchase_recorded',
      'step:card_write',
      'step:card_written',
      'credited',
    ]);
    expect(order(r, o.orderNo).gasReport).toBe('done');
    const slip = await r.engine.printSlip(o.orderNo);
    expect(slip.order.state).toBe('done');
    expect(JSON.stringify(r.printer.printed.at(-1))).toContain('购气次数');
  });

  it('card pulled mid-write (write did not take) → credit_pending, slip, then 补写卡 writes exactly once', async () => {
    const r = await rig();
    const card = reader.insert('icCard');
    const before = card.purchaseCount;
    reader.removeMidWrite = { applied: false };
    const no = await paidOrder(r);
    const rest = await r.engine.waitForRest(no);
    expect(rest.state).toBe('credit_pending');
    expect(rest.message?.zh).toContain('补写卡');
    expect(card.purchaseCount).toBe(before);
    expect((await r.engine.printSlip(no)).kind).toBe('pending');
    expect(r.engine.counts().creditPending).toBe(1);

    // A retry pass without the card changes nothing and writes nothing.
    const historyBefore = r.journal.history(no).length;
    await r.engine.runRetryPass();
    expect(r.journal.history(no)).toHaveLength(historyBefore);

    reader.insert('icCard');
    const read = await r.engine.readCard();
    expect(read.card.pendingOrders).toEqual([no]);
    expect(read.account.canTopUp).toBe(false);
    expect(read.account.reason?.reason).toBe('PENDING_CARD_WRITE');
    expect((await rejection(r.engine.createOrder({ amountFen: 5000 }))).reason).toBe('PENDING_CARD_WRITE');

    const done = await r.engine.finishPending(no);
    expect(done.order.state).toBe('credited');
    expect(card.purchaseCount).toBe(before + 1);
    expect(writesFor(no)).toBe(1);
    expect(await gasCompanyCount(r)).toBe(before + 1);
    // Finishing again is harmless.
    expect((await r.engine.finishPending(no)).alreadyComplete).toBe(true);
    expect(writesFor(no)).toBe(1);
  });

  it('card pulled mid-write after the write took → 补写卡 sees the counter and does not write again', async () => {
    const r = await rig();
    const card = reader.insert('icCard');
    const before = card.purchaseCount;
    reader.removeMidWrite = { applied: true };
    const no = await paidOrder(r);
    expect((await r.engine.waitForRest(no)).state).toBe('credit_pending');
    expect(card.purchaseCount).toBe(before + 1);
    reader.insert('icCard');
    const calls = reader.writeCalls;
    const done = await r.engine.finishPending(no);
    expect(done.order.state).toBe('credited');
    expect(reader.writeCalls).toBe(calls);
    expect(writesFor(no)).toBe(1);
    expect(await gasCompanyCount(r)).toBe(before + 1);
  });

  it('no answer to the write but the card is still there: re-read, report the failed write, pending', async () => {
    const r = await rig();
    const card = reader.insert('icCard');
    const before = card.purchaseCount;
    reader.removeMidWrite = { applied: false, keepCard: true };
    const no = await paidOrder(r);
    expect((await r.engine.waitForRest(no)).state).toBe('credit_pending');
    expect(order(r, no).gasReport).toBe('failed');
    expect((await ledgerFor(t, no))[0]?.status).toBe('write_failed');
    const done = await r.engine.finishPending(no);
    expect(done.order.state).toBe('credited');
    expect(card.purchaseCount).toBe(before + 1);
    expect((await ledgerFor(t, no))[0]?.status).toBe('written');
  });

  it('the card was taken away before the credit: pending, and 补写卡 needs the right card', async () => {
    const r = await rig({ settings: { paymentPollMs: 60_000 } });
    const card = reader.insert('icCard');
    const before = card.purchaseCount;
    await r.engine.readCard();
    const { order: o } = await r.engine.createOrder({ amountFen: 3000 });
    reader.remove();
    await pay(t, o.orderNo);
    // Cancel wakes the watcher; the close loses to the payment: paid, then no card.
    await r.engine.cancel(o.orderNo);
    expect(order(r, o.orderNo).state).toBe('credit_pending');
    expect(order(r, o.orderNo).icPurchaseId).not.toBeNull();

    reader.insert('icCardNew');
    expect((await rejection(r.engine.finishPending(o.orderNo))).reason).toBe('WRONG_CARD');
    reader.remove();
    reader.insert('icCard');
    expect((await r.engine.finishPending(o.orderNo)).order.state).toBe('credited');
    expect(card.purchaseCount).toBe(before + 1);
    expect(writesFor(o.orderNo)).toBe(1);
  });

  it('another kiosk can finish a pending card top-up (补写卡 at any kiosk), once', async () => {
    const a = await rig();
    const card = reader.insert('icCard');
    const before = card.purchaseCount;
    reader.removeMidWrite = { applied: false };
    const no = await paidOrder(a);
    expect((await a.engine.waitForRest(no)).state).toBe('credit_pending');

    const b = await rig({ kioskId: 'TEST-GAS-02' });
    reader.insert('icCard');
    const done = await b.engine.finishPending(`KIOSK-GAS-PENDING:${no}`);
    expect(done.order.state).toBe('credited');
    expect(order(b, no)).toMatchObject({ kioskId: 'TEST-GAS-02', originKioskId: 'TEST-GAS-01' });
    expect(writesFor(no)).toBe(1);

    // The kiosk where it was paid learns it was finished elsewhere, without the card.
    reader.remove();
    await a.engine.runRetryPass();
    expect(order(a, no).state).toBe('credited');
    expect(card.purchaseCount).toBe(before + 1);
    expect(writesFor(no)).toBe(1);
  });

  it('refuses 补写卡 for unknown or unpaid orders', async () => {
    const r = await rig();
    expect((await rejection(r.engine.finishPending('GT20260101000000XXXXXX'))).reason).toBe('ORDER_NOT_FOUND');
    reader.insert('icCard');
    await r.engine.readCard();
    const { order: o } = await r.engine.createOrder({ amountFen: 5000 });
    await r.engine.cancel(o.orderNo);
    expect((await rejection(r.engine.finishPending(o.orderNo))).reason).toBe('ORDER_NOT_PAID');
  });

  it('a card whose counter disagrees with the gas company cannot be topped up', async () => {
    const r = await rig();
    const card = reader.insert('icCard');
    card.purchaseCount += 5;
    try {
      const read = await r.engine.readCard();
      expect(read.account.canTopUp).toBe(false);
      expect(read.account.reason?.reason).toBe('CARD_COUNTER_MISMATCH');
      expect((await rejection(r.engine.createOrder({ amountFen: 5000 }))).reason).toBe('CARD_COUNTER_MISMATCH');
    } finally {
      card.purchaseCount -= 5;
    }
  });

  it('an IC account typed on the keypad needs the card', async () => {
    const r = await rig();
    expect(
      (await rejection(r.engine.createOrder({ accountNo: DEMO_GAS_ACCOUNTS.icCard.accountNo, amountFen: 5000 }))).reason,
    ).toBe('CARD_REQUIRED');
  });

  it('a lost reply to the write report is retried in the background; the order is credited at once', async () => {
    const r = await rig();
    reader.insert('icCard');
    await fault(t, { operation: 'gas.ic.report', kind: 'error', status: 503, phase: 'after', count: 3 });
    const no = await paidOrder(r);
    expect((await r.engine.waitForRest(no)).state).toBe('credited');
    expect(order(r, no).gasReport).toBe('pending');
    await clearFaults(t);
    await r.engine.runRetryPass();
    expect(order(r, no).gasReport).toBe('done');
    expect((await ledgerFor(t, no))[0]?.status).toBe('written');
    expect(writesFor(no)).toBe(1);
  });
});
