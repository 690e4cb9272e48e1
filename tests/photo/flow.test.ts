/**
 * 自助照相 end to end over the agent's WebSocket API, as `npm start` composes the kiosk (every
 * module) with the simulators' camera and the sandbox: use → consent → live preview with hints →
 * 3-2-1 → checks → review → QR payment → upload → receipt; bad scenes are refused with their hint.
 */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settlePayment } from '../../apps/simulators/src/payments-control.js';
import type { SessionView } from '@kiosk/contracts/session-view';
import { HEADERS } from '../sandbox/fixture.js';
import { startProductionKiosk, type ProductionKiosk } from '../helpers/production-kiosk.js';
import { TestSocket } from '../helpers/ws.js';

let k: ProductionKiosk;
let ws: TestSocket;
let id = 1;
let view: SessionView | undefined;
/** Every view the kiosk sent, for checks on the path a flow took between two waits. */
const views: SessionView[] = [];
const waiters: Array<{ pred: (v: SessionView) => boolean; resolve: (v: SessionView) => void }> = [];

async function ok(name: string, payload: unknown = {}): Promise<void> {
  const m = await ws.command(name, payload, id++, 60_000);
  expect(m.header.completionCode, `${name}: ${m.header.errorDescription ?? ''}`).toBe('success');
}

function until(what: string, pred: (v: SessionView) => boolean, ms = 90_000): Promise<SessionView> {
  if (view && pred(view)) return Promise.resolve(view);
  return new Promise((resolve, reject) => {
    const t = setTimeout(
      () =>
        reject(
          new Error(
            `timed out waiting for ${what}; last view ${view?.screen}/${view?.flow?.step} ${JSON.stringify(view?.flow?.data ?? {}).slice(0, 300)}`,
          ),
        ),
      ms,
    );
    waiters.push({ pred, resolve: (v) => (clearTimeout(t), resolve(v)) });
  });
}

const at = (step: string) => (v: SessionView) => v.screen === 'service' && v.flow?.step === step;
const data = (v: SessionView) => v.flow?.data as Record<string, unknown>;

beforeAll(async () => {
  k = await startProductionKiosk({
    photoCamera: true,
    config: (c) => {
      c.gas.paymentPollMs = 150;
      c.photo.uploadRetryMs = 500;
    },
  });
  ws = await TestSocket.open(k.agent.url, k.agent.token);
  ws.ws.on('message', (d) => {
    const m = JSON.parse(d.toString()) as { header: { name: string }; payload: unknown };
    if (m.header.name !== 'Session.StateChangedEvent') return;
    view = m.payload as SessionView;
    views.push(view);
    for (const w of [...waiters])
      if (w.pred(view)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(view);
      }
  });
}, 120_000);

afterAll(async () => {
  ws?.close();
  await k?.stop();
}, 60_000);

async function toPreview(use = 'idcard', backdrop = 'white'): Promise<void> {
  await ok('Session.Start');
  await until('photo tile', (v) => v.screen === 'home' && v.availability.services.photo.available);
  await ok('Session.SelectService', { service: 'photo' });
  await until('use', at('use'));
  await ok('Session.FlowEvent', { name: 'photo.use', data: { use, backdrop } });
  await until('consent', at('consent'));
  await ok('Session.Continue');
  await until('preview with a live picture', (v) => at('preview')(v) && typeof data(v).previewUrl === 'string');
}

describe('自助照相 over the WebSocket API', () => {
  it('refuses each bad scene with its own hint', async () => {
    await toPreview();
    const expected: Array<[string, string]> = [
      ['empty', 'noFace'],
      ['two-people', 'manyFaces'],
      ['off-centre', 'offCentre'],
      ['tilted', 'tilted'],
      ['dark', 'dark'],
      ['blurred', 'blurred'],
    ];
    for (const [scene, hint] of expected) {
      await k.control('POST', '/camera/scene', { scene });
      await ok('Session.FlowEvent', { name: 'photo.capture', data: {} });
      await until(`countdown for ${scene}`, at('countdown'));
      const refused = await until(`refusal of ${scene}`, (v) => at('preview')(v) && data(v).refusedHint !== null);
      expect(data(refused).refusedHint, scene).toBe(hint);
    }
    await ok('Session.Cancel').catch(() => undefined);
    await ok('Session.End').catch(() => undefined);
    await until('attract', (v) => v.screen === 'attract');
  }, 240_000);

  it('takes a 身份证 photo, is paid, uploads it and prints the 回执号; the platform has a 358×441 JPEG', async () => {
    await k.control('POST', '/camera/scene', { scene: 'person' });
    await toPreview('idcard', 'white');
    // The live hint runs about once a second; the capture's own checks decide (the hint may lag under load).
    await ok('Session.FlowEvent', { name: 'photo.capture', data: {} });
    const review = await until('review', at('review'));
    expect(data(review).retakesLeft).toBe(3);
    // The cropped result is served to the kiosk's own page only while the session lasts.
    const resultUrl = `${k.agent.url}${data(review).resultUrl as string}`;
    const shown = await fetch(resultUrl);
    expect(shown.status).toBe(200);
    expect(await sharp(Buffer.from(await shown.arrayBuffer())).metadata()).toMatchObject({ width: 358, height: 441 });

    // One free retake is used, then the second photo is taken.
    await ok('Session.FlowEvent', { name: 'photo.retake', data: {} });
    await until('preview again', (v) => at('preview')(v) && typeof data(v).previewUrl === 'string');
    await ok('Session.FlowEvent', { name: 'photo.capture', data: {} });
    const review2 = await until('review 2', at('review'));
    expect(data(review2).retakesLeft).toBe(2);
    await ok('Session.Continue');
    const paying = await until('paying', (v) => at('paying')(v) && typeof data(v).orderNo === 'string');
    const orderNo = data(paying).orderNo as string;
    expect(data(paying).qrSvg).toMatch(/^<svg/);
    await settlePayment(k.sandbox.url, orderNo, 'pay');
    const done = await until('done', at('done'), 120_000);
    const code = data(done).code as string;
    expect(code).toMatch(/^ZP\d{8}-[0-9A-Z]{10}$/);
    expect(data(done).qrSvg).toMatch(/^<svg/);
    await ok('Session.Continue');
    const result = await until('result', (v) => v.screen === 'result' && v.print?.state !== 'printing', 120_000);
    expect(result.print?.state).toBe('printed');
    // The slip on the simulated printer carries the code.
    const printed = JSON.stringify(await k.control('GET', '/printer/receipts'));
    expect(printed).toContain(code);

    // The platform has the photo under the code: a 358×441 JPEG.
    const meta = (await (await fetch(`${k.sandbox.url}/photo/receipts/${code}`, { headers: HEADERS })).json()) as Record<
      string,
      unknown
    >;
    expect(meta).toMatchObject({ code, use: 'idcard', width: 358, height: 441 });
    const jpeg = Buffer.from(
      await (await fetch(`${k.sandbox.url}/photo/receipts/${code}/image.jpg`, { headers: HEADERS })).arrayBuffer(),
    );
    expect(await sharp(jpeg).metadata()).toMatchObject({ format: 'jpeg', width: 358, height: 441 });

    await ok('Session.Continue');
    await until('rating', (v) => v.screen === 'rating');
    await ok('Session.Continue');
    await until('goodbye', (v) => v.screen === 'goodbye');
    await ok('Session.End');
    await until('attract', (v) => v.screen === 'attract' && v.sessionId === null);
    // The review image is gone with the session.
    expect((await fetch(resultUrl)).status).toBe(404);
  }, 300_000);

  it('a camera pulled out for a moment: the preview comes back by itself, with no error screen', async () => {
    await k.control('POST', '/camera/scene', { scene: 'person' });
    await toPreview();
    const from = views.length;
    await k.control('POST', '/camera/plug', { connected: false });
    // The dropped stream is noticed and a fresh start is under way: no picture, no capture button.
    await until('preview restarting', (v) => at('preview')(v) && data(v).previewUrl === null);
    await k.control('POST', '/camera/plug', { connected: true });
    await until('live again', (v) => at('preview')(v) && typeof data(v).previewUrl === 'string');
    expect(views.slice(from).filter(at('error'))).toEqual([]);
    await ok('Session.FlowEvent', { name: 'photo.capture', data: {} });
    await until('review after the hiccup', at('review'));
    await ok('Session.Cancel').catch(() => undefined);
    await ok('Session.End').catch(() => undefined);
    await until('attract', (v) => v.screen === 'attract');
  }, 240_000);

  it('a camera that stays out: after a few tries the citizen is told (nothing charged) and can open it again', async () => {
    await k.control('POST', '/camera/scene', { scene: 'person' });
    await toPreview();
    await k.control('POST', '/camera/plug', { connected: false });
    const failed = await until('camera error', at('error'));
    expect(data(failed)).toEqual({ kind: 'camera' });
    // A retry with the camera still out fails the same way rather than hanging.
    await ok('Session.FlowEvent', { name: 'photo.retry', data: {} });
    await until('restarting after retry', (v) => at('preview')(v) && data(v).previewUrl === null);
    await until('camera error again', at('error'));
    await k.control('POST', '/camera/plug', { connected: true });
    await ok('Session.FlowEvent', { name: 'photo.retry', data: {} });
    await until('live after retry', (v) => at('preview')(v) && typeof data(v).previewUrl === 'string');
    await ok('Session.FlowEvent', { name: 'photo.capture', data: {} });
    await until('review after retry', at('review'));
    await ok('Session.Cancel').catch(() => undefined);
    await ok('Session.End').catch(() => undefined);
    await until('attract', (v) => v.screen === 'attract');
  }, 240_000);
});
