import type { BrowserContext } from 'playwright-core';
import { existsSync, mkdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '@kiosk/kiosk-config';
import { tempDir } from './config.js';
import { chromiumPath, launchHeadlessChromium } from '../../apps/agent/src/monitor/screenshot.js';

export { chromiumPath };
/** Screenshots land here (git-ignored). */
export const artifactsDir = join(projectRoot, 'test-artifacts');

/** Debian's Chromium, headless, quiet on a closed network; never a downloaded browser. */
export async function launchBrowser(
  viewport = { width: 1080, height: 1920 },
  userDataDir?: string,
  options: { timezoneId?: string } = {},
): Promise<BrowserContext> {
  if (!existsSync(chromiumPath)) {
    throw new Error(`Chromium not found at ${chromiumPath}: install the Debian package "chromium" (npm test does this as root)`);
  }
  // userDataDir: a test that searches the browser's profile on disk picks where it is.
  return launchHeadlessChromium(userDataDir ?? tempDir('kiosk-chromium-'), viewport, options);
}

/** The built kiosk UI; builds it when a test runs on its own without `npm test`'s build step. */
export function ensureUiBuilt(): string {
  const dist = join(projectRoot, 'apps/kiosk-ui/dist');
  if (!existsSync(join(dist, 'index.html'))) {
    execFileSync(
      process.execPath,
      [join(projectRoot, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'apps/kiosk-ui/vite.config.ts'],
      {
        cwd: projectRoot,
        stdio: 'ignore',
      },
    );
  }
  return dist;
}

export function screenshotPath(name: string): string {
  mkdirSync(artifactsDir, { recursive: true });
  return join(artifactsDir, `${name}.png`);
}
