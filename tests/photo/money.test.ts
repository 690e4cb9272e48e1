/**
 * The photo order's money path against the sandbox over HTTP (payment provider and photo
 * platform, with injected faults), on a real agent database: paid before upload; an upload that
 * fails is retried in the background; past the give-up time the order is voided at the platform
 * and refunded; an unknown void answer is never refunded; a receipt that exists after all is
 * recorded, not refunded; a restart (photo gone: it is never on disk) goes the refund path.
 */
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { photoSchema } from '@kiosk/kiosk-config';
import { openDatabase, silentLogger } from '@kiosk/platform';
import { PhotoJournal } from '../../apps/agent/src/photo/journal.js';
import { PhotoOrders } from '../../apps/agent/src/photo/orders.js';
import { isPhotoOrderNo, reconcilePhoto } from '../../apps/agent/src/photo/reconcile.js';
import { reconcile } from '../../apps/agent/src/gas/reconcile.js';
import { chinaDate } from '@kiosk/platform';
import { createServices } from '../../apps/agent/src/services/index.js';
import { createPhotoConnector } from '../../apps/agent/src/services/photo.js';
import { agentMigrations } from '../../apps/agent/src/store/migrations.js';
import { settlePayment } from '../../apps/simulators/src/payments-control.js';
import { tempDir } from '../helpers/config.js';
import { startTestSandbox, type TestSandbox } from '../sandbox/fixture.js';

const KIOSK = 'XN-PHOTO-01';
let t: TestSandbox;
let photo: Buffer;
const H = { 'content-type': 'application/json', 'x-kiosk-id': KIOSK, 'x-request-id': 'photo-money-test' };

beforeAll(async () => {
  t = await startTestSandbox();
  const raw = Buffer.alloc(358 * 441 * 3);
  let seed = 11;
  for (let i = 0; i < raw.length; i++) raw[i] = 120 + ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 90);
  photo = await sharp(raw, { raw: { width: 358, height: 441, channels: 3 } })
    .jpeg({ quality: 50 })
    .toBuffer();
});
afterAll(async () => {
  await t?.close();
});

async function fault(operation: string, kind: string, count = 1, phase: 'before' | 'after' = 'before'): Promise<void> {
  const r = await fetch(`${t.url}/admin/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ operation, kind, count, phase, status: 503 }),
  });
  expect(r.status).toBe(201);
}

function rig(dir = tempDir('kiosk-photo-money-'), clock = { now: Date.now() }, kioskId = KIOSK) {
  const db = openDatabase(join(dir, 'agent.db'), agentMigrations);
  const settings = photoSchema.parse({ uploadGiveUpMs: 60_000, uploadRetryMs: 1000 });
  const services = createServices({
    baseUrl: t.url,
    timeoutMs: 800,
    kioskId,
    retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 10 },
    breaker: { failureThreshold: 1000 },
  });
  const platform = createPhotoConnector({
    baseUrl: t.url,
    timeoutMs: 800,
    kioskId,
    logger: silentLogger(),
    retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 10 },
    breaker: { failureThreshold: 1000 },
  });
  const now = () => new Date(clock.now);
  const journal = new PhotoJournal(db, now);
  const orders = new PhotoOrders({
    journal,
    payment: services.payment,
    platform,
    settings,
    timing: { pollMs: 50, countdownSeconds: 60, expiryGraceSeconds: 60 },
    kioskId,
    log: silentLogger(),
    now,
  });
  return { db, dir, journal, orders, services, clock, close: () => db.close() };
}

async function paidOrder(r: ReturnType<typeof rig>): Promise<string> {
  const o = await r.orders.create({ use: 'idcard', backdrop: 'white', sessionId: null, jpeg: Buffer.from(photo) });
  const waiting = r.orders.awaitPayment(o.orderNo);
  await settlePayment(t.url, o.orderNo, 'pay');
  expect(await waiting).toBe('paid');
  return o.orderNo;
}

const receiptsOf = async (orderNo: string) =>
  (
    await fetch(`${t.url}/photo/receipts/void`, { method: 'POST', headers: H, body: JSON.stringify({ orderNo }) })
  ).json() as Promise<{ result: string }>;

describe('photo money path', () => {
  it('is paid before anything is uploaded; a failed upload is retried in the background and succeeds once', async () => {
    const r = rig();
    const o = await r.orders.create({ use: 'idcard', backdrop: 'white', sessionId: null, jpeg: Buffer.from(photo) });
    // Not paid: no upload happens.
    expect((await r.orders.upload(o.orderNo)).state).toBe('awaiting_payment');
    const waiting = r.orders.awaitPayment(o.orderNo);
    await settlePayment(t.url, o.orderNo, 'pay');
    expect(await waiting).toBe('paid');
    await fault('photo.receipt.create', 'error', 2);
    expect((await r.orders.upload(o.orderNo)).state).toBe('upload_pending');
    await r.orders.runPass();
    const after = r.journal.require(o.orderNo);
    expect(after.state).toBe('uploaded');
    expect(after.receiptCode).toMatch(/^ZP/);
    expect(r.orders.heldPhotos()).toBe(0);
    expect(r.journal.historyOf(o.orderNo).map((h) => h.to)).toEqual([
      'created',
      'awaiting_payment',
      'paid',
      'uploading',
      'upload_pending',
      'uploading',
      'uploaded',
    ]);
    r.close();
  });

  it('refunds after the give-up time, only once the platform voided the order; a late upload is refused', async () => {
    const r = rig();
    const no = await paidOrder(r);
    await fault('photo.receipt.create', 'error', 1000);
    await r.orders.upload(no);
    await r.orders.runPass();
    expect(r.journal.require(no).state).toBe('upload_pending');
    r.clock.now += 61_000;
    await r.orders.runPass();
    const o = r.journal.require(no);
    expect(o.state).toBe('refunded');
    expect(o.voidAnswer).toBe('never_credited');
    const pay = (await r.services.payment.queryOrder(no)).tradeState;
    expect(pay).toBe('REFUND');
    await fetch(`${t.url}/admin/faults`, { method: 'DELETE' });
    // The platform will never make a receipt for this order now.
    const late = await fetch(`${t.url}/photo/receipts`, {
      method: 'POST',
      headers: H,
      body: JSON.stringify({
        orderNo: no,
        use: 'idcard',
        backdrop: 'white',
        image: { format: 'jpeg', base64: photo.toString('base64') },
      }),
    });
    expect(late.status).toBe(409);
    r.close();
  });

  it('never refunds an unknown outcome: a void that gets no answer leaves the money where it is', async () => {
    const r = rig();
    const no = await paidOrder(r);
    await fault('photo.receipt.create', 'error', 1000);
    await r.orders.upload(no);
    r.clock.now += 61_000;
    await fault('photo.receipt.void', 'error', 1000);
    await r.orders.runPass();
    await r.orders.runPass();
    expect(r.journal.require(no).state).toBe('refund_requested');
    expect((await r.services.payment.queryOrder(no)).tradeState).toBe('SUCCESS');
    await fetch(`${t.url}/admin/faults`, { method: 'DELETE' });
    r.close();
  });

  it('an upload whose answer was lost is found by the void: recorded as uploaded, not refunded', async () => {
    const r = rig();
    const no = await paidOrder(r);
    // The platform stores the photo, the answer never arrives (both attempts).
    await fault('photo.receipt.create', 'reset', 1000, 'after');
    await r.orders.upload(no);
    expect(r.journal.require(no).state).toBe('upload_pending');
    r.clock.now += 61_000;
    await r.orders.runPass();
    await fetch(`${t.url}/admin/faults`, { method: 'DELETE' });
    const o = r.journal.require(no);
    expect(o.state).toBe('uploaded');
    expect(o.receiptCode).toMatch(/^ZP/);
    expect((await r.services.payment.queryOrder(no)).tradeState).toBe('SUCCESS');
    r.close();
  });

  it('after a restart the photo is gone (never on disk): the paid order goes the refund path at once', async () => {
    const dir = tempDir('kiosk-photo-restart-');
    const first = rig(dir);
    const no = await paidOrder(first);
    first.close();
    // A new agent process: same database, nothing in memory.
    const second = rig(dir);
    await second.orders.runPass('recovery');
    expect(second.journal.require(no).state).toBe('refunded');
    expect((await receiptsOf(no)).result).toBe('never_credited');
    second.close();
  });

  it('reconciliation covers photo orders: journal vs the provider bill, and the gas reconciliation leaves them alone', async () => {
    const r = rig(tempDir('kiosk-photo-recon-'), { now: Date.now() }, 'XN-PHOTO-RECON');
    const uploaded = await paidOrder(r);
    await r.orders.upload(uploaded);
    const refunded = await paidOrder(r);
    await fault('photo.receipt.create', 'error', 1000);
    await r.orders.upload(refunded);
    r.clock.now += 61_000;
    await r.orders.runPass();
    await fetch(`${t.url}/admin/faults`, { method: 'DELETE' });
    expect(r.journal.require(uploaded).state).toBe('uploaded');
    expect(r.journal.require(refunded).state).toBe('refunded');
    const date = chinaDate(new Date());
    const bill = await r.services.payment.bill(date);
    const report = reconcilePhoto({ date, kioskId: 'XN-PHOTO-RECON', journal: r.journal.forDate(date), bill });
    expect(report.mismatches).toEqual([]);
    expect(report).toMatchObject({
      clean: true,
      paid: { count: 2, fen: 4000 },
      uploaded: { count: 1, fen: 2000 },
      refunded: { fen: 2000 },
    });

    // A journal that lost an order is caught, and so is an upload the provider refunded.
    const lost = reconcilePhoto({
      date,
      kioskId: 'XN-PHOTO-RECON',
      journal: r.journal.forDate(date).filter((o) => o.orderNo !== uploaded),
      bill,
    });
    expect(lost.mismatches.map((m) => m.kind)).toContain('payment-not-in-journal');
    const tampered = r.journal
      .forDate(date)
      .map((o) => (o.orderNo === refunded ? { ...o, state: 'uploaded' as const, receiptCode: 'ZP20260101-0000000000' } : o));
    expect(reconcilePhoto({ date, kioskId: 'XN-PHOTO-RECON', journal: tampered, bill }).mismatches.map((m) => m.kind)).toContain(
      'refunded-and-uploaded',
    );

    // The gas reconciliation of the same bill: photo rows are not "payments the journal does not know".
    const gas = reconcile({ date, kioskId: 'XN-PHOTO-RECON', journal: [], bill, ledgers: [], otherProduct: isPhotoOrderNo });
    expect(gas.mismatches.filter((m) => m.orderNo.startsWith('PH'))).toEqual([]);
    const naive = reconcile({ date, kioskId: 'XN-PHOTO-RECON', journal: [], bill, ledgers: [] });
    expect(naive.mismatches.map((m) => m.kind)).toContain('payment-not-in-journal');
    r.close();
  });
});
