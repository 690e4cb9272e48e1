/**
 * Issue 19 item 5: paper runs out in the middle of a slip. The result screen must not show a
 * green tick: it says the slip is incomplete and void, offers the slip's verification page as a QR
 * to fetch on a phone, offers 重新打印 only once the printer is back, and the kiosk reports it to
 * central through the monitor's durable outbox (central itself is not running here).
 *
 * Full stack: sandbox, agent with the production record flows, ID card and printer drivers over
 * ptys against their simulators (the printer simulator runs out of paper at a byte count).
 */
import { describe, expect, it } from 'vitest';
import { flat, serialOf, type Stack } from '../flows/stack.js';
import { stackPerFile } from '../helpers/stack-per-file.js';
import { checkScreen, onScreen } from './kiosk.js';

let s: Stack;

/** What waits in the monitor's durable outbox for central (central is not running here). */
const outbox = (): { type: string; payload: Record<string, unknown> }[] =>
  (
    s.rig.agent.context.db.prepare('SELECT type, payload FROM monitor_outbox ORDER BY seq').all() as {
      type: string;
      payload: string;
    }[]
  ).map((r) => ({
    type: r.type,
    payload: JSON.parse(r.payload) as Record<string, unknown>,
  }));

stackPerFile((stack) => (s = stack), { monitor: true }, 90_000);

describe('paper out mid-print', () => {
  it('says the slip is void, shows a QR for the phone, reports to central, and reprints once the paper is back', async () => {
    const { page, rig } = s;
    await rig.control('DELETE', '/printer/receipts');
    await s.begin('property', 'xianan-resident');
    await onScreen(page, 'service', 'list');
    await s.tap('rf-print');
    await onScreen(page, 'service', 'confirm');
    // The roll ends a few lines into the slip.
    await rig.control('POST', '/printer/state', { paperOutAfter: 300 });
    await s.tap('rf-confirm-print');
    await onScreen(page, 'result', undefined, 30_000);
    await page.waitForSelector('[data-testid="print-status"]', { timeout: 30_000 });

    // Never a green tick for a cut-off slip.
    expect(await page.locator('[data-testid="screen-result"]').getAttribute('class')).toContain('tone-bad');
    expect(await page.locator('h1').textContent()).toBe('凭条打印不完整，已作废');
    expect(await page.getByTestId('slip-void').textContent()).toContain('不能作为凭证使用');
    expect(await page.getByTestId('print-status').textContent()).toContain('凭条未能打印');
    // The partial slip really is in the tray (and has no QR): that is what the screen warns about.
    const partial = await s.receipts();
    expect(partial).toHaveLength(1);
    expect(partial[0]!.qr).toHaveLength(0);

    // No 重新打印 while the paper is out; the QR leads to the verifiable slip on a phone.
    expect(await page.getByTestId('print-retry').count()).toBe(0);
    expect(await page.getByTestId('print-wait').textContent()).toContain('打印机恢复后');
    const url = (await page.getByTestId('verify-qr').getAttribute('data-url'))!;
    expect(url).toMatch(new RegExp(`^${s.sandbox.sandbox.publicBaseUrl}/verify/XN\\d{8}-[0-9A-Z]{10}$`));
    expect(await page.locator('[data-testid="verify-qr"] svg').count()).toBe(1);
    const serial = url.split('/').at(-1)!;
    expect((await s.verify(serial)).slip.holder?.nameMasked).toBe('孙*试');
    await checkScreen(page, 'result-slip-void');

    // Reported to central (the monitor's durable outbox) as an alert staff must acknowledge.
    expect(outbox()).toContainEqual({
      type: 'alert',
      payload: expect.objectContaining({ code: 'slip-incomplete', severity: 'error' }),
    });
    expect(JSON.stringify(outbox())).not.toContain('421');

    // Paper back: 重新打印 appears and prints the whole slip, the same serial.
    await rig.control('POST', '/printer/state', { paper: 'full' });
    await page.getByTestId('print-retry').waitFor({ timeout: 15_000 });
    await s.tap('print-retry');
    await expect.poll(() => page.getByTestId('print-status').textContent(), { timeout: 30_000 }).toContain('凭条已打印');
    expect(await page.locator('h1').textContent()).not.toContain('作废');
    expect(await page.getByTestId('slip-void').count()).toBe(0);
    // The cut-off slip, then the reprint: a whole slip with its QR (the driver cleared the rest of
    // the interrupted job, issue 21, so nothing else came out).
    const all = await s.receipts();
    expect(all).toHaveLength(2);
    const whole = all[1]!;
    expect(whole.interrupted).toBe(false);
    expect(whole.qr.map((q) => q.data)).toEqual([url]);
    expect(serialOf(whole)).toBe(serial);
    expect(flat(whole.text)).toContain('4212**********0610');
    await s.finish();
  }, 120_000);
});
