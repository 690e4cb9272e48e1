/**
 * Kiosk behaviour around the journey, in headless Chromium: the countdown warning and its
 * Continue button, the idle wipe (nothing left in DOM or storage), out-of-service and device
 * notices, the on-screen keypad and keyboard, and voice guidance with and without a voice.
 */
import { describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { rigKioskPerSuite } from '../helpers/rig-kiosk.js';
import { slipFlow, shortCountdowns, type Rig } from '../session/rig.js';
import { checkScreen, expectTargets, leftovers, litterStorage, onScreen } from './kiosk.js';

let rig: Rig;
let browser: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

rigKioskPerSuite(
  {
    devices: ['idcard', 'printer'],
    config: (c) => shortCountdowns(c, 120_000, 20_000),
    // Tax finishes at once with a slip, so the print step and its failure can be seen.
    session: { flows: { tax: slipFlow } },
  },
  (k) => {
    ({ rig, browser, page } = k);
    page.on('pageerror', (e) => pageErrors.push(e.message));
  },
);

describe('countdown and idle wipe in the browser', () => {
  let rig: Rig;
  let page: Page;
  // Long enough to look at the warning, short enough to watch a session run out.
  // The warning comes 2 s after each restart and lasts 10 s: time for axe and screenshots on a busy machine.
  rigKioskPerSuite(
    { devices: ['idcard', 'printer'], config: (c) => shortCountdowns(c, 12_000, 10_000) },
    (k) => ({ rig, page } = k),
  );

  it('warns with one big Continue that can be pressed again and again; at zero everything is wiped', async () => {
    await page.getByTestId('attract-start').click();
    await onScreen(page, 'home');
    await page.getByTestId('tile-tax').click();
    await rig.control('POST', '/idcard/card', { profile: 'xianan-resident' });
    await onScreen(page, 'identity', 'confirmed');
    await litterStorage(page);
    for (let i = 0; i < 3; i++) {
      await page.waitForSelector('[data-testid="timeout-warning"]', { timeout: 10_000 });
      expect(await page.getByTestId('extend').textContent()).toBe('继续办理');
      if (i === 0) await checkScreen(page, 'countdown-warning');
      await page.getByTestId('extend').click();
      await page.waitForSelector('[data-testid="timeout-warning"]', { state: 'detached' });
      await onScreen(page, 'identity', 'confirmed');
    }
    await rig.control('DELETE', '/idcard/card');
    // Nobody presses Continue this time.
    await onScreen(page, 'attract', undefined, 30_000);
    await expect.poll(async () => (await leftovers(page)).local).toBe(0);
    const left = await leftovers(page);
    expect(left.session).toBe(0);
    expect(left.idb).toEqual([]);
    for (const trace of ['孙*试', '孙测试', '0610', '421202']) expect(left.text).not.toContain(trace);
  }, 120_000);
});

describe('availability in the browser', () => {
  it('a device down pauses its tiles with the reason and says so on the home screen', async () => {
    await rig.control('POST', '/printer/state', { paper: 'out' });
    await page.getByTestId('attract-start').click();
    await onScreen(page, 'home');
    await page.waitForSelector('[data-testid="notice-paperOut"]', { timeout: 10_000 });
    expect(await page.getByTestId('tile-tax').getAttribute('aria-disabled')).toBe('true');
    expect(await page.getByTestId('tile-tax-reason').textContent()).toContain('暂停服务');
    expect(await page.getByTestId('tile-tax-reason').textContent()).toContain('打印机缺纸');
    expect(await page.getByTestId('tile-gas').getAttribute('aria-disabled')).toBe('false');
    // A paused tile stays put when tapped (force: Playwright would wait for aria-disabled to clear).
    await page.getByTestId('tile-tax').click({ force: true });
    await onScreen(page, 'home');
    await checkScreen(page, 'home-paper-out');
    await rig.control('POST', '/printer/state', { paper: 'full' });
    await page.waitForSelector('[data-testid="notice-paperOut"]', { state: 'detached', timeout: 10_000 });
    await page.getByTestId('home-exit').click();
    await page.getByTestId('finish').click();
    await onScreen(page, 'attract');
  });

  it('a slip that cannot print says why on the result screen, and prints once after a refill', async () => {
    await rig.control('DELETE', '/printer/receipts');
    await page.getByTestId('attract-start').click();
    await page.getByTestId('tile-tax').click();
    await rig.control('POST', '/idcard/card', { profile: 'xianan-resident' });
    await onScreen(page, 'identity', 'confirmed');
    await page.getByTestId('continue').click();
    await onScreen(page, 'service');
    await rig.control('POST', '/printer/state', { paper: 'out' });
    // The driver's status poll sees the empty printer before the citizen prints.
    await expect.poll(() => rig.agent.deviceStatuses()['printer']?.paper, { timeout: 10_000 }).toBe('out');
    await page.getByTestId('continue').click();
    await onScreen(page, 'result', undefined, 30_000);
    await expect.poll(() => page.getByTestId('print-status').textContent(), { timeout: 10_000 }).toContain('打印机缺纸');
    await checkScreen(page, 'result-print-failed');
    expect(await rig.control('GET', '/printer/receipts')).toHaveLength(0);
    await rig.control('POST', '/printer/state', { paper: 'full' });
    await expect.poll(() => rig.agent.deviceStatuses()['printer']?.paper, { timeout: 10_000 }).toBe('full');
    await page.getByTestId('print-retry').click();
    await expect.poll(() => page.getByTestId('print-status').textContent(), { timeout: 30_000 }).toContain('凭条已打印');
    await checkScreen(page, 'result-printed');
    expect(await rig.control('GET', '/printer/receipts')).toHaveLength(1);
    await rig.control('DELETE', '/idcard/card');
    await page.getByTestId('continue').click();
    await page.getByTestId('rating-skip').click();
    await page.getByTestId('finish').click();
    await onScreen(page, 'attract');
  }, 120_000);

  it('out of service: a full page with the 12345 hotline and opening hours, in both languages', async () => {
    rig.agent.context.mode.set('out-of-service');
    await onScreen(page, 'outOfService');
    expect(await page.getByTestId('oos-hotline').textContent()).toContain('12345');
    expect(await page.getByTestId('oos-hours').textContent()).toContain('8:30');
    await checkScreen(page, 'out-of-service');
    await page.getByTestId('lang-switch').click();
    await expect.poll(() => page.getByTestId('oos-hotline').textContent()).toContain('Hotline 12345');
    await onScreen(page, 'outOfService');
    await page.getByTestId('lang-switch').click();
    rig.agent.context.mode.set('in-service');
    await onScreen(page, 'attract');
  });
});

describe('input components', () => {
  it('keypad and keyboard never cover the field being typed, in both modes and orientations', async () => {
    for (const elder of [false, true]) {
      await page.goto(`${rig.agent.url}/#gallery`);
      await page.waitForSelector('[data-testid="screen-gallery"]');
      if (elder) {
        await page.getByTestId('elder-switch').click();
        await expect.poll(() => page.getAttribute('html', 'class')).toContain('elder');
      }
      for (const viewport of [
        { width: 1080, height: 1920 },
        { width: 1920, height: 1080 },
      ]) {
        await page.setViewportSize(viewport);
        await page.getByTestId('show-keypad').click();
        await page.click('[data-testid="keypad"] [data-key="clear"]');
        for (const k of ['4', '2', '1', '2', '0', '0', '1', '2', '3', '4'])
          await page.click(`[data-testid="keypad"] [data-key="${k}"]`);
        await page.click('[data-testid="keypad"] [data-key="delete"]');
        expect(await page.locator('[data-testid="field-digits"] output').textContent()).toBe('421200123');
        await expectNotCovered(page, 'field-digits', 'keypad');
        await expectTargets(page, elder ? 88 : 64);
        await page.getByTestId('show-keyboard').click();
        while ((await page.locator('[data-testid="field-text"] output').textContent()) !== '') {
          await page.click('[data-testid="keyboard"] [data-key="delete"]');
        }
        if ((await page.locator('[data-testid="keyboard"] [data-key="Q"]').count()) === 0) {
          await page.click('[data-testid="keyboard"] [data-key="mode"]');
        }
        for (const k of ['X', 'N', 'space', 'mode', '1', '2']) await page.click(`[data-testid="keyboard"] [data-key="${k}"]`);
        expect(await page.locator('[data-testid="field-text"] output').textContent()).toBe('XN 12');
        await expectNotCovered(page, 'field-text', 'keyboard');
        await expectTargets(page, elder ? 88 : 64);
        await page.screenshot({
          path: (await import('../helpers/browser.js')).screenshotPath(
            `session-keyboard-${elder ? 'elder' : 'std'}-${viewport.width}x${viewport.height}`,
          ),
        });
      }
    }
    await page.setViewportSize({ width: 1080, height: 1920 });
    await page.goto(rig.agent.url);
    // The elder switch on the idle screen started a session; leave it.
    await page.waitForSelector('[data-testid="screen-home"]');
    await page.getByTestId('home-exit').click();
    await page.getByTestId('finish').click();
    await onScreen(page, 'attract');
  }, 60_000);
});

async function expectNotCovered(p: Page, fieldId: string, keysId: string): Promise<void> {
  const r = await p.evaluate(
    ([f, k]) => {
      const field = document.querySelector(`[data-testid="${f}"] output`)!.getBoundingClientRect();
      const keys = document.querySelector(`[data-testid="${k}"]`)!.getBoundingClientRect();
      const top = document.elementFromPoint(field.left + field.width / 2, field.top + field.height / 2);
      return {
        fieldBottom: field.bottom,
        fieldTop: field.top,
        keysTop: keys.top,
        inView: field.top >= 0 && field.bottom <= window.innerHeight,
        onTop: !!top && top.closest(`[data-testid="${f}"]`) !== null,
      };
    },
    [fieldId, keysId],
  );
  expect(r.fieldBottom).toBeLessThanOrEqual(r.keysTop);
  expect(r.inView).toBe(true);
  expect(r.onTop).toBe(true);
}

describe('voice guidance', () => {
  it('speaks each screen’s instruction in elder mode with a visible speaker toggle; silent when switched off', async () => {
    const ctx = browser;
    const voicePage = await ctx.newPage();
    await voicePage.addInitScript(() => {
      const spoken: string[] = [];
      (window as unknown as { __spoken: string[] }).__spoken = spoken;
      const fake = {
        getVoices: () => [
          { lang: 'zh-CN', name: 'fake-zh' },
          { lang: 'en-US', name: 'fake-en' },
        ],
        speak: (u: { text: string }) => spoken.push(u.text),
        cancel: () => {},
      };
      Object.defineProperty(window, 'speechSynthesis', { value: fake, configurable: true });
      (window as unknown as { SpeechSynthesisUtterance: unknown }).SpeechSynthesisUtterance = class {
        voice: unknown = null;
        lang = '';
        rate = 1;
        constructor(readonly text: string) {}
      };
    });
    await voicePage.goto(rig.agent.url);
    await voicePage.waitForSelector('[data-testid="screen-attract"]');
    await voicePage.getByTestId('elder-switch').click();
    await voicePage.waitForSelector('[data-testid="voice-switch"]');
    const spoken = () => voicePage.evaluate(() => (window as unknown as { __spoken: string[] }).__spoken.slice());
    await expect.poll(spoken).toContain('请选择要办理的业务');
    await voicePage.getByTestId('voice-switch').click();
    await expect.poll(() => voicePage.getAttribute('[data-testid="voice-switch"]', 'aria-pressed')).toBe('false');
    const count = (await spoken()).length;
    await voicePage.getByTestId('tile-tax').click();
    await voicePage.waitForSelector('[data-testid="screen-identity"]');
    await voicePage.waitForTimeout(300);
    expect((await spoken()).length).toBe(count);
    await voicePage.getByTestId('back-home').click();
    await voicePage.getByTestId('home-exit').click();
    await voicePage.getByTestId('finish').click();
    await voicePage.waitForSelector('[data-testid="screen-attract"]');
    await voicePage.close();
  });

  it('without any voice (this Chromium has none, the rig no synthesiser) elder mode says so and works, without page errors', async () => {
    await page.goto(rig.agent.url);
    await onScreen(page, 'attract');
    await page.getByTestId('elder-switch').click();
    await onScreen(page, 'home');
    // Issue 19: no switch claiming 语音开 when nothing can speak (tests/browser/voice.test.ts has the rest).
    await page.waitForSelector('[data-testid="voice-unavailable"]');
    await page.getByTestId('tile-gas').click();
    await onScreen(page, 'service');
    expect(pageErrors).toEqual([]);
    await page.getByTestId('back-home').click();
    await page.getByTestId('home-exit').click();
    await page.getByTestId('finish').click();
    await onScreen(page, 'attract');
  });
});
