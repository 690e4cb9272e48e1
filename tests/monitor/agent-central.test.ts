import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext } from 'playwright-core';
import { startAgent, type Agent } from '../../apps/agent/src/agent.js';
import { silentLogger } from '@kiosk/platform';
import { createSessionModule } from '../../apps/agent/src/session/module.js';
import { createMonitorModuleWith, getMonitorApi } from '../../apps/agent/src/monitor/module.js';
import { checkMetrics, findPromtool } from '../helpers/promtool.js';
import { testConfig } from '../helpers/config.js';
import { ensureUiBuilt, launchBrowser, screenshotPath } from '../helpers/browser.js';
import { getJson, login, postJson, startTestCentral, users, waitFor, type TestCentral } from '../central/helpers.js';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defaultUiDir } from '../../apps/central/src/server.js';
import { projectRoot } from '@kiosk/kiosk-config';

/**
 * The production wiring of the agent's monitor module against a real central over loopback HTTP:
 * heartbeats, local /metrics, UI liveness, and a remote "out of service" that the kiosk screen shows.
 */
const kiosk = { id: 'XN-TEST-M1', secret: 'monitor-test-secret-0123456789', site: '咸宁市政务服务中心', name: '测试机' };
let central: TestCentral;
let agent: Agent;
let browser: BrowserContext;

beforeAll(async () => {
  if (!existsSync(join(defaultUiDir, 'index.html'))) {
    execFileSync(
      process.execPath,
      [join(projectRoot, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'apps/central/ui/vite.config.ts'],
      {
        cwd: projectRoot,
        stdio: 'ignore',
      },
    );
  }
  central = await startTestCentral({ kiosks: [kiosk] });
  const config = testConfig((c) => {
    c.kiosk.id = kiosk.id;
    c.central.url = central.url;
    c.central.secret = kiosk.secret;
    c.central.heartbeatIntervalMs = 1000;
    c.devices.idcard.enabled = false;
    c.devices.printer.enabled = false;
    c.devices.camera.enabled = false;
  });
  agent = await startAgent(config, {
    logger: silentLogger(),
    uiDir: ensureUiBuilt(),
    modules: [createSessionModule, createMonitorModuleWith({ screenshot: async () => Buffer.from('not-a-real-png') })],
  });
  browser = await launchBrowser({ width: 1080, height: 1920 });
});

afterAll(async () => {
  await browser?.close();
  await agent?.stop();
  await central?.close();
});

describe('agent monitor module with a real central', () => {
  it('the kiosk appears online at central with its UI alive, and /metrics passes promtool', async () => {
    const page = await browser.newPage();
    await page.goto(agent.url);
    const cookie = await login(central.url, users.operator);
    const k = await waitFor('kiosk online with a live UI', async () => {
      const r = await getJson<{ kiosks: { id: string; state: string; uiAlive?: boolean }[] }>(
        `${central.url}/api/v1/kiosks`,
        cookie,
      );
      const row = r.body.kiosks.find((x) => x.id === kiosk.id);
      return row?.state === 'online' && getMonitorApi(agent.context)?.sender.lastResult().lastSuccessAt ? row : undefined;
    });
    expect(k.state).toBe('online');
    const health = (await (await fetch(`${agent.url}/healthz`)).json()) as { central: { lastSuccessAt: string | null } };
    expect(health.central.lastSuccessAt).toBeTruthy();

    const text = await (await fetch(`${agent.url}/metrics`)).text();
    expect(text).toMatch(/kiosk_mode\{[^}]*mode="in-service"[^}]*\} 1/);
    expect(text).toMatch(/kiosk_ui_alive\{[^}]*\} 1/);
    const promtool = findPromtool();
    expect(promtool, 'promtool (Debian prometheus) is needed; npm test installs it').toBeTruthy();
    const check = checkMetrics(promtool!, text);
    expect(check.stderr + check.stdout).toBe('');
    expect(check.status).toBe(0);
    await page.close();
  });

  it('"out of service" from the dashboard API switches the kiosk screen and is acknowledged', async () => {
    const page = await browser.newPage();
    await page.goto(agent.url);
    await page.getByTestId('attract-start').waitFor();
    const cookie = await login(central.url, users.operator);
    const sent = await postJson<{ command: { id: string } }>(
      `${central.url}/api/v1/kiosks/${kiosk.id}/commands`,
      { kind: 'set-out-of-service', message: '设备维护中，请稍后再来' },
      cookie,
    );
    expect(sent.status).toBe(202);
    await page.getByTestId('screen-outOfService').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('screen-outOfService').textContent()).toContain('12345');
    expect(agent.mode()).toBe('out-of-service');
    await page.screenshot({ path: screenshotPath('remote-out-of-service') });
    const acked = await waitFor('command acknowledged', async () => {
      const r = await getJson<{ command: { status: string; detail: string | null } }>(
        `${central.url}/api/v1/commands/${sent.body.command.id}`,
        cookie,
      );
      return ['succeeded', 'failed'].includes(r.body.command.status) ? r.body.command : undefined;
    });
    expect(acked.status).toBe('succeeded');
    const audit = agent.db.prepare("SELECT action FROM audit_log WHERE action LIKE '%command%'").pluck().all();
    expect(audit.length).toBeGreaterThan(0);
    // and back in service
    await postJson(`${central.url}/api/v1/kiosks/${kiosk.id}/commands`, { kind: 'set-in-service' }, cookie);
    await page.getByTestId('attract-start').waitFor({ timeout: 15_000 });
    expect(agent.mode()).toBe('in-service');
    await page.close();
  });

  it('an operator in the dashboard sends "out of service" and the kiosk screen switches', async () => {
    const kioskPage = await browser.newPage();
    await kioskPage.goto(agent.url);
    await kioskPage.getByTestId('attract-start').waitFor();
    const ops = await browser.newPage();
    await ops.setViewportSize({ width: 1366, height: 900 });
    await ops.goto(central.url);
    await ops.getByLabel('用户名 Username').fill(users.operator.username);
    await ops.getByLabel('密码 Password').fill(users.operator.password);
    await ops.getByRole('button', { name: '登录 Log in' }).click();
    const row = ops.locator(`tr[data-kiosk="${kiosk.id}"]`);
    await row.locator('a.kiosk-link').click();
    await ops.locator(`[data-kiosk-detail="${kiosk.id}"]`).waitFor();
    await ops.locator('[data-command="set-out-of-service"]').click();
    const dialog = ops.getByRole('dialog');
    await dialog.getByLabel('屏幕提示 Message on screen').fill('设备维护中 Under maintenance');
    await dialog.getByRole('button', { name: '确认下发 Send command' }).click();
    await kioskPage.getByTestId('screen-outOfService').waitFor({ timeout: 15_000 });
    expect(await kioskPage.getByTestId('screen-outOfService').textContent()).toContain('设备维护中');
    await ops.locator('[data-testid="commands"] tr[data-status="succeeded"]').first().waitFor({ timeout: 15_000 });
    await ops.screenshot({ path: screenshotPath('dashboard-command-succeeded') });
    await kioskPage.screenshot({ path: screenshotPath('kiosk-out-of-service-from-dashboard') });
    await ops.close();
    await kioskPage.close();
  });
});
