/**
 * Central's ops dashboard in headless Chromium: build its UI when a test runs on its own, sign in
 * through the login form, and run axe-core over the page.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { projectRoot } from '@kiosk/kiosk-config';
import { defaultUiDir } from '../../apps/central/src/server.js';
import { seriousAxeFindings } from './axe.js';

/** The built dashboard; builds it when a test runs on its own without `npm test`'s build step. */
export function ensureCentralUiBuilt(): void {
  if (!existsSync(join(defaultUiDir, 'index.html'))) {
    execFileSync(
      process.execPath,
      [join(projectRoot, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'apps/central/ui/vite.config.ts'],
      { cwd: projectRoot, stdio: 'ignore' },
    );
  }
}

/** Fills the login form on the page as it is and waits until the top bar names the user. */
export async function signIn(page: Page, user: { username: string; password: string }): Promise<void> {
  await page.getByLabel('用户名 Username').fill(user.username);
  await page.getByLabel('密码 Password').fill(user.password);
  await page.getByRole('button', { name: '登录 Log in' }).click();
  await page.locator('.top .who').getByText(user.username).waitFor();
}

/** axe-core's serious and critical violations on the page, with the nodes they name. */
export async function axeSerious(page: Page): Promise<{ id: string; impact: string | null; targets: string[] }[]> {
  return (await seriousAxeFindings(page)).map(({ id, impact, targets }) => ({ id, impact, targets }));
}
