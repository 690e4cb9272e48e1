/**
 * A kiosk rig (tests/session/rig.ts) serving the built UI, with the kiosk page open in headless
 * Chromium, for all the tests of the enclosing describe (or file): started before the first,
 * browser and rig stopped after the last. The suite keeps its own variables and receives them
 * through `use`, so its tests read as before.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startRig, type Rig, type RigOptions } from '../session/rig.js';
import { openKiosk } from '../browser/kiosk.js';
import { ensureUiBuilt } from './browser.js';

export interface RigKiosk {
  rig: Rig;
  browser: BrowserContext;
  page: Page;
}

export function rigKioskPerSuite(opts: Omit<RigOptions, 'uiDir'>, use: (k: RigKiosk) => void, timeoutMs?: number): void {
  let rig: Rig | undefined;
  let browser: BrowserContext | undefined;
  beforeAll(async () => {
    rig = await startRig({ uiDir: ensureUiBuilt(), ...opts });
    const opened = await openKiosk(rig.agent.url);
    browser = opened.browser;
    use({ rig, ...opened });
  }, timeoutMs);
  afterAll(async () => {
    await browser?.close();
    await rig?.stop();
  });
}
