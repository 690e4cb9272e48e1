import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { launchBrowser } from '../helpers/browser.js';
import { ensureCentralUiBuilt, signIn } from '../helpers/central-dashboard.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '@kiosk/kiosk-config';
import type { HeartbeatSender } from '../../apps/agent/src/monitor/heartbeat.js';
import type { Db } from '@kiosk/platform';
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

const artifacts = join(projectRoot, 'test-artifacts/central');

describe('dashboard in headless Chromium', () => {
  let central: TestCentral;
  let agentDir: ReturnType<typeof tempDir>;
  let profile: ReturnType<typeof tempDir>;
  let db: Db;
  let sender: HeartbeatSender;
  let health: FakeHealth;
  let commands: FakeCommands;
  let context: BrowserContext;

  beforeAll(async () => {
    ensureCentralUiBuilt();
    mkdirSync(artifacts, { recursive: true });
    central = await startTestCentral();
    agentDir = tempDir('agent-');
    db = openAgentDb(agentDir.dir);
    health = new FakeHealth();
    health.paper = 'low';
    health.devices.printer = { device: 'online', paper: 'low' };
    commands = new FakeCommands(health);
    sender = makeSender({ centralUrl: central.url, db, health, commands, intervalMs: 200 });
    sender.start();
    profile = tempDir('chromium-');
    context = await launchBrowser({ width: 1366, height: 900 }, profile.dir);
  });

  afterAll(async () => {
    await context?.close();
    await sender?.stop();
    db?.close();
    agentDir?.remove();
    profile?.remove();
    await central?.close();
  });

  async function logIn(page: Page, user: { username: string; password: string }): Promise<void> {
    await page.goto(central.url);
    await signIn(page, user);
  }

  it('an operator logs in, sees the fleet, opens a kiosk and sets it out of service; the kiosk acknowledges', async () => {
    const page = await context.newPage();
    try {
      await page.goto(central.url);
      // Wrong password first: a clear message, still on the login form.
      await page.getByLabel('用户名 Username').fill(users.operator.username);
      await page.getByLabel('密码 Password').fill('wrong-password');
      await page.getByRole('button', { name: '登录 Log in' }).click();
      await page.getByRole('alert').getByText('用户名或密码错误').waitFor();

      await logIn(page, users.operator);
      const row = page.locator(`tr[data-kiosk="${kioskA.id}"]`);
      await row.locator('.badge[data-state="warning"]').waitFor();
      expect(await row.textContent()).toContain('告警 Warning');
      expect(await row.textContent()).toContain('将尽 Low');
      // The never-seen kiosk is listed as offline under its own site.
      await page.locator('tr[data-kiosk="XN-TEST-02"] .badge[data-state="offline"]').waitFor();
      expect(await page.locator('.site-title').allTextContents()).toEqual(
        expect.arrayContaining([expect.stringContaining('咸宁市政务服务中心'), expect.stringContaining('嘉鱼县政务服务中心')]),
      );
      // Search narrows the list.
      await page.getByLabel('搜索 Search').fill('嘉鱼');
      await page.locator(`tr[data-kiosk="${kioskA.id}"]`).waitFor({ state: 'detached' });
      expect(await page.getByTestId('shown-count').textContent()).toBe('1 / 2');
      await page.getByLabel('搜索 Search').fill('');
      await page.screenshot({ path: join(artifacts, 'fleet.png'), fullPage: true });

      // Hold the command in a money step so it is seen queued/waiting before it runs.
      commands.moneyStep = true;
      await row.locator('a.kiosk-link').click();
      await page.locator(`[data-kiosk-detail="${kioskA.id}"]`).waitFor();
      await page.locator('[data-command="set-out-of-service"]').click();
      const dialog = page.getByRole('dialog');
      await dialog.waitFor();
      await dialog.getByLabel('屏幕提示 Message on screen').fill('设备维护中，请到2号机办理 Under maintenance');
      await dialog.getByRole('button', { name: '确认下发 Send command' }).click();
      await dialog.waitFor({ state: 'detached' });

      const cmd = page.locator('[data-testid="commands"] tr[data-command-id]').first();
      await cmd.waitFor();
      expect(['queued', 'delivered', 'waiting']).toContain(await cmd.getAttribute('data-status'));
      await page.locator('[data-testid="commands"] tr[data-status="waiting"]').waitFor();
      expect(commands.calls).toEqual([]);

      commands.moneyStep = false;
      await page.locator('[data-testid="commands"] tr[data-status="succeeded"]').waitFor();
      expect(commands.calls).toEqual([{ kind: 'set-out-of-service', message: '设备维护中，请到2号机办理 Under maintenance' }]);
      await page.getByTestId('mode').getByText('暂停服务 Out of service').waitFor();
      await page.screenshot({ path: join(artifacts, 'kiosk-detail.png'), fullPage: true });
    } finally {
      await page.close();
    }
  });

  it('a viewer sees the fleet and alerts but no command buttons', async () => {
    const page = await context.newPage();
    try {
      await context.clearCookies();
      await logIn(page, users.viewer);
      await page.goto(`${central.url}/#/kiosk/${kioskA.id}`);
      await page.locator(`[data-kiosk-detail="${kioskA.id}"]`).waitFor();
      await page.getByText('只读账号不能下发命令').waitFor();
      expect(await page.locator('[data-command]').count()).toBe(0);
      await page.getByRole('link', { name: '告警 Alerts' }).click();
      await page.locator('tr[data-alert="paper"]').waitFor();
      expect(await page.locator('[data-ack]').count()).toBe(0);
    } finally {
      await page.close();
    }
  });

  it('fits a phone screen without sideways scrolling', async () => {
    const page = await context.newPage();
    try {
      await page.setViewportSize({ width: 390, height: 844 });
      await context.clearCookies();
      await logIn(page, users.operator);
      await page.locator(`tr[data-kiosk="${kioskA.id}"]`).waitFor();
      expect(await page.evaluate('document.documentElement.scrollWidth <= document.documentElement.clientWidth')).toBe(true);
      await page.screenshot({ path: join(artifacts, 'fleet-phone.png'), fullPage: true });
      await page.goto(`${central.url}/#/kiosk/${kioskA.id}`);
      await page.locator(`[data-kiosk-detail="${kioskA.id}"]`).waitFor();
      expect(await page.evaluate('document.documentElement.scrollWidth <= document.documentElement.clientWidth')).toBe(true);
      await page.screenshot({ path: join(artifacts, 'kiosk-phone.png'), fullPage: true });
    } finally {
      await page.close();
    }
  });
});
