/**
 * Issue 19 (low list): in English the record lists show no untranslated upstream words — periods
 * ("至"), grades ("第9档 …元/年"), insurance and tax types — in headless Chromium on the full stack.
 */
import { describe, expect, it } from 'vitest';
import type { Stack } from '../flows/stack.js';
import { stackPerFile } from '../helpers/stack-per-file.js';
import { onScreen } from './kiosk.js';

let s: Stack;
stackPerFile((stack) => (s = stack));

const cjk = /[\u3400-\u9fff]/;

describe('record lists in English', () => {
  it('social insurance (residents): grade, period and insurance type are English', async () => {
    const { page } = s;
    await s.begin('social', 'chibi-resident');
    await onScreen(page, 'service', 'chooseKind');
    await s.tap('lang-switch');
    await s.tap('social-kind-resident');
    await onScreen(page, 'service', 'years');
    await page.locator('[data-testid^="social-year-"]').first().click();
    await onScreen(page, 'service', 'list');
    const records = await page.getByTestId('social-record').allTextContents();
    expect(records.length).toBeGreaterThan(0);
    for (const r of records) expect(r, r).not.toMatch(cjk);
    // Pension rows carry the residents' grade (第N档 …元/年).
    expect(records.some((r) => /grade \d+ ¥\d+\/year/.test(r))).toBe(true);
    await page.getByTestId('social-record').first().click();
    await onScreen(page, 'service', 'confirm');
    for (const l of await page.getByTestId('rf-lines').locator('li').allTextContents()) expect(l, l).not.toMatch(cjk);
    await s.tap('lang-switch');
  }, 60_000);
});
