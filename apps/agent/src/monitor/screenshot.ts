import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';

/** Debian's Chromium (CHROMIUM_PATH overrides it); never a downloaded browser. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Headless Chromium on a profile of its own, quiet on the kiosk's closed network: no QUIC, no
 * background or component-update traffic, no sync. The one launch the screenshot, the tests and the
 * benchmarks share. `timezoneId` runs the page in another zone (a kiosk image often runs in UTC).
 */
export async function launchHeadlessChromium(
  profileDir: string,
  viewport: { width: number; height: number },
  options: { timezoneId?: string } = {},
): Promise<BrowserContext> {
  // playwright-core is loaded on demand: most agents never take a screenshot.
  const { chromium } = await import('playwright-core');
  return chromium.launchPersistentContext(profileDir, {
    executablePath: chromiumPath,
    headless: true,
    viewport,
    ...options,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * A screenshot of what the kiosk screen shows. The agent owns the session and the UI is a pure
 * view of it, so a headless Chromium opening the agent's own page renders the same screen the
 * citizen sees (masked data only, like the screen itself). It connects read-only: the UI sends
 * nothing but `Session.GetState` until someone taps.
 */
export async function renderScreenshot(agentUrl: string, viewport = { width: 1080, height: 1920 }): Promise<Uint8Array> {
  const profile = mkdtempSync(join(tmpdir(), 'kiosk-shot-'));
  const context = await launchHeadlessChromium(profile, viewport);
  try {
    const page = await context.newPage();
    await page.goto(agentUrl, { waitUntil: 'networkidle', timeout: 15_000 });
    return await page.screenshot({ type: 'png' });
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
