/**
 * Issue 19 item 12: the ops dashboard passes axe (no serious or critical findings, colour contrast
 * included: the warning badge) and every control is at least 24×24 CSS px (WCAG 2.2 2.5.8 AA);
 * a kiosk in service with paused services shows them as degraded in the fleet table.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HeartbeatSender } from '../../apps/agent/src/monitor/heartbeat.js';
import type { HealthSnapshot } from '@kiosk/contracts/health';
import type { Db } from '@kiosk/platform';
import { launchBrowser } from '../helpers/browser.js';
import { axeSerious, ensureCentralUiBuilt, signIn } from '../helpers/central-dashboard.js';
import {
  FakeCommands,
  FakeHealth,
  kioskA,
  makeSender,
  openAgentDb,
  startTestCentral,
  tempDir,
  users,
  type TestCentral,
} from './helpers.js';

/** FakeHealth plus the services block a real agent sends. */
class DegradedHealth extends FakeHealth {
  override snapshot(): HealthSnapshot {
    return {
      ...super.snapshot(),
      services: {
        total: 4,
        paused: [
          { id: 'property', reasons: ['upstreamDown'] },
          { id: 'tax', reasons: ['upstreamDown'] },
          { id: 'social', reasons: ['upstreamDown'] },
        ],
      },
    };
  }
}

/** Visible controls smaller than 24×24 CSS px. */
async function smallTargets(page: Page): Promise<string[]> {
  return page.$$eval('button, a[href], input, select, textarea, [role="button"]', (els) =>
    els
      .map((e) => ({ e, r: e.getBoundingClientRect() }))
      .filter(({ r }) => r.width > 0 && r.height > 0)
      .filter(({ r }) => r.width < 24 || r.height < 24)
      .map(
        ({ e, r }) =>
          `${e.tagName.toLowerCase()} "${(e.textContent ?? '').trim().slice(0, 30)}" ${Math.round(r.width)}×${Math.round(r.height)}`,
      ),
  );
}

describe('dashboard accessibility and degraded services', () => {
  let central: TestCentral;
  let agentDir: ReturnType<typeof tempDir>;
  let db: Db;
  let sender: HeartbeatSender;
  let health: DegradedHealth;
  let browser: BrowserContext;
  let page: Page;
  let loginFindings: { axe: unknown[]; small: string[] } = { axe: [], small: [] };

  beforeAll(async () => {
    ensureCentralUiBuilt();
    central = await startTestCentral();
    agentDir = tempDir('agent-');
    db = openAgentDb(agentDir.dir);
    health = new DegradedHealth();
    health.paper = 'low';
    health.devices.printer = { device: 'online', paper: 'low' };
    sender = makeSender({ centralUrl: central.url, db, health, commands: new FakeCommands(health), intervalMs: 300 });
    sender.start();
    browser = await launchBrowser({ width: 1366, height: 900 });
    page = await browser.newPage();
    await page.goto(central.url);
    await page.getByLabel('用户名 Username').waitFor();
    loginFindings = { axe: await axeSerious(page), small: await smallTargets(page) };
    await signIn(page, users.operator);
  });

  afterAll(async () => {
    await browser?.close();
    await sender?.stop();
    db?.close();
    agentDir?.remove();
    await central?.close();
  });

  it('the login page passes axe and target sizes', () => {
    expect(loginFindings).toEqual({ axe: [], small: [] });
  });

  it('the fleet shows "in service" with its paused services as degraded, and passes axe and target sizes', async () => {
    const row = page.locator(`tr[data-kiosk="${kioskA.id}"]`);
    await row.locator('.badge[data-state="warning"]').waitFor();
    await row.getByTestId('degraded').waitFor();
    const degraded = await row.getByTestId('degraded').textContent();
    expect(degraded).toContain('3/4');
    expect(degraded).toContain('不动产查询');
    expect(await axeSerious(page)).toEqual([]);
    expect(await smallTargets(page)).toEqual([]);
  });

  it('the kiosk page and the alerts page (closed alerts included) pass axe and target sizes', async () => {
    // A warning alert that opens and closes again: closed alerts must keep readable badges.
    health.gas.creditPending = 1;
    await page.goto(`${central.url}/#/alerts`);
    await page.locator('tr[data-alert="gas-pending-credit"]').waitFor();
    health.gas.creditPending = 0;
    await page.locator('tr[data-alert="gas-pending-credit"]').waitFor({ state: 'detached' });
    await page.goto(`${central.url}/#/kiosk/${kioskA.id}`);
    await page.locator(`[data-kiosk-detail="${kioskA.id}"]`).waitFor();
    await page.getByTestId('degraded').waitFor();
    expect(await axeSerious(page)).toEqual([]);
    expect(await smallTargets(page)).toEqual([]);
    await page.getByRole('link', { name: '告警 Alerts' }).click();
    await page.locator('tr[data-alert="paper"]').waitFor();
    expect(await axeSerious(page)).toEqual([]);
    expect(await smallTargets(page)).toEqual([]);
    await page.getByLabel('包括已关闭 Include closed').check();
    await page.locator('tr.resolved[data-alert="gas-pending-credit"]').waitFor();
    expect(await axeSerious(page)).toEqual([]);
    await page.getByRole('link', { name: '长期未上线 Not seen' }).click();
    await page.waitForURL(/#\/not-seen/);
    await page.locator('main h1, main h2').first().waitFor();
    expect(await axeSerious(page)).toEqual([]);
    expect(await smallTargets(page)).toEqual([]);
    expect(await smallTargets(page)).toEqual([]);
  });
  it('the 好差评 ratings page (chart, tables, follow-ups, the handle dialog) passes axe and target sizes', async () => {
    const rating = (ratingId: string, level: string, score: number, reasons: string[]) => ({
      ratingId,
      service: 'licence',
      itemCode: '11421200MB1518434K4000517031000',
      itemName: '电子证照用证打印',
      department: '咸宁市政务服务和大数据管理局',
      level,
      score,
      reasons,
      ratedAt: new Date().toISOString(),
    });
    sender.enqueueEvent('rating.submitted', rating('a11y-rating-1', 'satisfied', 4, []));
    sender.enqueueEvent('rating.submitted', rating('a11y-rating-2', 'veryDissatisfied', 1, ['deviceFault', 'other']));
    await page.getByRole('link', { name: '好差评 Ratings' }).click();
    await page.locator('[data-testid="followups"] tr[data-service="licence"]').waitFor({ timeout: 15_000 });
    await page.getByTestId('rate-chart').locator('circle').first().waitFor();
    expect(await page.getByTestId('ratings-rate').textContent()).toBe('50.0%');
    // Narrowing to a service without ratings empties the figures; back to all restores them.
    await page.getByLabel('服务 Service').selectOption('licence');
    await expect.poll(() => page.getByTestId('ratings-total').textContent()).toBe('2');
    await page.getByLabel('服务 Service').selectOption('');
    expect(await axeSerious(page)).toEqual([]);
    expect(await smallTargets(page)).toEqual([]);
    await page.getByRole('button', { name: '标记已处理 Mark handled' }).click();
    await page.getByLabel('处理说明 Note').waitFor();
    expect(await axeSerious(page)).toEqual([]);
    expect(await smallTargets(page)).toEqual([]);
    // An empty note is refused with a readable message; the item stays open.
    await page.getByRole('button', { name: '保存 Save' }).click();
    await page.locator('.modal [role="alert"]').waitFor();
    await page.getByLabel('处理说明 Note').fill('设备已报修');
    await page.getByRole('button', { name: '保存 Save' }).click();
    await page.locator('[data-testid="followups"] tr[data-service="licence"]').waitFor({ state: 'detached' });
    await page.getByLabel('包括已处理 Include handled').check();
    await page.locator('[data-testid="followups"] tr.resolved').waitFor();
    expect(await axeSerious(page)).toEqual([]);
    expect(await smallTargets(page)).toEqual([]);
  });
});
