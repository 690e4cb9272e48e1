/**
 * Issue 18 on the production composition (compose.ts: every module, real drivers over ptys
 * against the simulators, the sandbox, a real central) in headless Chromium:
 *
 * - 电子证照打印: ID card → consent → purpose → list → preview → a 不动产权证书 用证凭证 that the
 *   printer simulator decodes and `/verify/<serial>` answers; the fetch and the print are uses
 *   (用证记录) at the licence library with the purpose; the slip and screens are masked.
 * - 好差评: a service rated 满意, then one rated 不满意 with a reason: both reach the evaluation
 *   platform (no ID number; a salted hash only on the bad one), and central's dashboard shows the
 *   follow-up item and the satisfaction rate going from 100% to 50%; an operator marks it handled.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pseudonym } from '@kiosk/platform';
import { ensureUiBuilt, launchBrowser } from '../helpers/browser.js';
import { startProductionKiosk, productionKiosk, type ProductionKiosk } from '../helpers/production-kiosk.js';
import { users } from '../central/helpers.js';
import { signIn } from '../helpers/central-dashboard.js';
import { flat, serialOf } from '../flows/stack.js';
import type { ReceiptView } from '../../apps/simulators/src/printer/simulator.js';
import type { SlipVerifyResponse } from '@kiosk/contracts/upstream';
import { checkScreen, landscape, onScreen, openKiosk } from './kiosk.js';

let k: ProductionKiosk;
let kiosk: { browser: BrowserContext; page: Page };
let dash: BrowserContext;

beforeAll(async () => {
  ensureUiBuilt();
  k = await startProductionKiosk({ central: true });
  kiosk = await openKiosk(k.agent.url);
}, 120_000);

afterAll(async () => {
  await kiosk?.browser.close();
  await dash?.close();
  await k?.stop();
});

const tap = (testid: string) => kiosk.page.getByTestId(testid).click();

async function startLicence(profile: string): Promise<void> {
  const { page } = kiosk;
  await onScreen(page, 'attract', undefined, 30_000);
  await tap('attract-start');
  await onScreen(page, 'home');
  await tap('tile-licence');
  await onScreen(page, 'identity', 'waitCard');
  await k.control('POST', '/idcard/card', { profile });
  await onScreen(page, 'identity', 'confirmed', 20_000);
  await tap('continue');
  await onScreen(page, 'service', 'consent');
}

async function endSession(): Promise<void> {
  await onScreen(kiosk.page, 'goodbye');
  await k.control('DELETE', '/idcard/card');
  await tap('finish');
  await onScreen(kiosk.page, 'attract');
}

interface Stored {
  idempotencyKey: string;
  report: { level: string; reasons: string[]; itemName: string; channel: string; kioskId: string; subjectHash: string | null };
}
async function platformRatings(): Promise<Stored[]> {
  const res = await fetch(`${k.sandbox.url}/evaluation/v1/ratings`, {
    headers: { 'x-kiosk-id': productionKiosk.id, 'x-request-id': 'browser-test' },
  });
  return ((await res.json()) as { ratings: Stored[] }).ratings;
}

async function openDashboard(): Promise<Page> {
  dash ??= await launchBrowser(landscape);
  const page = dash.pages()[0] ?? (await dash.newPage());
  await page.goto(k.central!.url);
  const loginForm = page.getByLabel('用户名 Username');
  const ratingsTab = page.getByRole('link', { name: '好差评 Ratings' });
  // The page renders after its script loads: wait for either the form or the signed-in tabs.
  await loginForm.or(ratingsTab).first().waitFor();
  if (await loginForm.count()) await signIn(page, users.operator);
  await ratingsTab.click();
  await page.getByTestId('ratings-view').waitFor();
  return page;
}

describe('电子证照打印 and 好差评 on the production kiosk', () => {
  it('prints a 不动产权证书 copy slip that verifies, records both uses, and takes a 满意 rating', async () => {
    const { page } = kiosk;
    await startLicence('xianan-resident');
    expect(await page.getByTestId('licence-consent-text').textContent()).toContain('电子证照库');
    await checkScreen(page, 'licence-consent');
    await tap('licence-agree');
    await onScreen(page, 'service', 'purpose');
    await checkScreen(page, 'licence-purpose');
    await tap('licence-purpose-schoolEnrolment');
    await onScreen(page, 'service', 'list', 20_000);
    const types = await page.getByTestId('licence-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-type')));
    expect(types).toEqual(expect.arrayContaining(['householdRegister', 'realEstate', 'marriage', 'businessLicence']));
    await checkScreen(page, 'licence-list');
    const estate = page.locator('[data-testid="licence-item"][data-type="realEstate"]').first();
    const licenceId = (await estate.getAttribute('data-licence'))!;
    await estate.click();
    await onScreen(page, 'service', 'preview');
    const fields = await page.getByTestId('licence-field').allTextContents();
    expect(fields).toContain('孙*试');
    expect(await page.content()).not.toContain('421202198503120610');
    expect(await page.content()).not.toContain('孙测试');
    await checkScreen(page, 'licence-preview');
    await tap('licence-print');
    await onScreen(page, 'result', undefined, 30_000);
    await expect.poll(() => page.getByTestId('print-status').textContent(), { timeout: 30_000 }).toContain('凭条已打印');

    const receipts = (await k.control('GET', '/printer/receipts')) as ReceiptView[];
    expect(receipts).toHaveLength(1);
    const r = receipts[0]!;
    const text = flat(r.text);
    expect(text).toContain('电子证照用证凭证');
    expect(text).toContain('不动产权证书');
    expect(text).toContain('子女入学');
    expect(text).toContain('孙*试');
    expect(text).toContain('4212**********0610');
    expect(r.text).not.toContain('421202198503120610');
    expect(text).toContain('打印时间');
    const serial = serialOf(r);
    expect(r.qr).toHaveLength(1);
    expect(r.qr[0]!.data).toBe(`${k.sandbox.sandbox.publicBaseUrl}/verify/${serial}`);
    const v = (await (
      await fetch(`${k.sandbox.url}/verify/${serial}`, { headers: { accept: 'application/json' } })
    ).json()) as SlipVerifyResponse;
    expect(v.slip.kind).toBe('licence-copy');
    expect(v.slip.title).toBe('电子证照用证凭证');
    expect(v.slip.holder).toEqual({ nameMasked: '孙*试', idNumberMasked: '4212**********0610' });
    expect(v.slip.meta?.['证照名称 Licence']).toBe('不动产权证书');
    expect(v.slip.meta?.['用证事由 Purpose']).toContain('子女入学');
    expect(v.slip.records[0]?.['权利人']).toBe('孙*试');
    // The human page a phone opens from the QR.
    const html = await (await fetch(`${k.sandbox.url}/verify/${serial}`, { headers: { accept: 'text/html' } })).text();
    expect(html).toContain(serial);

    const uses = (await (
      await fetch(`${k.sandbox.url}/licences/v1/licences/${encodeURIComponent(licenceId)}/uses`, {
        headers: { 'x-kiosk-id': productionKiosk.id, 'x-request-id': 'uses' },
      })
    ).json()) as { uses: { action: string; purpose: string; slipSerial: string | null }[] };
    expect(uses.uses.map((u) => [u.action, u.purpose, u.slipSerial])).toEqual([
      ['fetch', 'schoolEnrolment', null],
      ['print', 'schoolEnrolment', serial],
    ]);

    await tap('continue');
    await onScreen(page, 'rating');
    await tap('rate-satisfied');
    await endSession();
    await k.control('DELETE', '/printer/receipts');

    await expect.poll(async () => (await platformRatings()).length, { timeout: 30_000 }).toBe(1);
    const dashboard = await openDashboard();
    await expect.poll(() => dashboard.getByTestId('ratings-rate').textContent(), { timeout: 30_000 }).toBe('100.0%');
  }, 240_000);

  it('a 不满意 rating with a reason reaches the platform and opens a follow-up at central; the rate drops; an operator handles it', async () => {
    const { page } = kiosk;
    // The citizen without licences: the quickest way to a result (nothing prints).
    await startLicence('urumqi-long-name');
    await tap('licence-agree');
    await onScreen(page, 'service', 'purpose');
    await tap('licence-purpose-socialInsurance');
    await onScreen(page, 'service', 'noLicences', 20_000);
    await checkScreen(page, 'licence-none');
    await tap('rf-done');
    await onScreen(page, 'result');
    await tap('continue');
    await onScreen(page, 'rating');
    await tap('rate-dissatisfied');
    await onScreen(page, 'rating', 'reasons');
    // Skipping stays one tap away on the reasons screen too.
    expect(await page.getByTestId('rating-skip').isVisible()).toBe(true);
    await tap('reason-waitTooLong');
    await expect.poll(() => page.getByTestId('reason-waitTooLong').getAttribute('aria-pressed')).toBe('true');
    await checkScreen(page, 'rating-reasons');
    await tap('rating-submit');
    await endSession();

    // The evaluation platform: both ratings, the bad one with its reason and a salted hash only.
    await expect.poll(async () => (await platformRatings()).length, { timeout: 30_000 }).toBe(2);
    const bad = (await platformRatings()).find((r) => r.report.level === 'dissatisfied')!;
    expect(bad.report).toMatchObject({
      reasons: ['waitTooLong'],
      itemName: '电子证照用证打印',
      channel: '自助终端',
      kioskId: productionKiosk.id,
    });
    const urumqi = k.sandbox.data.people.find((p) => p.name === '买买提·测试样例')!;
    expect(bad.report.subjectHash).toBe(pseudonym(k.config.ratings.hashSalt!, urumqi.idNumber));
    expect(JSON.stringify(await platformRatings())).not.toContain(urumqi.idNumber);
    expect((await platformRatings()).find((r) => r.report.level === 'satisfied')!.report.subjectHash).toBeNull();

    // Central: the follow-up item, per site and per service, and the rate at 50%.
    const dashboard = await openDashboard();
    const row = dashboard.locator('[data-testid="followups"] tr[data-service="licence"]');
    await row.first().waitFor({ timeout: 30_000 });
    expect(await row.count()).toBe(1);
    expect(await row.locator('[data-field="reasons"]').textContent()).toContain('等待时间长');
    await expect.poll(() => dashboard.getByTestId('ratings-rate').textContent(), { timeout: 30_000 }).toBe('50.0%');
    const site = dashboard.locator(`[data-testid="ratings-by-site"] tr[data-key="${productionKiosk.site}"]`);
    expect(await site.locator('[data-field="open"]').textContent()).toBe('1');
    const service = dashboard.locator('[data-testid="ratings-by-service"] tr[data-key="licence"]');
    expect(await service.locator('[data-field="bad"]').textContent()).toBe('1');
    expect(await service.locator('[data-field="rate"]').textContent()).toBe('50.0%');
    expect(await dashboard.getByTestId('rate-chart').locator('circle').count()).toBeGreaterThanOrEqual(1);

    await row.getByRole('button', { name: '标记已处理 Mark handled' }).click();
    await dashboard.getByLabel('处理说明 Note').fill('已联系群众，优化高峰时段引导');
    await dashboard.getByRole('button', { name: '保存 Save' }).click();
    await expect
      .poll(() => dashboard.locator('[data-testid="followups"] tr[data-service="licence"]').count(), { timeout: 15_000 })
      .toBe(0);
    await dashboard.getByLabel('包括已处理 Include handled').check();
    const handled = dashboard.locator('[data-testid="followups"] tr[data-service="licence"] [data-field="state"]');
    await expect.poll(() => handled.textContent(), { timeout: 15_000 }).toContain('已联系群众');
  }, 240_000);
});
