/**
 * The sweep's layout check on pages made for it: text that runs over its own box is reported (the
 * portrait home screen with six tiles once did this and the sweep missed it), text that fits is not.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { launchBrowser } from '../helpers/browser.js';
import { layoutProblems } from './sweep.js';

let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  context = await launchBrowser({ width: 800, height: 600 });
  page = await context.newPage();
});

afterAll(async () => {
  await context?.close();
});

const tile = (height: number): string =>
  `<button style="display:flex;flex-direction:column;justify-content:center;width:200px;height:${height}px;border:4px solid #000;background:#fff;font-size:24px">
     <span>Title</span><span>a subtitle of three lines at this width</span>
   </button>`;

it('reports text that runs over the border of its box, naming the box', async () => {
  await page.setContent(`<body style="margin:0">${tile(60)}</body>`);
  const problems = await layoutProblems(page);
  expect(problems.join('\n')).toMatch(/text overflows its box: "a subtitle of three lines at this width" out of "Title/);
});

it('is quiet when the box holds its text', async () => {
  await page.setContent(`<body style="margin:0">${tile(300)}</body>`);
  expect(await layoutProblems(page)).toEqual([]);
});
