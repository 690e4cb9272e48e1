/**
 * Issue 19 in the gas flow: 补写卡 leads with the gas card (a few taps) and never asks to scan a
 * QR code the kiosk cannot read (item 9); the goodbye after a gas top-up asks for the gas card and
 * the slip, not an ID card nobody inserted (low list).
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type Agent } from '../../apps/agent/src/agent.js';
import { createGasCardDriver } from '../../apps/agent/src/devices/gascard/driver.js';
import { createPrinterDriver } from '../../apps/agent/src/devices/printer/index.js';
import { createGasFlow } from '../../apps/agent/src/flows/gas.js';
import { createGasModuleWith } from '../../apps/agent/src/gas/module.js';
import { silentLogger } from '@kiosk/platform';
import { createServices } from '../../apps/agent/src/services/index.js';
import { createSessionModuleWith } from '../../apps/agent/src/session/module.js';
import { createControlApp } from '../../apps/simulators/src/control-api.js';
import { createGasCardSimulator, type GasCardSimulator } from '../../apps/simulators/src/gascard/index.js';
import { createPrinterSimulator, type PrinterSimulator } from '../../apps/simulators/src/printer/index.js';
import { ensureUiBuilt } from '../helpers/browser.js';
import { tempDir, testConfig } from '../helpers/config.js';
import { startTestSandbox, type TestSandbox } from '../sandbox/fixture.js';
import { onScreen, openKiosk } from './kiosk.js';

let t: TestSandbox;
let agent: Agent;
let gascard: GasCardSimulator;
let printer: PrinterSimulator;
let server: Server;
let controlUrl = '';
let browser: BrowserContext;
let page: Page;

async function control(method: 'POST' | 'DELETE', path: string, body?: unknown): Promise<void> {
  const res = await fetch(`${controlUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status}`);
}
const tap = (id: string) => page.getByTestId(id).click();

beforeAll(async () => {
  const uiDir = ensureUiBuilt();
  t = await startTestSandbox();
  const dir = tempDir('kiosk-gas-pending-');
  gascard = createGasCardSimulator({
    agentPath: join(dir, 'gascard'),
    devicePath: join(dir, 'gascard-dev'),
    stateFile: join(dir, 'gascard-sim.json'),
  });
  printer = createPrinterSimulator({ agentPath: join(dir, 'printer'), devicePath: join(dir, 'printer-dev') });
  await gascard.start();
  await printer.start();
  const config = testConfig((c) => {
    c.upstream.baseUrl = t.url;
    c.devices.idcard.enabled = false;
    c.devices.camera.enabled = false;
    c.devices.gascard = {
      enabled: true,
      transport: { kind: 'serial', path: join(dir, 'gascard'), baudRate: 115200 },
      pollIntervalMs: 50,
      requestTimeoutMs: 500,
      writeTimeoutMs: 1000,
    };
    c.devices.printer.transport = { kind: 'serial', path: join(dir, 'printer'), baudRate: 115200 };
    c.session.countdown.defaultMs = 180_000;
  });
  const services = createServices({ baseUrl: t.url, timeoutMs: 3000, kioskId: config.kiosk.id, retry: { maxAttempts: 1 } });
  server = createControlApp([gascard, printer]).listen(0, '127.0.0.1');
  await once(server, 'listening');
  controlUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  agent = await startAgent(config, {
    logger: silentLogger(),
    devices: (db) => [createGasCardDriver(config.devices.gascard!), createPrinterDriver(config.devices.printer, db)],
    modules: [createSessionModuleWith({ flows: { gas: createGasFlow() } }), createGasModuleWith({ services })],
    uiDir,
  });
  ({ browser, page } = await openKiosk(agent.url));
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await agent?.stop();
  if (server) await new Promise<void>((r) => server.close(() => r()));
  await gascard?.stop();
  await printer?.stop();
  await t?.close();
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
