/**
 * 自助照相 in the browser on the production composition (compose.ts: every module) with the
 * simulators' camera, the sandbox photo platform and payment provider, the production printer
 * driver over a pty, and Debian's headless Chromium: a 身份证 photo from tile to printed 回执号,
 * one refused capture with its printed hint, axe on every photo screen, and the platform's copy.
 */
import sharp from 'sharp';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settlePayment } from '../../apps/simulators/src/payments-control.js';
import type { ReceiptView } from '../../apps/simulators/src/printer/simulator.js';
import { ensureUiBuilt } from '../helpers/browser.js';
import { startProductionKiosk, type ProductionKiosk } from '../helpers/production-kiosk.js';
import { HEADERS } from '../sandbox/fixture.js';
import { checkScreen, onScreen, openKiosk } from './kiosk.js';

let k: ProductionKiosk;
let browser: BrowserContext;
let page: Page;
const tap = (id: string) => page.getByTestId(id).click();

beforeAll(async () => {
  ensureUiBuilt();
  k = await startProductionKiosk({ photoCamera: true });
  ({ browser, page } = await openKiosk(k.agent.url));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await k?.stop();
}, 60_000);

/** From the attract screen to the photo service's first step, once the model has loaded. */
async function openPhotoService(): Promise<void> {
  await onScreen(page, 'attract');
  await tap('attract-start');
  await onScreen(page, 'home');
  await expect.poll(() => page.getByTestId('tile-photo').getAttribute('aria-disabled'), { timeout: 30_000 }).toBe('false');
  await tap('tile-photo');
  await onScreen(page, 'service', 'use');
}

describe('自助照相 in the browser', () => {
  it('a camera that drops out: the error screen says nothing was charged and 重新打开摄像头 brings the preview back', async () => {
    await openPhotoService();
    await tap('photo-use-idcard');
    await onScreen(page, 'service', 'consent');
    await tap('photo-consent-agree');
    await onScreen(page, 'service', 'preview', 30_000);
    await page.getByTestId('photo-capture').waitFor({ timeout: 30_000 });

    await k.control('POST', '/camera/plug', { connected: false });
    await onScreen(page, 'service', 'error', 60_000);
    expect(await page.getByTestId('photo-error').getAttribute('data-kind')).toBe('camera');
    expect(await page.getByTestId('photo-error').textContent()).toContain('未扣费');
    expect(await page.getByTestId('photo-retry').textContent()).toContain('重新打开摄像头');
    await checkScreen(page, 'photo-error');
    await tap('elder-switch');
    await checkScreen(page, 'photo-error-elder');
    await tap('lang-switch');
    await expect.poll(() => page.getByTestId('photo-retry').textContent()).toContain('Open the camera again');
    await checkScreen(page, 'photo-error-elder-en');
    await tap('lang-switch');
    await tap('elder-switch');

    await k.control('POST', '/camera/plug', { connected: true });
    await tap('photo-retry');
    await onScreen(page, 'service', 'preview', 30_000);
    await page.getByTestId('photo-capture').waitFor({ timeout: 60_000 });
    await tap('photo-back');
    await onScreen(page, 'service', 'use');
    await tap('photo-home');
    await onScreen(page, 'home');
    await tap('home-exit');
    await onScreen(page, 'goodbye');
    await tap('finish');
  }, 240_000);

  it('a 身份证 photo end to end: refused capture with its hint, review, QR payment, upload, 回执号 on screen and slip', async () => {
    await openPhotoService();
    await checkScreen(page, 'photo-use');
    await tap('photo-use-idcard');
    await onScreen(page, 'service', 'consent');
    expect(await page.getByTestId('photo-consent-text').textContent()).toContain('仅用于');
    await checkScreen(page, 'photo-consent');
    await tap('photo-consent-agree');
    await onScreen(page, 'service', 'preview', 30_000);
    // The oval is where the agent's framing guide puts it for 身份证, inside the picture's box.
    const box = await page.getByTestId('photo-guide').evaluate((el) => {
      const g = el.getBoundingClientRect();
      const f = el.parentElement!.getBoundingClientRect();
      return { top: (g.top - f.top) / f.height, left: (g.left - f.left) / f.width, bottom: g.bottom <= f.bottom };
    });
    expect(box.top).toBeGreaterThan(0.1);
    expect(box.left).toBeGreaterThan(0.2);
    expect(box.bottom).toBe(true);

    // A tilted head: the capture is refused and the screen says what to do.
    await k.control('POST', '/camera/scene', { scene: 'tilted' });
    await tap('photo-capture');
    await onScreen(page, 'service', 'countdown', 30_000);
    await expect
      .poll(
        async () =>
          page
            .getByTestId('photo-countdown')
            .textContent()
            .catch(() => null),
        { timeout: 10_000 },
      )
      .toMatch(/[123]/);
    await page.getByTestId('photo-refused').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('photo-refused').getAttribute('data-hint')).toBe('tilted');
    expect(await page.getByTestId('photo-refused').textContent()).toContain('请把头摆正');
    // The live hint says the same while the head is still tilted.
    await expect.poll(() => page.getByTestId('photo-hint').textContent(), { timeout: 30_000 }).toContain('请把头摆正');

    // Standing straight: the live hint turns good, the capture passes.
    await k.control('POST', '/camera/scene', { scene: 'person' });
    await expect.poll(() => page.getByTestId('photo-hint').getAttribute('data-hint'), { timeout: 120_000 }).toBe('');
    await checkScreen(page, 'photo-preview');
    await tap('photo-capture');
    await onScreen(page, 'service', 'review', 60_000);
    await expect
      .poll(() => page.getByTestId('photo-result').evaluate((img) => (img as HTMLImageElement).naturalWidth), { timeout: 10_000 })
      .toBe(358);
    expect(await page.getByTestId('photo-retakes').textContent()).toContain('3');
    await checkScreen(page, 'photo-review');
    await tap('photo-review-ok');
    await onScreen(page, 'service', 'paying', 30_000);
    await checkScreen(page, 'photo-paying');
    const orderNo = (await page.getByTestId('photo-qr').getAttribute('data-order'))!;
    await settlePayment(k.sandbox.url, orderNo, 'pay');
    await onScreen(page, 'service', 'done', 60_000);
    const code = (await page.getByTestId('photo-code').textContent())!.trim();
    expect(code).toMatch(/^ZP\d{8}-[0-9A-Z]{10}$/);
    expect(await page.getByTestId('photo-howto').textContent()).toContain('回执号');
    await checkScreen(page, 'photo-done');
    await tap('photo-done-print');
    await onScreen(page, 'result', undefined, 60_000);
    await expect
      .poll(
        async () => {
          const list = (await k.control('GET', '/printer/receipts')) as ReceiptView[];
          return JSON.stringify(list.at(-1) ?? {});
        },
        { timeout: 30_000 },
      )
      .toContain(code);

    // The photo platform has the photo under that code: a 358×441 JPEG.
    const jpeg = Buffer.from(
      await (await fetch(`${k.sandbox.url}/photo/receipts/${code}/image.jpg`, { headers: HEADERS })).arrayBuffer(),
    );
    expect(await sharp(jpeg).metadata()).toMatchObject({ format: 'jpeg', width: 358, height: 441 });
  }, 300_000);
});
