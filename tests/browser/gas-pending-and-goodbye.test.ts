/**
 * Issue 19 in the gas flow: 补写卡 leads with the gas card (a few taps) and never asks to scan a
 * QR code the kiosk cannot read (item 9); the goodbye after a gas top-up asks for the gas card and
 * the slip, not an ID card nobody inserted (low list).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGasKiosk, type GasKiosk } from '../helpers/gas-kiosk.js';
import { onScreen } from './kiosk.js';

let kiosk: GasKiosk;
let page: Page;

const control = (method: 'POST' | 'DELETE', path: string, body?: unknown) => kiosk.rig.control(method, path, body);
const tap = (id: string) => page.getByTestId(id).click();

beforeAll(async () => {
  kiosk = await startGasKiosk({ retry: { maxAttempts: 1 } });
  ({ page } = kiosk);
}, 90_000);

afterAll(async () => {
  await kiosk?.stop();
});

describe('补写卡 and the gas goodbye', () => {
  it('补写卡 offers the card first, never a QR scan; the card button leads to "place the card"', async () => {
    await onScreen(page, 'attract');
    await tap('attract-start');
    await tap('tile-gas');
    await onScreen(page, 'service', 'start');
    expect(await page.getByTestId('gas-pending').textContent()).toContain('插卡');
    await tap('gas-pending');
    await onScreen(page, 'service', 'pendingEntry');
    const body = (await page.getByTestId('screen-service').textContent()) ?? '';
    expect(body).not.toMatch(/扫描|扫码|二维码/);
    // The card comes before the order-number field on the page.
    const order = await page.evaluate(() => {
      const card = document.querySelector('[data-testid="gas-pending-card"]')!;
      const field = document.querySelector('[data-testid="gas-order-field"]')!;
      return card.compareDocumentPosition(field) & Node.DOCUMENT_POSITION_FOLLOWING;
    });
    expect(order).toBeTruthy();
    await tap('gas-pending-card');
    await onScreen(page, 'service', 'waitCard');
    await control('POST', '/gascard/card', { profile: 'icCard' });
    await onScreen(page, 'service', 'account');
    await control('DELETE', '/gascard/card');
    // English says the same, and no "scan" either.
    await tap('gas-back');
    await onScreen(page, 'service', 'start');
    await tap('lang-switch');
    await tap('gas-pending');
    await onScreen(page, 'service', 'pendingEntry');
    expect(await page.getByTestId('screen-service').textContent()).not.toMatch(/scan|QR/i);
    await tap('lang-switch');
  }, 90_000);

  it('the goodbye after gas asks for the gas card and the slip, not the ID card', async () => {
    await tap('gas-back');
    await onScreen(page, 'service', 'start');
    await tap('gas-back');
    await onScreen(page, 'home');
    await tap('home-exit');
    await onScreen(page, 'goodbye');
    expect(await page.getByTestId('goodbye-take').textContent()).not.toContain('身份证');
    await tap('finish');
    await onScreen(page, 'attract');
  }, 60_000);
});
