/**
 * 燃气充值 in the browser: the sandbox upstream (gas company + payment provider), an agent with
 * the session's gas flow and the gas module (tests/session/rig.ts: the production gas card and
 * printer drivers over socat ptys against their simulators; no ID card, no camera), and the kiosk
 * page in headless Chromium.
 */
import type { BrowserContext, Page } from 'playwright-core';
import type { KioskConfig } from '@kiosk/kiosk-config';
import { createGasFlow } from '../../apps/agent/src/flows/gas.js';
import { createGasModuleWith } from '../../apps/agent/src/gas/module.js';
import { createServices, type Services, type ServicesOptions } from '../../apps/agent/src/services/index.js';
import { startRig, type Rig } from '../session/rig.js';
import { startTestSandbox, type TestSandbox } from '../sandbox/fixture.js';
import { openKiosk } from '../browser/kiosk.js';
import { ensureUiBuilt } from './browser.js';
import { testConfig } from './config.js';

export interface GasKiosk {
  sandbox: TestSandbox;
  rig: Rig;
  /** The upstream clients the gas module uses, for a test to ask the payment provider itself. */
  services: Services;
  browser: BrowserContext;
  page: Page;
  stop(): Promise<void>;
}

export async function startGasKiosk(opts: {
  retry: ServicesOptions['retry'];
  config?: (c: KioskConfig) => void;
}): Promise<GasKiosk> {
  const uiDir = ensureUiBuilt();
  const sandbox = await startTestSandbox();
  const services = createServices({
    baseUrl: sandbox.url,
    timeoutMs: 3000,
    kioskId: testConfig().kiosk.id,
    ...(opts.retry ? { retry: opts.retry } : {}),
  });
  const rig = await startRig({
    devices: ['gascard', 'printer'],
    config: (c) => {
      c.upstream.baseUrl = sandbox.url;
      c.devices.idcard.enabled = false;
      c.devices.camera.enabled = false;
      c.session.countdown.defaultMs = 180_000;
      opts.config?.(c);
    },
    session: { flows: { gas: createGasFlow() } },
    modules: [createGasModuleWith({ services })],
    uiDir,
  });
  const { browser, page } = await openKiosk(rig.agent.url);
  return {
    sandbox,
    rig,
    services,
    browser,
    page,
    async stop() {
      await browser.close();
      await rig.stop();
      await sandbox.close();
    },
  };
}
