/**
 * Issue 19, low list, in headless Chromium against a kiosk with real ID card and printer drivers:
 * the clock shows China time whatever the browser's zone; the 长辈版 switch keeps its name while
 * pressed; the attract screen names paused services; a read error is not told as "card moved";
 * an ID number failing its GB 11643 check digit is refused at the card step.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureUiBuilt, launchBrowser } from '../helpers/browser.js';
import { tempDir } from '../helpers/config.js';
import { SessionClient, startRig, type Rig } from '../session/rig.js';
import { onScreen } from './kiosk.js';

let rig: Rig;
let browser: BrowserContext;
let page: Page;

beforeAll(async () => {
  // No camera: property (face check required by default) is paused, which the attract screen must say.
  rig = await startRig({
    uiDir: ensureUiBuilt(),
    devices: ['idcard', 'printer'],
    config: (c) => (c.session.countdown.defaultMs = 120_000),
  });
  // The browser runs in UTC, as a kiosk image often does: the screen must still show China time.
  browser = await launchBrowser({ width: 1080, height: 1920 }, tempDir('kiosk-chromium-utc-'), { timezoneId: 'UTC' });
  page = await browser.newPage();
  await page.goto(rig.agent.url);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await rig?.stop();
});

const tap = (id: string) => page.getByTestId(id).click();

describe('kiosk details from issue 19', () => {
  it('the clock shows China time (UTC+8) in a UTC browser, like the slips', async () => {
    await onScreen(page, 'attract');
    expect(await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone)).toBe('UTC');
    const china = (d: Date): string =>
      new Intl.DateTimeFormat('zh-CN', { hour: '2-digit', minute: '2-digit', hour12: false, timeZone: 'Asia/Shanghai' }).format(
        d,
      );
    const before = new Date();
    const shown = await page.locator('.clock-time').textContent();
    const after = new Date();
    // The minute may turn between the two readings; either is China time, UTC is not.
    expect([china(before), china(after)]).toContain(shown);
  });

  it('the attract screen names the paused services apart from the usable ones', async () => {
    await onScreen(page, 'attract');
    await page.getByTestId('attract-paused').waitFor();
    expect(await page.getByTestId('attract-paused').textContent()).toContain('不动产查询');
    expect(await page.getByTestId('attract-available').textContent()).not.toContain('不动产查询');
    expect(await page.getByTestId('attract-available').textContent()).toContain('完税凭证');
  });

  it('长辈版 keeps its name while pressed (no 标准版 on a pressed button)', async () => {
    await tap('attract-start');
    await onScreen(page, 'home');
    const sw = page.getByTestId('elder-switch');
    expect(await sw.getAttribute('aria-pressed')).toBe('false');
    expect(await sw.textContent()).toContain('长辈版');
    await sw.click();
    await expect.poll(() => sw.getAttribute('aria-pressed')).toBe('true');
    expect(await sw.textContent()).toContain('长辈版');
    expect(await sw.textContent()).not.toContain('标准版');
    await sw.click();
    await expect.poll(() => sw.getAttribute('aria-pressed')).toBe('false');
  });

  it('an ID number with a wrong check digit is refused at the card step', async () => {
    await onScreen(page, 'home');
    await tap('tile-tax');
    await onScreen(page, 'identity', 'waitCard');
    // 421202198503120610 is valid; the last digit changed breaks the GB 11643 check.
    await rig.control('POST', '/idcard/card', { profile: 'xianan-resident', fields: { idNumber: '421202198503120611' } });
    await onScreen(page, 'identity', 'unreadable');
    expect(await page.locator('body').textContent()).not.toContain('4212**********0611');
    await rig.control('DELETE', '/idcard/card');
  });

  it('a read error is not told as "the card moved"', async () => {
    const c = await SessionClient.open(rig);
    try {
      const v = await c.do('Session.GetState');
      if (v.screen !== 'attract') {
        await c.command('Session.Cancel');
        await c.command('Session.End');
      }
      await c.until((x) => x.screen === 'attract', 8000, 'attract');
      await c.do('Session.Start');
      await c.do('Session.SelectService', { service: 'tax' });
    } finally {
      c.close();
    }
    await onScreen(page, 'identity', 'waitCard');
    // Every read answer arrives corrupted: the driver reports a read error and asks for the card again.
    await rig.control('POST', '/idcard/fault', { kind: 'bad-checksum', count: 50, command: 'read' });
    await rig.control('POST', '/idcard/card', { profile: 'xianan-resident' });
    await onScreen(page, 'identity', 'replace', 15_000);
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).not.toContain('移动');
    await rig.control('DELETE', '/idcard/fault');
    await rig.control('DELETE', '/idcard/card');
  }, 60_000);
});
