import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { startAgent, type Agent } from '../../apps/agent/src/agent.js';
import { silentLogger } from '@kiosk/platform';
import { testConfig } from '../helpers/config.js';
import { ensureUiBuilt, launchBrowser, screenshotPath } from '../helpers/browser.js';
import { createSessionModule } from '../../apps/agent/src/session/module.js';

let agent: Agent;
let browser: BrowserContext;
let page: Page;

beforeAll(async () => {
  const uiDir = ensureUiBuilt();
  // No devices: the services that need the ID reader or printer show as paused; gas still works.
  agent = await startAgent(testConfig(), { logger: silentLogger(), uiDir, modules: [createSessionModule] });
  browser = await launchBrowser({ width: 1080, height: 1920 });
  page = await browser.newPage();
});

afterAll(async () => {
  await browser?.close();
  await agent?.stop();
});

async function boxes(p: Page, selector: string): Promise<{ w: number; h: number }[]> {
  return p.$$eval(selector, (els) =>
    els.map((e) => ({ w: e.getBoundingClientRect().width, h: e.getBoundingClientRect().height })),
  );
}

describe('kiosk home screen in headless Chromium', () => {
  it('shows the six services as large tiles, the clock, and connects to the agent', async () => {
    await page.goto(agent.url);
    // The idle screen comes first; a touch anywhere starts the session on the home screen.
    await page.getByTestId('attract-start').click();
    await page.waitForSelector('[data-testid="screen-home"]');
    const titles = await page.locator('.tile-title').allTextContents();
    expect(titles).toEqual(['不动产查询', '燃气充值', '完税凭证打印', '社保凭单打印', '电子证照打印', '自助照相']);
    await expect.poll(() => page.locator('[data-testid="clock"] time').textContent()).toMatch(/^\d{2}:\d{2}$/);
    // connected: no "connecting" banner once the WebSocket with the page's token is open
    await expect.poll(() => page.locator('[data-testid="conn-banner"]').count()).toBe(0);
    expect(agent.ws.connectionCount()).toBe(1);
    for (const b of await boxes(page, 'button')) {
      expect(b.w).toBeGreaterThanOrEqual(64);
      expect(b.h).toBeGreaterThanOrEqual(64);
    }
    const minFont = await page.$$eval('body *', (els) =>
      Math.min(...els.filter((e) => e.textContent?.trim()).map((e) => parseFloat(getComputedStyle(e).fontSize))),
    );
    expect(minFont).toBeGreaterThanOrEqual(24);
    await page.screenshot({ path: screenshotPath('home-portrait-zh') });
    expect(existsSync(screenshotPath('home-portrait-zh'))).toBe(true);
  });

  it('switches language to English and back', async () => {
    await page.getByTestId('lang-switch').click();
    expect(await page.locator('.tile-title').allTextContents()).toEqual([
      'Property records',
      'Gas top-up',
      'Tax payment record',
      'Social insurance slips',
      'Print e-licences',
      'Photo booth',
    ]);
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await page.screenshot({ path: screenshotPath('home-portrait-en') });
    await page.getByTestId('lang-switch').click();
    expect(await page.locator('.tile-title').first().textContent()).toBe('不动产查询');
  });

  it('elder mode enlarges text and touch targets', async () => {
    await page.getByTestId('elder-switch').click();
    expect(await page.getAttribute('[data-testid="elder-switch"]', 'aria-pressed')).toBe('true');
    const bodyFont = await page.$eval('.tile-desc', (e) => parseFloat(getComputedStyle(e).fontSize));
    expect(bodyFont).toBeGreaterThanOrEqual(32);
    const heading = await page.$eval('.tile-title', (e) => parseFloat(getComputedStyle(e).fontSize));
    expect(heading).toBeGreaterThanOrEqual(48);
    for (const b of await boxes(page, 'button')) {
      expect(b.w).toBeGreaterThanOrEqual(88);
      expect(b.h).toBeGreaterThanOrEqual(88);
    }
    await page.screenshot({ path: screenshotPath('home-portrait-elder') });
    await page.getByTestId('elder-switch').click();
  });

  it('a tile opens a labelled coming-soon screen with a way back', async () => {
    await page.getByTestId('tile-gas').click();
    await expect.poll(() => page.getByTestId('coming-soon').textContent()).toContain('即将开通');
    await page.getByTestId('back-home').click();
    // Wait on the state, not on luck: the home view arrives over the WebSocket.
    await page.waitForSelector('[data-testid="screen-home"]');
    expect(await page.locator('.tile').count()).toBe(6);
  });

  it('fits a 1920×1080 landscape screen without scrolling', async () => {
    await page.setViewportSize({ width: 1920, height: 1080 });
    const overflow = await page.evaluate(() => document.documentElement.scrollHeight - window.innerHeight);
    expect(overflow).toBeLessThanOrEqual(0);
    const inner = await page.$eval('.kiosk', (e) => e.scrollHeight - e.clientHeight);
    expect(inner).toBeLessThanOrEqual(0);
    await page.screenshot({ path: screenshotPath('home-landscape-zh') });
  });
});
