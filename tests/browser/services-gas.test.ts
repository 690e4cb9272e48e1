/**
 * 燃气充值 in the browser against the full stack: the sandbox upstream (gas company + payment
 * provider), the agent with the session's gas flow and the gas module, the production gas card and
 * printer drivers over socat ptys against their simulators, and headless Chromium.
 *
 * Journeys: IoT account typed on the keypad; IC card placed and written; payment timeout (order
 * closed, nothing charged); card pulled mid-write → credit_pending + pending slip → 补写卡 later
 * completes it exactly once.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../apps/agent/src/agent.js';
import { getGasApi } from '../../apps/agent/src/gas/module.js';
import { settlePayment } from '../../apps/simulators/src/payments-control.js';
import { DEMO_GAS_ACCOUNTS } from '@kiosk/synthetic';
import type { Services } from '../../apps/agent/src/services/index.js';
import type { GasCardSimulator } from '../../apps/simulators/src/gascard/index.js';
import type { ReceiptView } from '../../apps/simulators/src/printer/simulator.js';
import { startGasKiosk, type GasKiosk } from '../helpers/gas-kiosk.js';
import type { TestSandbox } from '../sandbox/fixture.js';
import { checkScreen, onScreen, skipRatingAndLeave } from './kiosk.js';

let kiosk: GasKiosk;
let t: TestSandbox;
let agent: Agent;
let gascard: GasCardSimulator;
let page: Page;
let services: Services;

/** Short enough to watch one run out, long enough to pay in the other journeys. */
const COUNTDOWN_S = 8;

const control = (method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown) => kiosk.rig.control(method, path, body);
const receipts = async (): Promise<ReceiptView[]> => (await control('GET', '/printer/receipts')) as ReceiptView[];
const flat = (s: string): string => s.replace(/\s+/g, '');
const tap = (id: string) => page.getByTestId(id).click();
const gas = () => getGasApi(agent.context)!;

beforeAll(async () => {
  kiosk = await startGasKiosk({
    retry: { maxAttempts: 2, baseDelayMs: 10 },
    config: (c) => {
      c.gas.paymentPollMs = 150;
      c.gas.paymentCountdownSeconds = COUNTDOWN_S;
    },
  });
  ({ sandbox: t, services, page } = kiosk);
  agent = kiosk.rig.agent;
  gascard = kiosk.rig.gascard!;
}, 90_000);

afterAll(async () => {
  await kiosk?.stop();
});

async function beginGas(): Promise<void> {
  await onScreen(page, 'attract');
  await tap('attract-start');
  await onScreen(page, 'home');
  await tap('tile-gas');
  await onScreen(page, 'service', 'start');
}

const finishSession = (): Promise<void> => skipRatingAndLeave(page, 'finish');

async function typeDigits(digits: string): Promise<void> {
  for (const d of digits) await page.locator(`[data-testid="keypad"] [data-key="${d}"]`).first().click();
}

/** Types on the on-screen keyboard, switching between letters and digits as needed. */
async function typeKeyboard(text: string): Promise<void> {
  let mode: 'letters' | 'digits' = 'letters';
  for (const ch of text) {
    const want = /\d/.test(ch) ? 'digits' : 'letters';
    if (want !== mode) {
      await page.locator('[data-testid="keyboard"] [data-key="mode"]').click();
      mode = want;
    }
    await page.locator(`[data-testid="keyboard"] [data-key="${ch}"]`).click();
  }
}

/** Confirm → pay screen; returns the order number shown with the QR code. */
async function payScreen(): Promise<string> {
  await onScreen(page, 'service', 'confirm');
  await tap('gas-pay');
  await onScreen(page, 'service', 'paying');
  const no = (await page.getByTestId('gas-qr').getAttribute('data-order'))!;
  expect(no).toMatch(/^GT\d{14}[0-9A-Z]{6}$/);
  expect(await page.locator('[data-testid="gas-qr"] svg').count()).toBe(1);
  return no;
}

describe('gas top-up journeys', () => {
  it('IoT account: keypad → account → ¥100.00 → QR → paid → credited → receipt printed', async () => {
    await beginGas();
    await checkScreen(page, 'services-gas-start');
    await typeDigits(DEMO_GAS_ACCOUNTS.iot.accountNo);
    await tap('gas-lookup');
    await onScreen(page, 'service', 'account');
    expect(await page.getByTestId('gas-account-no').textContent()).toBe('88001***01');
    expect(await page.getByTestId('gas-holder').textContent()).toMatch(/\*/);
    expect(await page.getByTestId('gas-balance').textContent()).toBe('¥86.50');
    expect(await page.getByTestId('gas-meter').textContent()).toContain('物联网表');
    expect(await page.getByTestId('gas-arrears').textContent()).toBe('无欠费');
    // Presets from config gas.presetsFen, as money.
    for (const fen of [5000, 10000, 20000, 50000])
      expect(await page.getByTestId(`gas-amount-${fen}`).textContent()).toBe(`¥${fen / 100}.00`);
    await tap('gas-amount-10000');
    await expect.poll(() => page.getByTestId('gas-amount-10000').getAttribute('aria-pressed')).toBe('true');
    await checkScreen(page, 'services-gas-account');
    await tap('gas-next');
    expect(await page.getByTestId('gas-confirm-amount').textContent()).toBe('¥100.00');
    const no = await payScreen();
    expect(await page.getByTestId('gas-pay-amount').textContent()).toBe('¥100.00');
    expect(await page.getByTestId('gas-merchant').textContent()).toBe('昆仑燃气咸宁分公司');
    expect(await page.getByTestId('gas-pay-countdown').textContent()).toMatch(/剩余支付时间 0:0\d/);
    // While the QR is shown the money step is in flight: the session countdown is paused.
    await expect
      .poll(
        async () =>
          (await page.evaluate(() => document.querySelector('[data-testid="screen-service"]') !== null)) && gas().busyReason(),
      )
      .toBe('payment');
    await settlePayment(t.url, no, 'pay');
    await onScreen(page, 'result', undefined, 20_000);
    expect(await page.locator('h1').textContent()).toBe('充值成功');
    expect(await page.locator('[data-testid="screen-result"] p').first().textContent()).toContain('充值凭条已打印');
    expect(gas().engine.view(no).state).toBe('done');
    const r = (await receipts()).at(-1)!;
    expect(r.text).toContain('天然气充值凭条');
    expect(flat(r.text)).toContain(no);
    // The printer's code page prints the full-width yen sign.
    expect(flat(r.text)).toMatch(/[¥￥]100\.00/);
    expect(r.text).not.toContain(DEMO_GAS_ACCOUNTS.iot.accountNo);
    await finishSession();
  }, 120_000);

  it('IC card: card placed → account → ¥50.00 → paid → card written (counter +1) → take your card → receipt', async () => {
    await beginGas();
    const before = (await receipts()).length;
    await control('POST', '/gascard/card', { profile: 'icCard' });
    await onScreen(page, 'service', 'account');
    expect(await page.getByTestId('gas-meter').textContent()).toContain('IC卡表');
    expect(await page.getByTestId('gas-card').textContent()).toContain('已购气 7 次');
    expect(await page.getByTestId('gas-last-purchase').textContent()).toContain('¥100.00');
    await tap('gas-amount-5000');
    await expect.poll(() => page.getByTestId('gas-amount-5000').getAttribute('aria-pressed')).toBe('true');
    await tap('gas-next');
    const no = await payScreen();
    await settlePayment(t.url, no, 'pay');
    await onScreen(page, 'result', undefined, 20_000);
    expect(await page.locator('h1').textContent()).toBe('写卡成功，请取走燃气卡，插入表具');
    expect(gascard.writesFor(no)).toBe(1);
    expect(gascard.inserted?.purchaseCount).toBe(8);
    expect(gas().engine.view(no)).toMatchObject({ state: 'done', purchaseCount: 8 });
    const all = await receipts();
    expect(all.length).toBe(before + 1);
    expect(all.at(-1)!.text).toContain('天然气充值凭条');
    expect(flat(all.at(-1)!.text)).toContain(no);
    await control('DELETE', '/gascard/card');
    await finishSession();
  }, 120_000);

  it('payment timeout: the order is closed at the provider, a clear message, nothing charged (English + elder mode)', async () => {
    await beginGas();
    await tap('lang-switch');
    await tap('elder-switch');
    await expect.poll(() => page.locator('h1').textContent()).toContain('Gas top-up');
    await checkScreen(page, 'services-gas-start-elder-en', { elder: true });
    await typeDigits(DEMO_GAS_ACCOUNTS.iot.accountNo);
    await tap('gas-lookup');
    await onScreen(page, 'service', 'account');
    expect(await page.getByTestId('gas-meter').textContent()).toContain('Smart meter');
    // A custom amount on the keypad: ¥30.00.
    await tap('gas-amount-custom');
    await typeDigits('30');
    await tap('gas-custom-ok');
    await page.getByTestId('gas-next').waitFor();
    expect(await page.getByTestId('gas-next').textContent()).toContain('¥30.00');
    await checkScreen(page, 'services-gas-account-elder-en', { elder: true });
    await tap('gas-next');
    const no = await payScreen();
    expect(await page.getByTestId('gas-pay-countdown').textContent()).toContain('Time left to pay');
    await checkScreen(page, 'services-gas-paying-elder-en', { elder: true });
    // Nobody pays: the kiosk closes the order when the countdown runs out.
    await onScreen(page, 'result', undefined, (COUNTDOWN_S + 15) * 1000);
    expect(await page.locator('h1').textContent()).toBe('Payment time ran out; the order was closed');
    expect(await page.locator('[data-testid="screen-result"] p').first().textContent()).toContain('Nothing was charged');
    expect(gas().engine.view(no).state).toBe('payment_expired');
    expect((await services.payment.queryOrder(no)).tradeState).toBe('CLOSED');
    await expect(settlePayment(t.url, no, 'pay')).rejects.toThrow();
    expect((await services.payment.queryOrder(no)).tradeState).toBe('CLOSED');
    await tap('lang-switch');
    await tap('elder-switch');
    await finishSession();
  }, 120_000);

  it('card pulled mid-write → credit_pending + pending slip with the order number → 补写卡 later completes it exactly once', async () => {
    await beginGas();
    await control('POST', '/gascard/card', { profile: 'icCard' });
    await onScreen(page, 'service', 'account');
    expect(await page.getByTestId('gas-card').textContent()).toContain('已购气 8 次');
    await control('POST', '/gascard/fault', { kind: 'removed-mid-write' });
    await tap('gas-amount-5000');
    await expect.poll(() => page.getByTestId('gas-amount-5000').getAttribute('aria-pressed')).toBe('true');
    await tap('gas-next');
    const no = await payScreen();
    await settlePayment(t.url, no, 'pay');
    await onScreen(page, 'result', undefined, 20_000);
    expect(await page.locator('h1').textContent()).toBe('已付款，燃气暂未充入');
    expect(await page.locator('[data-testid="screen-result"] p').first().textContent()).toContain(no);
    expect(gas().engine.view(no).state).toBe('credit_pending');
    expect(gascard.writesFor(no)).toBe(0);
    const slip = (await receipts()).at(-1)!;
    expect(slip.text).toContain('待写卡');
    expect(flat(slip.text)).toContain(no);
    expect(slip.qr[0]?.data).toBe(`KIOSK-GAS-PENDING:${no}`);
    await finishSession();

    // Later: 补写卡 on the gas screen with the order number from the slip, then the card.
    await beginGas();
    await tap('gas-pending');
    await onScreen(page, 'service', 'pendingEntry');
    await typeKeyboard(no);
    expect(await page.locator('[data-testid="gas-order-field"] output').textContent()).toBe(no);
    await tap('gas-pending-ok');
    await onScreen(page, 'service', 'finishing');
    await control('POST', '/gascard/card', { profile: 'icCard' });
    await onScreen(page, 'result', undefined, 20_000);
    expect(await page.locator('h1').textContent()).toBe('写卡成功，请取走燃气卡，插入表具');
    expect(gascard.writesFor(no)).toBe(1);
    expect(gascard.inserted?.purchaseCount).toBe(9);
    expect(gas().engine.view(no).state).toBe('done');
    expect((await receipts()).at(-1)!.text).toContain('天然气充值凭条');
    await control('DELETE', '/gascard/card');
    await finishSession();

    // The same slip again: nothing more is written.
    await beginGas();
    await tap('gas-pending');
    await typeKeyboard(no);
    await tap('gas-pending-ok');
    await onScreen(page, 'result', undefined, 20_000);
    expect(await page.locator('h1').textContent()).toBe('该订单已充值完成');
    expect(gascard.writesFor(no)).toBe(1);
    expect(gas().counts()).toMatchObject({ creditPending: 0, needsAttention: 0 });
    await finishSession();
  }, 180_000);
});
