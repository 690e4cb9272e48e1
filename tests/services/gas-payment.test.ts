import express from 'express';
import type { AddressInfo } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { createPaymentsControlRouter } from '../../apps/simulators/src/payments-control.js';
import { DEMO_GAS_ACCOUNTS } from '@kiosk/synthetic';
import { chinaDate } from '@kiosk/platform';
import { createServices, UpstreamError, type Services } from '../../apps/agent/src/services/index.js';
import { postJson, sandboxForFile, startTestSandbox } from '../sandbox/fixture.js';
import { rejectedWith } from '../helpers/rejection.js';

const t = sandboxForFile({ clearFaults: true });
let sv: Services;
beforeAll(() => {
  sv = createServices({
    baseUrl: t.url,
    timeoutMs: 2000,
    kioskId: 'TEST-KIOSK-03',
    retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 },
  });
});

const failure = (p: Promise<unknown>): Promise<UpstreamError> => rejectedWith(UpstreamError, p);

let serialCounter = 0;
const serial = () => `K03-${Date.now().toString(36)}-${++serialCounter}`;

describe('gas company', () => {
  it('looks an account up by number or by card, with the holder masked', async () => {
    const iot = await sv.gas.lookupAccount({ accountNo: DEMO_GAS_ACCOUNTS.iot.accountNo });
    expect(iot).toMatchObject({ meterType: 'iot', status: 'normal', cardNo: null, company: '昆仑燃气咸宁分公司' });
    expect(iot.holderNameMasked).toContain('*');
    expect(iot.balanceFen).toBeTypeOf('number');
    expect(iot.limits.minAmountFen).toBeLessThan(iot.limits.maxAmountFen);

    const arrears = await sv.gas.lookupAccount({ accountNo: DEMO_GAS_ACCOUNTS.iotArrears.accountNo });
    expect(arrears.arrearsFen).toBe(2350);

    const ic = await sv.gas.lookupAccount({ cardNo: DEMO_GAS_ACCOUNTS.icCard.cardNo });
    expect(ic).toMatchObject({
      meterType: 'ic-card',
      accountNo: DEMO_GAS_ACCOUNTS.icCard.accountNo,
      purchaseCount: 7,
      balanceFen: null,
    });
    expect(ic.lastPurchase?.purchaseCount).toBe(7);
    expect(ic.allowanceFen).toBeGreaterThan(0);

    const missing = await failure(sv.gas.lookupAccount({ accountNo: '8899999999' }));
    expect(missing.code).toBe('NOT_FOUND');
    expect(missing.citizen.zh).toContain('未找到该燃气户号');
  });

  it('credits an IoT meter exactly once per serial number', async () => {
    const accountNo = DEMO_GAS_ACCOUNTS.iot.accountNo;
    const before = (await sv.gas.lookupAccount({ accountNo })).balanceFen!;
    const req = { serialNo: serial(), accountNo, amountFen: 5000, paymentOrderNo: 'ORDER-A1' };
    const first = await sv.gas.remoteCredit(req);
    expect(first).toMatchObject({ status: 'credited', duplicate: false, balanceAfterFen: before + 5000 });
    const second = await sv.gas.remoteCredit(req);
    expect(second.duplicate).toBe(true);
    expect(second.creditId).toBe(first.creditId);
    expect((await sv.gas.lookupAccount({ accountNo })).balanceFen).toBe(before + 5000);
    expect(await sv.gas.getRemoteCredit(req.serialNo)).toMatchObject({ creditId: first.creditId, amountFen: 5000 });
    expect(await sv.gas.getRemoteCredit('never-used-serial')).toBeNull();

    const conflict = await failure(sv.gas.remoteCredit({ ...req, amountFen: 9000 }));
    expect(conflict.code).toBe('REJECTED');
    expect(conflict.upstreamCode).toBe('SERIAL_CONFLICT');
  });

  it('a lost reply is retried with the same serial and still credits once', async () => {
    const accountNo = DEMO_GAS_ACCOUNTS.iot.accountNo;
    const before = (await sv.gas.lookupAccount({ accountNo })).balanceFen!;
    // The sandbox credits, then answers 503 as if the reply was lost.
    await postJson(`${t.url}/admin/faults`, {
      operation: 'gas.iot.credit',
      kind: 'error',
      status: 503,
      phase: 'after',
      count: 1,
    });
    const r = await sv.gas.remoteCredit({ serialNo: serial(), accountNo, amountFen: 2000, paymentOrderNo: 'ORDER-A2' });
    expect(r.duplicate).toBe(true);
    expect((await sv.gas.lookupAccount({ accountNo })).balanceFen).toBe(before + 2000);
  });

  it('enforces amount limits, suspension and meter type', async () => {
    expect(
      (
        await failure(
          sv.gas.remoteCredit({
            serialNo: serial(),
            accountNo: DEMO_GAS_ACCOUNTS.iot.accountNo,
            amountFen: 500,
            paymentOrderNo: 'O',
          }),
        )
      ).upstreamCode,
    ).toBe('AMOUNT_OUT_OF_RANGE');
    const suspended = await failure(
      sv.gas.remoteCredit({
        serialNo: serial(),
        accountNo: DEMO_GAS_ACCOUNTS.suspended.accountNo,
        amountFen: 5000,
        paymentOrderNo: 'O',
      }),
    );
    expect(suspended.upstreamCode).toBe('ACCOUNT_SUSPENDED');
    expect(suspended.citizen.zh).toContain('已停用');
    expect(
      (
        await failure(
          sv.gas.remoteCredit({
            serialNo: serial(),
            accountNo: DEMO_GAS_ACCOUNTS.icCard.accountNo,
            amountFen: 5000,
            paymentOrderNo: 'O',
          }),
        )
      ).upstreamCode,
    ).toBe('NOT_IOT_METER');
    const cap = await failure(
      sv.gas.createIcPurchase({
        serialNo: serial(),
        accountNo: DEMO_GAS_ACCOUNTS.icCardNew.accountNo,
        cardNo: DEMO_GAS_ACCOUNTS.icCardNew.cardNo,
        amountFen: 40_000,
        cardPurchaseCount: 0,
        paymentOrderNo: 'O',
      }),
    );
    expect(cap.upstreamCode).toBe('ALLOWANCE_EXCEEDED');
  });

  it('IC card: purchase → failed write → 补写卡 with the same write data → written', async () => {
    const { accountNo, cardNo } = DEMO_GAS_ACCOUNTS.icCard;
    const account = await sv.gas.lookupAccount({ cardNo });
    const count = account.purchaseCount!;
    const s1 = serial();
    const purchase = {
      serialNo: s1,
      accountNo,
      cardNo,
      amountFen: 10_000,
      cardPurchaseCount: count,
      paymentOrderNo: 'ORDER-IC1',
    };
    const p = await sv.gas.createIcPurchase(purchase);
    expect(p.status).toBe('awaiting_write');
    expect(p.write).toMatchObject({ cardNo, purchaseCount: count + 1, amountFen: 10_000 });
    expect(p.write.mac).toMatch(/^[0-9A-F]{16}$/);
    // The same request again is recognised as a repeat.
    expect((await sv.gas.createIcPurchase(purchase)).duplicate).toBe(true);

    const blocked = await failure(
      sv.gas.createIcPurchase({
        serialNo: serial(),
        accountNo,
        cardNo,
        amountFen: 5_000,
        cardPurchaseCount: count,
        paymentOrderNo: 'ORDER-IC2',
      }),
    );
    expect(blocked.upstreamCode).toBe('PENDING_CARD_WRITE');

    const failed = await sv.gas.reportCardWrite(s1, { result: 'failed', purchaseCountAfter: count });
    expect(failed.status).toBe('write_failed');
    const again = await sv.gas.getIcPurchase(s1);
    expect(again?.write).toEqual(p.write);

    const wrong = await failure(sv.gas.reportCardWrite(s1, { result: 'written', purchaseCountAfter: count }));
    expect(wrong.upstreamCode).toBe('COUNTER_MISMATCH');
    const written = await sv.gas.reportCardWrite(s1, { result: 'written', purchaseCountAfter: count + 1, cardImage: 'A0B1C2' });
    expect(written.status).toBe('written');
    expect((await sv.gas.reportCardWrite(s1, { result: 'written', purchaseCountAfter: count + 1 })).duplicate).toBe(true);

    const after = await sv.gas.lookupAccount({ accountNo });
    expect(after.purchaseCount).toBe(count + 1);
    expect(after.lastPurchase).toMatchObject({ amountFen: 10_000, purchaseCount: count + 1 });
    expect(after.allowanceFen).toBe(account.allowanceFen! - 10_000);

    const ledger = await sv.gas.ledger(chinaDate(new Date()));
    const entry = ledger.entries.find((e) => e.serialNo === s1);
    expect(entry).toMatchObject({
      kind: 'ic_purchase',
      status: 'written',
      amountFen: 10_000,
      kioskId: 'TEST-KIOSK-03',
      paymentOrderNo: 'ORDER-IC1',
    });
    expect(ledger.entries.some((e) => e.kind === 'iot_credit')).toBe(true);
    expect(ledger.totals.amountFen).toBe(ledger.entries.reduce((s, e) => s + e.amountFen, 0));
    expect((await sv.gas.ledger('2001-01-01')).entries).toEqual([]);
  });
});

describe('payment provider', () => {
  let tradeCounter = 0;
  const tradeNo = () => `T03${Date.now().toString(36)}${++tradeCounter}`;

  it('NOTPAY → USERPAYING (page opened) → SUCCESS via the /pay page, then refund', async () => {
    const outTradeNo = tradeNo();
    const order = await sv.payment.createOrder({
      outTradeNo,
      amountFen: 5000,
      description: '天然气充值 户号8800100001',
      expireSeconds: 120,
    });
    expect(order.tradeState).toBe('NOTPAY');
    expect(order.codeUrl).toBe(`${t.url}/pay/${order.orderId}`);
    expect(
      (
        await sv.payment.createOrder({
          outTradeNo,
          amountFen: 5000,
          description: '天然气充值 户号8800100001',
          expireSeconds: 120,
        })
      ).orderId,
    ).toBe(order.orderId);
    const reused = await failure(
      sv.payment.createOrder({ outTradeNo, amountFen: 6000, description: '天然气充值 户号8800100001' }),
    );
    expect(reused.upstreamCode).toBe('OUT_TRADE_NO_USED');

    const page = await fetch(order.codeUrl, { headers: { accept: 'text/html' } });
    const html = await page.text();
    expect(html).toContain('支付 ¥50.00 / Pay ¥50.00');
    expect((await sv.payment.queryOrder(outTradeNo)).tradeState).toBe('USERPAYING');

    // The button is a plain form POST, as any browser on the machine would send it.
    const paid = await fetch(order.codeUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: '',
    });
    expect(paid.status).toBe(200);
    expect(await paid.text()).toContain('支付成功');
    const q = await sv.payment.queryOrder(outTradeNo);
    expect(q.tradeState).toBe('SUCCESS');
    expect(q.transactionId).toMatch(/^4200\d{24}$/);

    const close = await failure(sv.payment.closeOrder(outTradeNo));
    expect(close.upstreamCode).toBe('ORDER_PAID');

    const refund = await sv.payment.refund({ outTradeNo, outRefundNo: `R${outTradeNo}`, amountFen: 5000, reason: 'test' });
    expect(refund.status).toBe('SUCCESS');
    expect((await sv.payment.refund({ outTradeNo, outRefundNo: `R${outTradeNo}`, amountFen: 5000 })).refundId).toBe(
      refund.refundId,
    );
    expect(await sv.payment.queryOrder(outTradeNo)).toMatchObject({ tradeState: 'REFUND', refundedFen: 5000 });
    const over = await failure(sv.payment.refund({ outTradeNo, outRefundNo: `R2${outTradeNo}`, amountFen: 1 }));
    expect(over.upstreamCode).toBe('REFUND_EXCEEDS_PAID');
    expect(await sv.payment.queryRefund(`R${outTradeNo}`)).toMatchObject({ amountFen: 5000 });
    expect(await sv.payment.queryRefund('no-such-refund')).toBeNull();

    const bill = await sv.payment.bill(chinaDate(new Date()));
    expect(
      bill.rows
        .filter((r) => r.outTradeNo === outTradeNo)
        .map((r) => r.type)
        .sort(),
    ).toEqual(['payment', 'refund']);
    expect(bill.totals.paymentFen).toBe(bill.rows.filter((r) => r.type === 'payment').reduce((s, r) => s + r.amountFen, 0));
  });

  it('closes only unpaid orders; a closed order cannot be paid; unpaid cannot be refunded', async () => {
    const outTradeNo = tradeNo();
    const order = await sv.payment.createOrder({ outTradeNo, amountFen: 10_000, description: '天然气充值' });
    const notPaid = await failure(sv.payment.refund({ outTradeNo, outRefundNo: `R${outTradeNo}`, amountFen: 100 }));
    expect(notPaid.upstreamCode).toBe('ORDER_NOT_PAID');
    expect((await sv.payment.closeOrder(outTradeNo)).tradeState).toBe('CLOSED');
    expect((await sv.payment.closeOrder(outTradeNo)).tradeState).toBe('CLOSED');
    const page = await fetch(order.codeUrl, { method: 'POST', headers: { accept: 'text/html' } });
    expect(page.status).toBe(409);
    expect(await page.text()).toContain('该订单已无法支付');
    expect((await sv.payment.queryOrder(outTradeNo)).tradeState).toBe('CLOSED');
    expect((await failure(sv.payment.queryOrder('never-created'))).code).toBe('NOT_FOUND');
  });

  it('the simulator control router lists open orders and settles them (pay, fail, close)', async () => {
    const app = express();
    app.use(express.json());
    app.use(createPaymentsControlRouter(t.url));
    const server = app.listen(0, '127.0.0.1');
    await new Promise<void>((r) => server.once('listening', () => r()));
    const control = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const a = await sv.payment.createOrder({ outTradeNo: tradeNo(), amountFen: 2000, description: 'a' });
      const b = await sv.payment.createOrder({ outTradeNo: tradeNo(), amountFen: 3000, description: 'b' });
      const c = await sv.payment.createOrder({ outTradeNo: tradeNo(), amountFen: 4000, description: 'c' });
      const list = (await (await fetch(`${control}/payments`)).json()) as { orders: { orderId: string }[] };
      expect(list.orders.map((o) => o.orderId)).toEqual(expect.arrayContaining([a.orderId, b.orderId, c.orderId]));

      const settle = (id: string, result: string) =>
        postJson(`${control}/payments/${id}`, { result }, { 'content-type': 'application/json' });
      expect((await settle(a.orderId, 'pay')).body.tradeState).toBe('SUCCESS');
      expect((await settle(b.orderId, 'fail')).body.tradeState).toBe('PAYERROR');
      expect((await settle(c.orderId, 'close')).body.tradeState).toBe('CLOSED');
      expect((await settle(a.orderId, 'close')).status).toBe(409);
      expect((await settle(a.orderId, 'bogus')).status).toBe(400);
      expect((await settle('PO20260101AAAAAAAAAA', 'pay')).status).toBe(404);

      expect((await sv.payment.queryOrder(a.outTradeNo)).tradeState).toBe('SUCCESS');
      expect((await sv.payment.queryOrder(b.outTradeNo)).tradeState).toBe('PAYERROR');
      // A failed payment is unpaid and can be closed.
      expect((await sv.payment.closeOrder(b.outTradeNo)).tradeState).toBe('CLOSED');
      const after = (await (await fetch(`${control}/payments`)).json()) as { orders: { orderId: string }[] };
      expect(after.orders.map((o) => o.orderId)).not.toContain(a.orderId);
    } finally {
      server.close();
    }
  });
});

describe('payment expiry', () => {
  it('an unpaid order past its expiry reads as CLOSED and can no longer be paid', async () => {
    let now = new Date('2026-06-30T02:00:00.000Z');
    const clockSandbox = await startTestSandbox({ now: () => now });
    try {
      const s = createServices({ baseUrl: clockSandbox.url, timeoutMs: 2000, kioskId: 'K-EXP' });
      const order = await s.payment.createOrder({
        outTradeNo: 'EXPIRE-0001',
        amountFen: 1000,
        description: 'x',
        expireSeconds: 120,
      });
      expect(order.expiresAt).toBe('2026-06-30T02:02:00.000Z');
      now = new Date('2026-06-30T02:01:59.000Z');
      expect((await s.payment.queryOrder('EXPIRE-0001')).tradeState).toBe('NOTPAY');
      now = new Date('2026-06-30T02:02:00.000Z');
      const closed = await s.payment.queryOrder('EXPIRE-0001');
      expect(closed.tradeState).toBe('CLOSED');
      expect(closed.closedAt).toBe('2026-06-30T02:02:00.000Z');
      const pay = await fetch(order.codeUrl, { method: 'POST', headers: { accept: 'application/json' } });
      expect(pay.status).toBe(409);
    } finally {
      await clockSandbox.close();
    }
  });
});
