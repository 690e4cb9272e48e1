/**
 * 不动产登记信息查询 in the browser, against the full stack: card → list with each property's
 * status → confirm → the slip the printer simulator decoded, checked against /verify/<serial>;
 * a citizen without records; and paper running out at the print step, refilled by a guide.
 */
import { describe, expect, it } from 'vitest';
import { checkScreen, onScreen } from './kiosk.js';
import { flat, serialOf, type Stack } from '../flows/stack.js';
import { stackPerFile } from '../helpers/stack-per-file.js';

let s: Stack;

stackPerFile((stack) => (s = stack));

describe('property records journey', () => {
  it('card → properties with mortgage and seizure → print → the slip verifies upstream', async () => {
    const { page } = s;
    const person = s.sandbox.data.people.find((p) => p.idNumber === '421281199211080522')!;
    await s.begin('property', 'chibi-resident');
    await onScreen(page, 'service', 'list');
    expect(await page.getByTestId('rf-holder-number').textContent()).toBe('4212**********0522');
    expect(await page.getByTestId('property-item').count()).toBe(person.properties.length);
    const mortgage = person.properties.flatMap((p) => p.statuses).find((x) => x.type === 'mortgage')!;
    const seizure = person.properties.flatMap((p) => p.statuses).find((x) => x.type === 'seizure')!;
    const mortgageText = await page.getByTestId('status-mortgage').first().textContent();
    expect(mortgageText).toContain('抵押');
    expect(mortgageText).toContain(mortgage.type === 'mortgage' ? mortgage.mortgagee : '?');
    expect(await page.getByTestId('status-seizure').first().textContent()).toContain(
      seizure.type === 'seizure' ? seizure.authority : '?',
    );
    expect(await page.content()).not.toContain('421281199211080522');
    await checkScreen(page, 'services-property-list');

    await s.tap('rf-print');
    await onScreen(page, 'service', 'confirm');
    await checkScreen(page, 'services-property-confirm');
    await s.tap('rf-confirm-print');
    await onScreen(page, 'result', undefined, 20_000);
    await page.waitForSelector('[data-testid="print-status"]');
    expect(await page.getByTestId('print-status').textContent()).toContain('凭条已打印');

    const receipts = await s.receipts();
    expect(receipts).toHaveLength(1);
    const r = receipts[0]!;
    expect(r.interrupted).toBe(false);
    expect(r.cut).not.toBeNull();
    const text = flat(r.text);
    expect(text).toContain('不动产登记信息查询结果');
    expect(text).toContain('李*例');
    expect(text).toContain('4212**********0522');
    expect(r.text).not.toContain('421281199211080522');
    for (const p of person.properties) {
      expect(text).toContain(flat(p.certificateNo));
      expect(text).toContain(flat(p.location));
    }
    expect(text).toContain('抵押');
    expect(text).toContain('查封');
    const serial = serialOf(r);
    expect(r.qr).toHaveLength(1);
    expect(r.qr[0]!.data).toBe(`${s.sandbox.sandbox.publicBaseUrl}/verify/${serial}`);
    const v = await s.verify(serial);
    expect(v.slip.title).toBe('不动产登记信息查询结果');
    expect(v.slip.holder).toEqual({ nameMasked: '李*例', idNumberMasked: '4212**********0522' });
    expect(v.slip.records.map((x) => x['不动产权证号'])).toEqual(person.properties.map((p) => p.certificateNo));
    expect(await page.locator('.screen-body').textContent()).toContain(serial);
    await s.finish();
    await s.rig.control('DELETE', '/printer/receipts');
  }, 90_000);

  it('a citizen with no records sees a clear "no records" screen and nothing prints', async () => {
    const { page } = s;
    await s.begin('property', 'urumqi-long-name');
    await onScreen(page, 'service', 'noRecords');
    expect(await page.locator('h1').textContent()).toBe('未查询到您名下的不动产登记信息');
    expect(await page.getByTestId('no-records').textContent()).toContain('本次不会打印');
    await checkScreen(page, 'services-property-no-records');
    await s.tap('rf-done');
    await onScreen(page, 'result');
    expect(await page.getByTestId('print-status').count()).toBe(0);
    expect(await s.receipts()).toHaveLength(0);
    await s.finish();
    expect(await s.receipts()).toHaveLength(0);
  }, 60_000);

  it('paper runs out before printing: a clear message, nothing half-printed; after a refill the retry prints exactly one slip', async () => {
    const { page, rig } = s;
    await s.begin('property', 'xianan-resident');
    await onScreen(page, 'service', 'list');
    await s.tap('rf-print');
    await onScreen(page, 'service', 'confirm');
    // No wait for the agent's idle status poll: the print step checks the printer itself.
    await rig.control('POST', '/printer/state', { paper: 'out' });
    await s.tap('rf-confirm-print');
    await onScreen(page, 'result', undefined, 30_000);
    await page.waitForSelector('[data-testid="print-status"]');
    await expect.poll(async () => page.getByTestId('print-status').textContent(), { timeout: 30_000 }).toContain('凭条未能打印');
    const failed = await page.getByTestId('print-status').textContent();
    expect(failed).toContain('凭条未能打印');
    expect(failed).toContain('打印机缺纸');
    expect(await page.content()).not.toMatch(/\bat \S+\.(ts|js):\d+/);
    expect(await s.receipts()).toHaveLength(0);
    await checkScreen(page, 'services-paper-out');

    // A guide refills the paper; the citizen taps "print again".
    // No wait on the agent's status: "print again" appears once the kiosk sees the paper back
    // (issue 19), and the retry itself re-reads the printer before it prints (issue 20 item 13).
    await rig.control('POST', '/printer/state', { paper: 'full' });
    await s.tap('print-retry');
    await expect.poll(async () => page.getByTestId('print-status').textContent(), { timeout: 30_000 }).toContain('凭条已打印');
    const receipts = await s.receipts();
    expect(receipts).toHaveLength(1);
    expect(receipts[0]!.interrupted).toBe(false);
    expect(flat(receipts[0]!.text)).toContain('4212**********0610');
    const v = await s.verify(serialOf(receipts[0]!));
    expect(v.slip.holder?.nameMasked).toBe('孙*试');
    await s.finish();
    expect(await s.receipts()).toHaveLength(1);
    await rig.control('DELETE', '/printer/receipts');
  }, 150_000);
});
