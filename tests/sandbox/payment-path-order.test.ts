// The order a payment route's path names (sandbox PaymentBook.pathOrder), shared by query and close.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEADERS, postJson, startTestSandbox, type TestSandbox } from './fixture.js';

let t: TestSandbox;
beforeAll(async () => {
  t = await startTestSandbox();
});
afterAll(async () => {
  await t?.close();
});

describe('payment routes by out_trade_no', () => {
  it('query and close of an unknown order answer 404 ORDER_NOT_FOUND; a known one is found by both', async () => {
    const q = await fetch(`${t.url}/payment/v1/orders/NO-SUCH-ORDER`, { headers: HEADERS });
    expect(q.status).toBe(404);
    expect(((await q.json()) as { error: { code: string } }).error.code).toBe('ORDER_NOT_FOUND');
    const c = await postJson(`${t.url}/payment/v1/orders/NO-SUCH-ORDER/close`, {});
    expect(c.status).toBe(404);
    expect(c.body.error.code).toBe('ORDER_NOT_FOUND');

    const outTradeNo = `PATH${Date.now()}`;
    expect(
      (await postJson(`${t.url}/payment/v1/orders`, { outTradeNo, amountFen: 500, description: 'gas', expireSeconds: 600 }))
        .status,
    ).toBe(201);
    const found = await fetch(`${t.url}/payment/v1/orders/${outTradeNo}`, { headers: HEADERS });
    expect(((await found.json()) as { tradeState: string }).tradeState).toBe('NOTPAY');
    expect((await postJson(`${t.url}/payment/v1/orders/${outTradeNo}/close`, {})).body.tradeState).toBe('CLOSED');
  });
});
