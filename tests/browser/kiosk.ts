/**
 * Browser helpers for the session UI tests: open the kiosk page, run axe-core, measure touch
 * targets, screenshot a screen in both orientations, and look for personal data left behind.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import { seriousAxeFindings } from '../helpers/axe.js';
import { launchBrowser, screenshotPath } from '../helpers/browser.js';

export const portrait = { width: 1080, height: 1920 };
export const landscape = { width: 1920, height: 1080 };

export async function openKiosk(
  url: string,
  viewport = portrait,
  userDataDir?: string,
): Promise<{ browser: BrowserContext; page: Page }> {
  const browser = await launchBrowser(viewport, userDataDir);
  const page = await browser.newPage();
  await page.goto(url);
  await page.waitForSelector('[data-testid^="screen-"]:not([data-testid="screen-loading"])');
  return { browser, page };
}

/** Waits for a screen (and step) to show. */
export async function onScreen(page: Page, screen: string, step?: string, timeout = 10_000): Promise<void> {
  const sel = step ? `[data-testid="screen-${screen}"][data-step="${step}"]` : `[data-testid="screen-${screen}"]`;
  await page.waitForSelector(sel, { timeout });
}

/**
 * From a result screen: 继续, skip the rating, and on the goodbye screen either end the session
 * (`finish`: back to attract) or go on with another service (`another`: back to home).
 */
export async function skipRatingAndLeave(page: Page, then: 'finish' | 'another'): Promise<void> {
  await page.getByTestId('continue').click();
  await onScreen(page, 'rating');
  await page.getByTestId('rating-skip').click();
  await onScreen(page, 'goodbye');
  await page.getByTestId(then).click();
  await onScreen(page, then === 'finish' ? 'attract' : 'home');
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: number;
}

/** axe-core in the page (plus the 7:1 contrast rule); returns violations of impact serious or critical. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  // 7:1 contrast (WCAG AAA, off in axe by default) is what issue 5 asks for.
  const found = await seriousAxeFindings(page, ['color-contrast-enhanced']);
  return found.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.targets.length }));
}

/** Every visible interactive element's box, smallest first. */
export async function targetBoxes(page: Page): Promise<{ what: string; w: number; h: number }[]> {
  const boxes = await page.$$eval(
    'button, a[href], input, select, textarea, [role="button"], [tabindex]:not([tabindex="-1"])',
    (els) =>
      els
        .map((e) => {
          const r = e.getBoundingClientRect();
          const style = getComputedStyle(e);
          const visible = r.width > 0 && r.height > 0 && style.visibility !== 'hidden' && style.display !== 'none';
          return {
            visible,
            what: (e.getAttribute('data-testid') ?? e.textContent ?? e.tagName).trim().slice(0, 40),
            w: r.width,
            h: r.height,
          };
        })
        .filter((b) => b.visible),
  );
  return boxes.map(({ what, w, h }) => ({ what, w, h })).sort((a, b) => Math.min(a.w, a.h) - Math.min(b.w, b.h));
}

export async function expectTargets(page: Page, min: number): Promise<void> {
  const boxes = await targetBoxes(page);
  expect(boxes.length).toBeGreaterThan(0);
  for (const b of boxes) {
    expect(b.w, `${b.what} width`).toBeGreaterThanOrEqual(min);
    expect(b.h, `${b.what} height`).toBeGreaterThanOrEqual(min);
  }
}

/** The smallest font size of any element that shows text. */
export async function minFontSize(page: Page): Promise<number> {
  return page.$$eval('body *', (els) =>
    Math.min(
      ...els
        .filter((e) => {
          const r = e.getBoundingClientRect();
          return r.width > 0 && [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent?.trim());
        })
        .map((e) => parseFloat(getComputedStyle(e).fontSize)),
    ),
  );
}

/**
 * The lowest text/background contrast on the page. axe counts 24 px text as "large" (AAA needs
 * only 4.5:1 there), so the 7:1 issue 5 asks for is measured here: each element with its own
 * text, its colour against the first opaque background behind it.
 */
export async function minContrast(page: Page): Promise<{ ratio: number; what: string }> {
  return page.evaluate(() => {
    const parse = (c: string): number[] => (c.match(/[\d.]+/g) ?? []).map(Number);
    const lum = ([r, g, b]: number[]): number => {
      const f = (v: number): number => {
        const x = v / 255;
        return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * f(r!) + 0.7152 * f(g!) + 0.0722 * f(b!);
    };
    const background = (el: Element | null): number[] => {
      for (let e = el; e; e = e.parentElement) {
        const c = parse(getComputedStyle(e).backgroundColor);
        if (c.length === 3 || (c.length === 4 && c[3] === 1)) return c.slice(0, 3);
      }
      return [255, 255, 255];
    };
    let worst = { ratio: 21, what: '' };
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect();
      const ownText = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent?.trim());
      if (!ownText || r.width === 0 || r.height === 0 || el.closest('[aria-hidden="true"]')) continue;
      const fg = lum(parse(getComputedStyle(el).color));
      const bg = lum(background(el));
      const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
      if (ratio < worst.ratio) worst = { ratio: Math.round(ratio * 100) / 100, what: (el.textContent ?? '').trim().slice(0, 30) };
    }
    return worst;
  });
}

/**
 * The checks every screen gets: axe (no serious/critical), targets ≥ 64 (88 elder), no text under
 * 24 px (32 elder), text contrast ≥ 7:1, and screenshots in portrait and landscape.
 */
export async function checkScreen(page: Page, name: string, opts: { elder?: boolean } = {}): Promise<void> {
  const violations = await seriousViolations(page);
  expect(violations, `axe on ${name}`).toEqual([]);
  await expectTargets(page, opts.elder ? 88 : 64);
  expect(await minFontSize(page), `smallest text on ${name}`).toBeGreaterThanOrEqual(opts.elder ? 32 : 24);
  const contrast = await minContrast(page);
  expect(contrast.ratio, `contrast of "${contrast.what}" on ${name}`).toBeGreaterThanOrEqual(7);
  const original = page.viewportSize() ?? portrait;
  await page.setViewportSize(portrait);
  await page.screenshot({ path: screenshotPath(`session-${name}-portrait`) });
  await page.setViewportSize(landscape);
  await page.screenshot({ path: screenshotPath(`session-${name}-landscape`) });
  await page.setViewportSize(original);
}

/** What the browser still holds: DOM text, and the contents of every kind of storage. */
export async function leftovers(page: Page): Promise<{ text: string; local: number; session: number; idb: string[] }> {
  return page.evaluate(async () => ({
    text: document.body.innerText + document.documentElement.outerHTML,
    local: localStorage.length,
    session: sessionStorage.length,
    idb: ((await indexedDB.databases()) ?? []).map((d) => d.name ?? ''),
  }));
}

/** Puts something in every kind of storage, as a careless library might. */
export async function litterStorage(page: Page): Promise<void> {
  await page.evaluate(async () => {
    localStorage.setItem('left-behind', '孙*试');
    sessionStorage.setItem('left-behind', '4212**********0610');
    await new Promise<void>((resolve) => {
      const req = indexedDB.open('left-behind-db', 1);
      req.onupgradeneeded = () => req.result.createObjectStore('s');
      req.onsuccess = () => {
        req.result.close();
        resolve();
      };
      req.onerror = () => resolve();
    });
  });
}

/**
 * A paged list's items across all its pages (components/Paged.tsx): the given attribute of every
 * `testid` element, page by page with 下一页, then back to the first page.
 */
export async function allPages(page: Page, testid: string, attr: string): Promise<string[]> {
  const out: string[] = [];
  const pager = page.locator('.paged').first();
  const pages = Number((await pager.getAttribute('data-pages')) ?? '1');
  for (let p = 1; p <= pages; p++) {
    await expect.poll(() => pager.getAttribute('data-page')).toBe(String(p));
    for (const el of await page.getByTestId(testid).all()) out.push((await el.getAttribute(attr)) ?? '');
    if (p < pages) await page.getByTestId('page-next').click();
  }
  for (let p = pages; p > 1; p--) await page.getByTestId('page-prev').click();
  await expect.poll(() => pager.getAttribute('data-page')).toBe('1');
  return out;
}
