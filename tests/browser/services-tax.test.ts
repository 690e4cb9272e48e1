/**
 * 个人所得税纳税记录 in the browser against the full stack: card → year range (current and two
 * previous by default) → records → print, checked against the printer simulator and /verify;
 * no records in the chosen years; the tax bureau down.
 */
import { describe, expect, it } from 'vitest';
import { groupDigits } from '../../apps/agent/src/receipts/slips/index.js';
import { defaultTaxYears } from '../../apps/agent/src/services/tax.js';
import { allPages, checkScreen, onScreen } from './kiosk.js';
import { flat, serialOf, type Stack } from '../flows/stack.js';
import { stackPerFile } from '../helpers/stack-per-file.js';
import { postJson } from '../sandbox/fixture.js';

let s: Stack;

stackPerFile((stack) => (s = stack));

describe('tax records journey', () => {
  it('card → default years → one year chosen → records → print with verification codes; the slip verifies', async () => {
    const { page } = s;
    const { fromYear, toYear } = defaultTaxYears();
    const person = s.sandbox.data.people.find((p) => p.idNumber === '421202198503120610')!;
    await s.begin('tax', 'xianan-resident');
    await onScreen(page, 'service', 'chooseYears');
    expect(await page.getByTestId(`tax-from-${fromYear}`).getAttribute('aria-pressed')).toBe('true');
    expect(await page.getByTestId(`tax-to-${toYear}`).getAttribute('aria-pressed')).toBe('true');
    await checkScreen(page, 'services-tax-years');
    // Narrow to the previous year only.
    await s.tap(`tax-to-${toYear - 1}`);
    await expect.poll(() => page.getByTestId(`tax-to-${toYear - 1}`).getAttribute('aria-pressed')).toBe('true');
    await s.tap(`tax-from-${toYear - 1}`);
    await expect.poll(() => page.getByTestId(`tax-from-${toYear - 1}`).getAttribute('aria-pressed')).toBe('true');
    await s.tap('tax-query');
    await onScreen(page, 'service', 'list');
    const expected = person.tax.filter((r) => r.periodStart.startsWith(String(toYear - 1)));
    expect(expected.length).toBeGreaterThan(0);
    // Every record, page by page (no scroll box hides any).
    expect(await allPages(page, 'tax-record', 'data-voucher')).toEqual(expected.map((r) => groupDigits(r.voucherNo)));
    expect(await page.getByTestId('tax-record').first().getAttribute('data-voucher')).toBe(groupDigits(expected[0]!.voucherNo));
    await checkScreen(page, 'services-tax-list');
    await s.tap('rf-print');
    await onScreen(page, 'service', 'confirm');
    await checkScreen(page, 'services-tax-confirm');
    await s.tap('rf-confirm-print');
    await onScreen(page, 'result', undefined, 20_000);
    await expect.poll(() => page.getByTestId('print-status').textContent(), { timeout: 20_000 }).toContain('凭条已打印');

    const receipts = await s.receipts();
    expect(receipts).toHaveLength(1);
    const r = receipts[0]!;
    const text = flat(r.text);
    expect(text).toContain('个人所得税纳税记录');
    expect(text).toContain('孙*试');
    expect(text).toContain('4212**********0610');
    for (const rec of expected) {
      expect(text).toContain(rec.verificationCode);
      expect(text).toContain(flat(groupDigits(rec.voucherNo)));
    }
    const serial = serialOf(r);
    expect(r.qr.map((q) => q.data)).toEqual([`${s.sandbox.sandbox.publicBaseUrl}/verify/${serial}`]);
    const v = await s.verify(serial);
    expect(v.slip.kind).toBe('tax');
    expect(v.slip.records.map((x) => x['验证码'])).toEqual(expected.map((x) => x.verificationCode));
    expect(v.slip.holder).toEqual({ nameMasked: '孙*试', idNumberMasked: '4212**********0610' });
    await s.finish();
    await s.rig.control('DELETE', '/printer/receipts');
  }, 120_000);

  it('no records: a clear screen, Back leads to the year choice, and nothing prints', async () => {
    const { page } = s;
    await s.begin('tax', 'urumqi-long-name');
    await onScreen(page, 'service', 'chooseYears');
    await s.tap('tax-query');
    await onScreen(page, 'service', 'noRecords');
    expect(await page.locator('h1').textContent()).toBe('未查询到纳税记录');
    await checkScreen(page, 'services-tax-no-records');
    await s.tap('rf-back');
    await onScreen(page, 'service', 'chooseYears');
    await s.tap('tax-query');
    await onScreen(page, 'service', 'noRecords');
    await s.tap('rf-done');
    await onScreen(page, 'result');
    await s.finish();
    expect(await s.receipts()).toHaveLength(0);
  }, 60_000);

  it('the tax bureau failing shows a message a citizen understands, then a retry works', async () => {
    const { page } = s;
    await postJson(`${s.sandbox.url}/admin/faults`, { operation: 'tax.query', kind: 'error', status: 503, count: 1 });
    await s.begin('tax', 'xianan-resident');
    await s.tap('tax-query');
    await onScreen(page, 'service', 'error');
    expect(await page.getByTestId('rf-error').textContent()).toBe('税务系统暂时无法使用，请稍后再试或咨询工作人员。');
    expect(await page.content()).not.toMatch(/UpstreamError|SERVER_ERROR|\bat \S+:\d+/);
    await checkScreen(page, 'services-error');
    await s.tap('rf-retry');
    await onScreen(page, 'service', 'list');
    await s.tap('rf-back');
    await onScreen(page, 'service', 'chooseYears');
    await s.tap('rf-back');
    await onScreen(page, 'home');
    await s.rig.control('DELETE', '/idcard/card');
    await s.tap('home-exit');
    await onScreen(page, 'goodbye');
    await s.tap('finish');
    await onScreen(page, 'attract');
    expect(await s.receipts()).toHaveLength(0);
  }, 60_000);
});
