/**
 * Layout checks for the screen sweep (issue 19 item 3): every control fully on screen without
 * scrolling, not clipped by a scroll box and not covered by anything else; every text inside its own
 * box; no hidden scrolling; no
 * `{placeholder}` left in the text; plus axe, text and target sizes and 7:1 text contrast from
 * kiosk.ts. Each check
 * returns problems as strings, so one sweep reports every screen at once.
 */
import type { Page } from 'playwright-core';
import { landscape, minContrast, minFontSize, portrait, seriousViolations, targetBoxes } from './kiosk.js';
import { screenshotPath } from '../helpers/browser.js';

export type Mode = 'zh' | 'en' | 'elder';
export const modes: readonly Mode[] = ['zh', 'en', 'elder'];
export const orientations = { portrait, landscape } as const;

/** The project's sizes (styles.css, issue 5), above the reference's floor (44/60 dp targets, 18 dp elder text). */
export const limits = {
  normal: { target: 64, text: 24 },
  elder: { target: 88, text: 32 },
};

/** Controls that are not where they can be seen and tapped, with the reason. */
export async function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const vw = window.innerWidth;
    const vh = window.innerHeight;
    const name = (e: Element): string =>
      (e.getAttribute('data-testid') ?? e.getAttribute('aria-label') ?? e.textContent ?? e.tagName)
        .trim()
        .replace(/\s+/g, ' ')
        .slice(0, 40);
    const visible = (e: Element): boolean => {
      const r = e.getBoundingClientRect();
      const st = getComputedStyle(e);
      return r.width > 0 && r.height > 0 && st.visibility !== 'hidden' && st.display !== 'none';
    };
    // Nothing may hide in a scroll box: a list that needs scrolling hides records (item 7).
    for (const e of document.querySelectorAll('body *')) {
      const st = getComputedStyle(e);
      const scrolls = /(auto|scroll)/.test(st.overflowY) && e.scrollHeight > e.clientHeight + 2;
      const scrollsX = /(auto|scroll)/.test(st.overflowX) && e.scrollWidth > e.clientWidth + 2;
      if ((scrolls || scrollsX) && visible(e))
        out.push(
          `hidden scrolling in <${e.tagName.toLowerCase()} class="${e.className}"> (${e.scrollHeight} > ${e.clientHeight})`,
        );
    }
    // A page of a paged list shows whole items only.
    for (const v of document.querySelectorAll('.paged-view')) {
      const list = v.firstElementChild;
      if (list && list.getBoundingClientRect().bottom > v.getBoundingClientRect().bottom + 0.5)
        out.push(`paged list cut off: ${name(list)}`);
    }
    const controls = document.querySelectorAll('button, a[href], input, select, textarea, [role="button"]');
    for (const e of controls) {
      if (!visible(e)) continue;
      const r = e.getBoundingClientRect();
      const what = name(e);
      if (r.left < -0.5 || r.top < -0.5 || r.right > vw + 0.5 || r.bottom > vh + 0.5) {
        out.push(
          `off-screen: "${what}" at ${Math.round(r.left)},${Math.round(r.top)}–${Math.round(r.right)},${Math.round(r.bottom)} (viewport ${vw}×${vh})`,
        );
        continue;
      }
      // Clipped by an ancestor that cuts its content off.
      for (let a = e.parentElement; a; a = a.parentElement) {
        const st = getComputedStyle(a);
        if (st.overflowX === 'visible' && st.overflowY === 'visible') continue;
        const b = a.getBoundingClientRect();
        if (r.left < b.left - 0.5 || r.top < b.top - 0.5 || r.right > b.right + 0.5 || r.bottom > b.bottom + 0.5) {
          out.push(`clipped: "${what}" by <${a.tagName.toLowerCase()} class="${a.className}">`);
          break;
        }
      }
      // Covered: the points a finger would hit belong to the control.
      // (Inset from the edges: rounded corners are not part of the button.)
      const cx = (r.left + r.right) / 2;
      const cy = (r.top + r.bottom) / 2;
      const pts = [
        [cx, cy],
        [cx, r.top + r.height * 0.2],
        [cx, r.bottom - r.height * 0.2],
        [r.left + r.width * 0.2, cy],
        [r.right - r.width * 0.2, cy],
      ] as const;
      for (const [x, y] of pts) {
        const hit = document.elementFromPoint(x, y);
        if (hit && hit !== e && !e.contains(hit)) {
          out.push(`covered: "${what}" by "${name(hit)}" <${hit.tagName.toLowerCase()} class="${hit.className}">`);
          break;
        }
      }
    }
    // Text stays inside its own box: every line of a text lies within the nearest element that draws
    // a box around it (a control, a border or a background). A box squeezed below its content lets the
    // words run over its border while the box itself is on screen and unclipped (the portrait home
    // screen with six tiles did: the last row's subtitles ran over the tiles' edges).
    const drawsBox = (e: Element): boolean => {
      const st = getComputedStyle(e);
      return (
        e.matches('button, a[href], input, select, textarea, [role="button"]') ||
        ['Top', 'Right', 'Bottom', 'Left'].some((s) => parseFloat(st.getPropertyValue(`border-${s.toLowerCase()}-width`)) > 0) ||
        (st.backgroundColor !== 'rgba(0, 0, 0, 0)' && st.backgroundColor !== 'transparent') ||
        st.backgroundImage !== 'none'
      );
    };
    const texts = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    for (let t = texts.nextNode(); t; t = texts.nextNode()) {
      const holder = t.parentElement;
      if (!holder || !t.textContent?.trim() || !visible(holder)) continue;
      let box: Element | null = holder;
      while (box && box !== document.body && !drawsBox(box)) box = box.parentElement;
      const b = box && box !== document.body ? box.getBoundingClientRect() : { left: 0, top: 0, right: vw, bottom: vh };
      range.selectNodeContents(t);
      const out1 = [...range.getClientRects()].find(
        (r) =>
          r.width > 0 && (r.left < b.left - 0.5 || r.top < b.top - 0.5 || r.right > b.right + 0.5 || r.bottom > b.bottom + 0.5),
      );
      if (out1)
        out.push(
          `text overflows its box: "${t.textContent.trim().replace(/\s+/g, ' ').slice(0, 40)}" out of ${box && box !== document.body ? `"${name(box)}" <${box.tagName.toLowerCase()} class="${box.className}">` : 'the viewport'} (${Math.round(out1.left)},${Math.round(out1.top)}–${Math.round(out1.right)},${Math.round(out1.bottom)} vs ${Math.round(b.left)},${Math.round(b.top)}–${Math.round(b.right)},${Math.round(b.bottom)})`,
        );
    }
    if (/\{\w*\}?/.test(document.body.innerText)) {
      const m = /.{0,20}\{\w*\}?.{0,20}/.exec(document.body.innerText);
      out.push(`placeholder in text: "${m?.[0] ?? '{'}"`);
    }
    return out;
  });
}

/** Two animation frames: layout and paint after a viewport or class change. */
export async function settle(page: Page): Promise<void> {
  await page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
}

/** Everything wrong with the page as it is now, prefixed with where. */
export async function screenProblems(page: Page, where: string, elder: boolean): Promise<string[]> {
  const out: string[] = [];
  const lim = elder ? limits.elder : limits.normal;
  for (const v of await seriousViolations(page)) out.push(`axe ${v.impact} ${v.id}: ${v.help} (${v.nodes})`);
  for (const b of await targetBoxes(page)) {
    if (b.w < lim.target - 0.5 || b.h < lim.target - 0.5)
      out.push(`target "${b.what}" ${Math.round(b.w)}×${Math.round(b.h)} < ${lim.target}`);
  }
  const font = await minFontSize(page);
  if (font < lim.text) out.push(`text ${font}px < ${lim.text}px`);
  const contrast = await minContrast(page);
  if (contrast.ratio < 7) out.push(`contrast ${contrast.ratio}:1 < 7:1 for "${contrast.what}"`);
  out.push(...(await layoutProblems(page)));
  if (out.length > 0) await page.screenshot({ path: screenshotPath(`sweep-${where.replace(/[^\w-]+/g, '_')}`) });
  return out.map((p) => `${where}: ${p}`);
}
