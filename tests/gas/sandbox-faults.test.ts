/**
 * The sandbox's money upstreams misbehave the way real ones do, on demand: void (冲正), a credit
 * that lands after the client gave up, a credit whose answer is lost, a payment that wins the
 * race against the kiosk's close, and PAYERROR that is not final.
 */
import { describe, expect, it } from 'vitest';
import { DEMO_GAS_ACCOUNTS } from '@kiosk/synthetic';
import { HEADERS, postJson, sandboxForFile } from '../sandbox/fixture.js';
import { heldCalls, moneyFault } from './harness.js';

const t = sandboxForFile({ clearFaults: true, clearMoneyFaults: true });

const iot = DEMO_GAS_ACCOUNTS.iot.accountNo;
let n = 0;
const serial = (): string => `GTFAULT${Date.now()}${(n++).toString().padStart(3, '0')}`;
const credit = (serialNo: string, signal?: AbortSignal) =>
  fetch(`${t.url}/gas/v1/iot/credits`, {
    method: 'POST',
    headers: HEADERS,
    body: JSON.stringify({ serialNo, accountNo: iot, amountFen: 1000, paymentOrderNo: serialNo }),
    ...(signal ? { signal } : {}),
  });
const getCredit = (serialNo: string) => fetch(`${t.url}/gas/v1/iot/credits/${serialNo}`, { headers: HEADERS });
const waitHeld = async (): Promise<void> => {
  while ((await heldCalls(t)) > 0) await new Promise((r) => setTimeout(r, 20));
};

describe('gas company void (冲正)', () => {
  it('answers never_credited for an unknown serial and then refuses a credit under it', async () => {
    const s = serial();
    const v = await postJson(`${t.url}/gas/v1/voids`, { serialNo: s, reason: 'refund' });
    expect(v.status).toBe(201);
    expect(v.body).toMatchObject({ serialNo: s, result: 'never_credited', kind: null, duplicate: false });
    const again = await postJson(`${t.url}/gas/v1/voids`, { serialNo: s });
    expect(again.body).toMatchObject({ result: 'never_credited', duplicate: true });
    const c = await credit(s);
    expect(c.status).toBe(409);
    expect(((await c.json()) as { error: { code: string } }).error.code).toBe('SERIAL_VOIDED');
  });

  it('cannot void a credit that was applied', async () => {
    const s = serial();
    expect((await credit(s)).status).toBe(201);
    const v = await postJson(`${t.url}/gas/v1/voids`, { serialNo: s });
    expect(v.status).toBe(409);
    expect(v.body.error.code).toBe('ALREADY_CREDITED');
  });

  it('voids an IC purchase that was not written, and then refuses its write report', async () => {
    const s = serial();
    const acct = await postJson(`${t.url}/gas/v1/accounts/query`, { accountNo: DEMO_GAS_ACCOUNTS.icCardNew.accountNo });
    const p = await postJson(`${t.url}/gas/v1/ic/purchases`, {
      serialNo: s,
      accountNo: DEMO_GAS_ACCOUNTS.icCardNew.accountNo,
      cardNo: DEMO_GAS_ACCOUNTS.icCardNew.cardNo,
      amountFen: 1000,
      cardPurchaseCount: acct.body.purchaseCount,
      paymentOrderNo: s,
    });
    expect(p.status).toBe(201);
    const v = await postJson(`${t.url}/gas/v1/voids`, { serialNo: s });
    expect(v.body).toMatchObject({ result: 'voided', kind: 'ic_purchase' });
    const got = await fetch(`${t.url}/gas/v1/ic/purchases/${s}`, { headers: HEADERS });
    expect(((await got.json()) as { status: string }).status).toBe('voided');
    const rep = await postJson(`${t.url}/gas/v1/ic/purchases/${s}/report`, {
      result: 'written',
      purchaseCountAfter: p.body.write.purchaseCount,
    });
    expect(rep.status).toBe(409);
    expect(rep.body.error.code).toBe('PURCHASE_VOIDED');
  });
});

describe('credit faults', () => {
  it('credit_late: the client times out, the credit still lands later', async () => {
    await moneyFault(t, { mode: 'credit_late', delayMs: 600, target: 'iot', count: 1 });
    const s = serial();
    await expect(credit(s, AbortSignal.timeout(100))).rejects.toThrow();
    expect((await getCredit(s)).status).toBe(404);
    await waitHeld();
    expect((await getCredit(s)).status).toBe(200);
  });

  it('credit_late: a void while the credit is held makes it impossible', async () => {
    await moneyFault(t, { mode: 'credit_late', delayMs: 600, target: 'iot', count: 1 });
    const s = serial();
    await expect(credit(s, AbortSignal.timeout(100))).rejects.toThrow();
    expect((await postJson(`${t.url}/gas/v1/voids`, { serialNo: s })).body.result).toBe('never_credited');
    await waitHeld();
    expect((await getCredit(s)).status).toBe(404);
  });

  it('credit_answer_late: applied at once, the answer held (appliedHeld lists it meanwhile)', async () => {
    await moneyFault(t, { mode: 'credit_answer_late', delayMs: 400, target: 'iot' });
    const s = serial();
    const pending = credit(s);
    await expect
      .poll(
        async () =>
          ((await (await fetch(`${t.url}/admin/money-faults`)).json()) as { appliedHeld: unknown[] }).appliedHeld.length,
      )
      .toBe(1);
    expect((await getCredit(s)).status).toBe(200);
    expect((await pending).status).toBe(201);
    const after = (await (await fetch(`${t.url}/admin/money-faults`)).json()) as { appliedHeld: unknown[] };
    expect(after.appliedHeld).toEqual([]);
  });

  it('credit_answer_lost: applied, no answer', async () => {
    await moneyFault(t, { mode: 'credit_answer_lost', target: 'iot', count: 1 });
    const s = serial();
    await expect(credit(s)).rejects.toThrow();
    expect((await getCredit(s)).status).toBe(200);
  });

  it('void_unknown: no answer; applied=true voids first', async () => {
    await moneyFault(t, { mode: 'void_unknown', count: 1, applied: true });
    const s = serial();
    await expect(
      fetch(`${t.url}/gas/v1/voids`, { method: 'POST', headers: HEADERS, body: JSON.stringify({ serialNo: s }) }),
    ).rejects.toThrow();
    expect((await credit(s)).status).toBe(409);
  });
});

describe('payment races', () => {
  async function order(): Promise<string> {
    const s = serial();
    const r = await postJson(`${t.url}/payment/v1/orders`, {
      outTradeNo: s,
      amountFen: 1000,
      description: 'gas',
      expireSeconds: 600,
    });
    expect(r.status).toBe(201);
    return s;
  }

  it('PAYERROR is not final: the buyer can still pay until the order is closed', async () => {
    const s = await order();
    expect((await postJson(`${t.url}/admin/payments/${s}`, { result: 'fail' })).body.tradeState).toBe('PAYERROR');
    expect((await postJson(`${t.url}/admin/payments/${s}`, { result: 'pay' })).body.tradeState).toBe('SUCCESS');
    const s2 = await order();
    await postJson(`${t.url}/admin/payments/${s2}`, { result: 'fail' });
    expect((await postJson(`${t.url}/payment/v1/orders/${s2}/close`, {})).body.tradeState).toBe('CLOSED');
    expect((await postJson(`${t.url}/admin/payments/${s2}`, { result: 'pay' })).status).toBe(409);
  });

  it('pay_during_close: the close finds the order paid', async () => {
    const s = await order();
    await moneyFault(t, { mode: 'pay_during_close', outTradeNo: s });
    const c = await postJson(`${t.url}/payment/v1/orders/${s}/close`, {});
    expect(c.status).toBe(409);
    expect(c.body.error.code).toBe('ORDER_PAID');
    const q = await fetch(`${t.url}/payment/v1/orders/${s}`, { headers: HEADERS });
    expect(((await q.json()) as { tradeState: string }).tradeState).toBe('SUCCESS');
  });

  it('rejects an unknown mode with a clear error', async () => {
    const r = await postJson(`${t.url}/admin/money-faults`, { mode: 'nonsense' });
    expect(r.status).toBe(400);
  });
});
