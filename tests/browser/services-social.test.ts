/**
 * 社保缴费凭单/票据 in the browser against the full stack: card → kind → year → one payment →
 * print, for both kinds, checked against the printer simulator and /verify; no records; and the
 * social-insurance system down greys its tile on the home screen.
 */
import { describe, expect, it } from 'vitest';
import { yuan } from '../../apps/agent/src/receipts/slips/index.js';
import { allPages, checkScreen, onScreen } from './kiosk.js';
import { flat, serialOf, type Stack } from '../flows/stack.js';
import { stackPerFile } from '../helpers/stack-per-file.js';
import { postJson } from '../sandbox/fixture.js';

let s: Stack;

stackPerFile((stack) => (s = stack));

describe('social-insurance journey', () => {
  for (const [kind, profile, id, masked, title] of [
    ['resident', 'chibi-resident', '421281199211080522', '李*例', '城乡居民社保费缴款凭单'],
    ['flexible', 'xianan-resident', '421202198503120610', '孙*试', '灵活就业人员社保票据'],
  ] as const) {
    it(`${kind}: card → kind → year → choose a payment → print; the slip verifies`, async () => {
      const { page } = s;
      const person = s.sandbox.data.people.find((p) => p.idNumber === id)!;
      await s.begin('social', profile);
      await onScreen(page, 'service', 'chooseKind');
      if (kind === 'resident') await checkScreen(page, 'services-social-kind');
      await s.tap(`social-kind-${kind}`);
      await onScreen(page, 'service', 'years');
      if (kind === 'resident') await checkScreen(page, 'services-social-years');
      const firstYear = await page.locator('[data-testid^="social-year-"]').first().getAttribute('data-testid');
      const year = Number(firstYear!.replace('social-year-', ''));
      const ofYear = person.social.filter((r) => r.kind === kind && r.periodStart.startsWith(String(year)));
      expect(ofYear.length).toBeGreaterThan(0);
      await s.tap(`social-year-${year}`);
      await onScreen(page, 'service', 'list');
      expect(await allPages(page, 'social-record', 'data-voucher')).toHaveLength(ofYear.length);
      if (kind === 'resident') await checkScreen(page, 'services-social-list');
      const pick = page.getByTestId('social-record').first();
      const voucher = (await pick.getAttribute('data-voucher'))!;
      const record = ofYear.find(
        (r) => r.voucherNo.startsWith(voucher.replace(/\s/g, '').slice(0, 12)) && flat(voucher) === r.voucherNo,
      )!;
      expect(record).toBeDefined();
      await pick.click();
      await onScreen(page, 'service', 'confirm');
      expect(await page.getByTestId('rf-slip-title').textContent()).toBe(title);
      await s.tap('rf-confirm-print');
      await onScreen(page, 'result', undefined, 20_000);
      await expect.poll(() => page.getByTestId('print-status').textContent(), { timeout: 20_000 }).toContain('凭条已打印');

      const receipts = await s.receipts();
      expect(receipts).toHaveLength(1);
      const r = receipts[0]!;
      const text = flat(r.text);
      expect(text).toContain(title);
      expect(text).toContain(masked);
      expect(text).toContain(`${id.slice(0, 4)}**********${id.slice(-4)}`);
      expect(r.text).not.toContain(id);
      expect(text).toContain(flat(voucher));
      expect(text).toContain(flat(yuan(record.amountFen)));
      expect(text).toContain(record.insuranceType);
      if (kind === 'flexible') expect(text).toContain(flat(yuan(record.baseFen!)));
      else expect(text).toContain(record.grade!);
      const serial = serialOf(r);
      expect(r.qr.map((q) => q.data)).toEqual([`${s.sandbox.sandbox.publicBaseUrl}/verify/${serial}`]);
      const v = await s.verify(serial);
      expect(v.slip.kind).toBe(`social-${kind}`);
      expect(v.slip.records).toEqual([
        expect.objectContaining({ 票据号码: voucher, 缴费金额: yuan(record.amountFen), 险种: record.insuranceType }),
      ]);
      await s.finish();
      await s.rig.control('DELETE', '/printer/receipts');
    }, 120_000);
  }

  it('no payments: a clear "no records" screen and nothing prints', async () => {
    const { page } = s;
    await s.begin('social', 'urumqi-long-name');
    await s.tap('social-kind-resident');
    await onScreen(page, 'service', 'noRecords');
    expect(await page.locator('h1').textContent()).toBe('未查询到社保缴费记录');
    await s.tap('rf-done');
    await onScreen(page, 'result');
    await s.finish();
    expect(await s.receipts()).toHaveLength(0);
  }, 60_000);

  it('the social-insurance system down: its tile greys out with a reason, the others stay usable', async () => {
    const { page } = s;
    // Five failing calls open the breaker (DEFAULT_BREAKER.failureThreshold).
    await postJson(`${s.sandbox.url}/admin/faults`, { operation: 'social.query', kind: 'error', status: 503, count: 100 });
    for (let i = 0; i < 5; i++) {
      await s.services.social
        .queryPayments({ idNumber: '421202198503120610', kind: 'resident', fromYear: 2024, toYear: 2026 })
        .catch(() => undefined);
    }
    expect(s.services.breakers.social.state).toBe('open');
    await onScreen(page, 'attract');
    await s.tap('attract-start');
    await onScreen(page, 'home');
    await expect.poll(() => page.getByTestId('tile-social').textContent(), { timeout: 10_000 }).toContain('业务系统暂时无法连接');
    expect(await page.getByTestId('tile-tax').textContent()).not.toContain('业务系统暂时无法连接');
    await fetch(`${s.sandbox.url}/admin/faults`, { method: 'DELETE' });
    await s.tap('home-exit');
    await onScreen(page, 'goodbye');
    await s.tap('finish');
    await onScreen(page, 'attract');
  }, 60_000);
});
