/**
 * Issue 19, critical items, in headless Chromium against the full stack (sandbox, agent with the
 * production flows and the gas module, ID card / printer / gas card drivers over ptys against
 * their simulators):
 *
 * 1. the custom gas amount keypad starts empty every time it opens (no ¥520 from "5" + "20");
 * 2. a gas card already in the reader is not read for the next citizen; 上一步 does not bounce
 *    back to the card; there is a home button; "请取走燃气卡 / 请取走身份证" reminders with sound
 *    at the end of a gas session, on goodbye and after it while a card stays in a reader.
 */
import { describe, expect, it } from 'vitest';
import { settlePayment } from '../../apps/simulators/src/payments-control.js';
import { DEMO_GAS_ACCOUNTS } from '@kiosk/synthetic';
import type { Stack } from '../flows/stack.js';
import { stackPerFile } from '../helpers/stack-per-file.js';
import { onScreen } from './kiosk.js';

let s: Stack;

stackPerFile((stack) => (s = stack), { gas: true }, 90_000);

/** The agent's gas card reader has seen the card (its status poll). */
const gasCardSeen = (): boolean =>
  (s.rig.agent.context.devices.get('gascard') as unknown as { cardPresent(): boolean }).cardPresent();

const digits = async (text: string): Promise<void> => {
  for (const d of text) await s.page.locator(`[data-testid="keypad"] [data-key="${d}"]`).first().click();
};
const simState = async (): Promise<{ counters: { commands: number; reads: number } }> =>
  (await s.rig.control('GET', '/gascard')) as { counters: { commands: number; reads: number } };
const chimes = async (): Promise<number> =>
  Number((await s.page.evaluate(() => document.documentElement.dataset['chimes'])) ?? '0');

async function gasStart(): Promise<void> {
  await onScreen(s.page, 'attract');
  await s.tap('attract-start');
  await onScreen(s.page, 'home');
  await s.tap('tile-gas');
}

describe('issue 19 item 1: the custom amount', () => {
  it('a refused amount does not stay in the keypad: 5 (refused) → presets → 其他金额 → 20 is ¥20.00 on Next, confirm and the QR', async () => {
    const { page } = s;
    await gasStart();
    await onScreen(page, 'service', 'start');
    await digits(DEMO_GAS_ACCOUNTS.iot.accountNo);
    await s.tap('gas-lookup');
    await onScreen(page, 'service', 'account');
    await s.tap('gas-amount-custom');
    await digits('5');
    await s.tap('gas-custom-ok');
    await page.getByTestId('gas-amount-error').waitFor();
    await s.tap('gas-custom-cancel');
    await s.tap('gas-amount-custom');
    expect(await page.locator('[data-testid="gas-custom-field"] output').textContent()).toBe('');
    await digits('20');
    await s.tap('gas-custom-ok');
    await page.getByTestId('gas-next').waitFor();
    expect(await page.getByTestId('gas-next').textContent()).toContain('¥20.00');
    await s.tap('gas-next');
    await onScreen(page, 'service', 'confirm');
    expect(await page.getByTestId('gas-confirm-amount').textContent()).toBe('¥20.00');
    await s.tap('gas-pay');
    await onScreen(page, 'service', 'paying');
    expect(await page.getByTestId('gas-pay-amount').textContent()).toBe('¥20.00');
    const no = (await page.getByTestId('gas-qr').getAttribute('data-order'))!;
    expect(s.gas()!.engine.view(no).amountFen).toBe(2000);
    // Cancel: nothing charged, back to the amounts; the home button leaves the service.
    await s.tap('gas-cancel');
    await onScreen(page, 'service', 'account', 20_000);
    await s.tap('gas-home');
    await onScreen(page, 'home');
    await s.tap('home-exit');
    await onScreen(page, 'goodbye');
    await s.tap('finish');
    await onScreen(page, 'attract');
  }, 120_000);
});

describe('issue 19 item 2: cards left behind', () => {
  it('a gas card already in the reader is not read: "take it out" first; then the citizen\'s own card; 上一步 stays on the keypad', async () => {
    const { page } = s;
    // The last citizen left their gas card in the reader.
    await s.rig.control('POST', '/gascard/card', { profile: 'icCard' });
    await expect.poll(() => gasCardSeen(), { timeout: 10_000 }).toBe(true);
    const readsBefore = (await simState()).counters.reads;
    await gasStart();
    await onScreen(page, 'service', 'removeCard');
    expect(await page.getByTestId('gas-remove-card').textContent()).toContain('不会被读取');
    const shown = await page.locator('main').innerText();
    expect(shown).not.toContain('已购气');
    expect(shown).not.toContain('8800');
    expect((await simState()).counters.reads).toBe(readsBefore);
    // The home button works on this step.
    await page.getByTestId('gas-home').waitFor();
    await s.tap('gas-home');
    await onScreen(page, 'home');
    await s.tap('tile-gas');
    await onScreen(page, 'service', 'removeCard');
    // Taken out: the keypad; the citizen's own card placed now is read.
    await s.rig.control('DELETE', '/gascard/card');
    await onScreen(page, 'service', 'start');
    await s.rig.control('POST', '/gascard/card', { profile: 'icCard' });
    await onScreen(page, 'service', 'account');
    expect(await page.getByTestId('gas-card').textContent()).toContain('已购气');
    // 上一步 goes back to the keypad and stays there while the card is still in the reader.
    await s.tap('gas-back');
    await onScreen(page, 'service', 'start');
    const polls = (await simState()).counters.commands;
    const reads = (await simState()).counters.reads;
    await expect.poll(async () => (await simState()).counters.commands, { timeout: 10_000 }).toBeGreaterThan(polls + 10);
    expect(await page.getAttribute('[data-testid="screen-service"]', 'data-step')).toBe('start');
    expect((await simState()).counters.reads).toBe(reads);
    await s.tap('gas-back');
    await onScreen(page, 'home');
    await s.tap('home-exit');
    // Goodbye: the gas card is still in the reader → loud reminder.
    await onScreen(page, 'goodbye');
    await page.waitForSelector('[data-testid="take-cards"][data-cards="gascard"]');
    expect(await page.getByTestId('take-cards').textContent()).toContain('请取走燃气卡');
    await expect.poll(chimes, { timeout: 10_000 }).toBeGreaterThan(0);
    await s.tap('finish');
    // Still there after goodbye: the reminder stays on the attract screen, with sound, until it is taken.
    await onScreen(page, 'attract');
    await page.waitForSelector('[data-testid="take-cards"][data-cards="gascard"]');
    const before = await chimes();
    await expect.poll(chimes, { timeout: 20_000 }).toBeGreaterThan(before);
    await s.rig.control('DELETE', '/gascard/card');
    await page.waitForSelector('[data-testid="take-cards"]', { state: 'detached', timeout: 10_000 });
  }, 120_000);

  it('the end of an IC-card gas top-up says 请取走燃气卡 with sound until the card is taken', async () => {
    const { page } = s;
    await gasStart();
    await onScreen(page, 'service', 'start');
    await s.rig.control('POST', '/gascard/card', { profile: 'icCard' });
    await onScreen(page, 'service', 'account');
    await s.tap('gas-amount-5000');
    await expect.poll(() => page.getByTestId('gas-amount-5000').getAttribute('aria-pressed')).toBe('true');
    await s.tap('gas-next');
    await onScreen(page, 'service', 'confirm');
    await s.tap('gas-pay');
    await onScreen(page, 'service', 'paying');
    const no = (await page.getByTestId('gas-qr').getAttribute('data-order'))!;
    const before = await chimes();
    await settlePayment(s.sandbox.url, no, 'pay');
    await onScreen(page, 'result', undefined, 30_000);
    await page.waitForSelector('[data-testid="take-cards"][data-cards="gascard"]');
    await expect.poll(chimes, { timeout: 10_000 }).toBeGreaterThan(before);
    await s.rig.control('DELETE', '/gascard/card');
    await page.waitForSelector('[data-testid="take-cards"]', { state: 'detached', timeout: 10_000 });
    await s.tap('continue');
    await onScreen(page, 'rating');
    await s.tap('rating-skip');
    await onScreen(page, 'goodbye');
    expect(await page.getByTestId('take-cards').count()).toBe(0);
    await s.tap('finish');
    await onScreen(page, 'attract');
  }, 120_000);

  it('an ID card left on the reader after goodbye: reminder with sound on goodbye and on the attract screen until taken', async () => {
    const { page } = s;
    await onScreen(page, 'attract');
    // Placing the card on the idle kiosk starts a session.
    await s.rig.control('POST', '/idcard/card', { profile: 'xianan-resident' });
    await onScreen(page, 'home');
    expect(await page.getByTestId('take-cards').count()).toBe(0);
    await s.tap('home-exit');
    await onScreen(page, 'goodbye');
    await page.waitForSelector('[data-testid="take-cards"][data-cards="idcard"]');
    expect(await page.getByTestId('take-cards').textContent()).toContain('请取走身份证');
    await s.tap('finish');
    await onScreen(page, 'attract');
    await page.waitForSelector('[data-testid="take-cards"][data-cards="idcard"]');
    const before = await chimes();
    await expect.poll(chimes, { timeout: 20_000 }).toBeGreaterThan(before);
    await s.rig.control('DELETE', '/idcard/card');
    await page.waitForSelector('[data-testid="take-cards"]', { state: 'detached', timeout: 10_000 });
  }, 120_000);
});
