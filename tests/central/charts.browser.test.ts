/**
 * Issue 15 (charts): the dashboard shows history charts per kiosk and per site and 7-day
 * sparklines per site on the fleet page, from central's store; each chart has a title, a
 * description and a data table, and the pages pass axe with no serious findings.
 */
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '@kiosk/platform';
import { chinaDay, dayLabel, dayStart } from '../../apps/central/src/charts/days.js';
import { historyTableSql } from '../../apps/central/src/charts/history.js';
import { centralMigrations as centralSchema } from '../../apps/central/src/store/migrations.js';
const centralMigrations = centralSchema.sqlite;
import { artifactsDir, launchBrowser } from '../helpers/browser.js';
import { axeSerious, ensureCentralUiBuilt, signIn } from '../helpers/central-dashboard.js';
import { kioskA, signedPost, startTestCentral, users, validHeartbeat, type TestCentral } from './helpers.js';

const hour = 3_600_000;

describe('dashboard history charts', () => {
  let central: TestCentral;
  let browser: BrowserContext;
  let page: Page;
  const D = chinaDay(Date.now());

  beforeAll(async () => {
    ensureCentralUiBuilt();
    central = await startTestCentral();
    // History from earlier days, written beside the running central (WAL: a second connection is fine).
    const db: Db = openDatabase(join(central.dataDir, 'central.db'), centralMigrations);
    try {
      db.exec(historyTableSql);
      const sc = db.prepare('INSERT INTO state_changes (kiosk_id, at, from_state, to_state) VALUES (?, ?, ?, ?)');
      sc.run(kioskA.id, dayStart(D - 3), null, 'online');
      sc.run(kioskA.id, dayStart(D - 2) + 18 * hour, 'online', 'offline');
      sc.run(kioskA.id, dayStart(D - 1), 'offline', 'online');
      const daily = db.prepare('INSERT INTO kiosk_daily (kiosk_id, day, metric, item, amount) VALUES (?, ?, ?, ?, ?)');
      daily.run(kioskA.id, D - 2, 'tx', '', 37);
      daily.run(kioskA.id, D - 1, 'tx', '', 21);
      daily.run(kioskA.id, D - 2, 'paper_change', '', 2);
      daily.run(kioskA.id, D - 2, 'paper_out_ms', '', 45 * 60_000);
      daily.run(kioskA.id, D - 1, 'fault', 'idcard', 3);
    } finally {
      db.close();
    }
    const r = await signedPost(central.url, 'heartbeats', JSON.stringify(validHeartbeat(kioskA.id)), {
      ...kioskA,
      kioskId: kioskA.id,
      seq: 1,
    });
    expect(r.status).toBe(200);
    browser = await launchBrowser({ width: 1366, height: 900 });
    page = await browser.newPage();
    await page.goto(central.url);
    await signIn(page, users.viewer);
  });

  afterAll(async () => {
    await browser?.close();
    await central?.close();
  });

  it('the fleet page shows 7-day sparklines per site and passes axe', async () => {
    const sparks = page.locator(`[data-sparklines="${kioskA.site}"]`);
    await sparks.waitFor();
    expect(await sparks.locator('svg[role="img"]').count()).toBe(2);
    const labels = await sparks.locator('svg[role="img"]').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
    expect(labels[1]).toContain('37, 21');
    expect(await sparks.textContent()).toContain('业务 58');
    expect(await axeSerious(page)).toEqual([]);
  });

  it('the kiosk page shows availability, transactions, paper and fault charts with data tables, and passes axe', async () => {
    await page.goto(`${central.url}/#/kiosk/${kioskA.id}`);
    const history = page.locator('[data-history="kiosk"]');
    await history.locator('figure.chart').first().waitFor();
    const titles = await history.locator('svg[role="img"] title').allTextContents();
    expect(titles.map((t) => t.split(' — ')[0])).toEqual([
      '可用率 Availability',
      '每日业务量 Transactions per day',
      '换纸次数 Paper changes',
      '缺纸时长 Paper-out time',
      '设备故障次数 Device faults',
    ]);
    // Every chart is labelled by its title and description.
    for (const svg of await history.locator('svg[role="img"]').all()) {
      const ids = (await svg.getAttribute('aria-labelledby'))!.split(' ');
      expect(ids).toHaveLength(2);
      expect(await svg.locator('desc').textContent()).not.toBe('');
    }
    // The data table alternative carries the numbers: D-2 was offline from 18:00 → 75 %.
    const avail = history.locator('figure.chart').nth(0);
    await avail.getByText('数据表 Data table').click();
    await expect.poll(() => avail.locator(`tr:has(th:text-is("${dayLabel(D - 2)}")) td`).textContent()).toBe('75.0%');
    const tx = history.locator('figure.chart').nth(1);
    expect(await tx.locator('desc').textContent()).toContain('共 58 笔');
    const paperOut = history.locator('figure.chart').nth(3);
    expect(await paperOut.locator('desc').textContent()).toContain('45');
    expect(await history.locator('figure.chart').nth(4).locator('desc').textContent()).toContain('身份证');
    await history.screenshot({ path: join(artifactsDir, 'central-kiosk-charts.png') });
    expect(await axeSerious(page)).toEqual([]);
    // 30 days
    await history.getByRole('button', { name: '30 天 days' }).click();
    await expect.poll(() => history.locator('svg[role="img"] title').first().textContent()).toContain('近 30 天');
    expect(await axeSerious(page)).toEqual([]);
  });

  it('the site page (from the fleet heading) shows the site’s charts and passes axe', async () => {
    await page.goto(`${central.url}/#/`);
    await page.locator(`[data-site-link="${kioskA.site}"]`).click();
    const history = page.locator('[data-history="site"]');
    await history.locator('figure.chart').first().waitFor();
    expect(await history.locator('figure.chart').nth(1).locator('desc').textContent()).toContain('共 58 笔');
    expect(await axeSerious(page)).toEqual([]);
  });
});
