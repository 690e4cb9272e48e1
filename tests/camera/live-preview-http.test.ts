/**
 * A running preview on the wire (apps/agent/src/api/live-preview.ts), as the face check, the
 * photo booth and the maintenance panel serve it: multipart MJPEG from the production camera
 * driver (real ffmpeg, its test source), 404 without a preview, and the response ends with it.
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveLivePreview } from '../../apps/agent/src/api/live-preview.js';
import { CameraDriver, grantCameraConsent } from '../../apps/agent/src/devices/camera/index.js';
import type { CameraPreview } from '../../apps/agent/src/devices/camera/preview.js';

let server: Server;
let url: string;
let current: CameraPreview | undefined;
const camera = new CameraDriver({ source: { kind: 'simulated' }, width: 320, height: 240, timeoutMs: 15_000 });

beforeAll(async () => {
  await camera.start();
  const app = express();
  app.get('/preview', (req, res) => serveLivePreview(current, req, res));
  server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/preview`;
}, 60_000);

afterAll(async () => {
  await current?.stop();
  await camera.stop();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('live preview over HTTP', () => {
  it('answers 404 with the service error shape when no preview runs', async () => {
    const res = await fetch(url);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ ok: false, error: 'no live preview' });
  });

  it('streams JPEG parts while the preview runs and ends the response when it stops', async () => {
    current = camera.preview({ consent: grantCameraConsent({ purpose: 'maintenance' }), width: 320, height: 240, fps: 4 });
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('multipart/x-mixed-replace; boundary=frame');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const reader = res.body!.getReader();
    let seen = Buffer.alloc(0);
    const parts = (): number => seen.toString('latin1').split('--frame\r\nContent-Type: image/jpeg\r\n').length - 1;
    while (parts() < 2) {
      const { value, done } = await reader.read();
      expect(done).toBe(false);
      seen = Buffer.concat([seen, Buffer.from(value!)]);
    }
    // Each part is a whole JPEG (SOI right after the part headers).
    const firstBody = seen.indexOf('\r\n\r\n') + 4;
    expect(seen.subarray(firstBody, firstBody + 2)).toEqual(Buffer.from([0xff, 0xd8]));
    await current.stop();
    for (;;) {
      const { done } = await reader.read();
      if (done) break;
    }
    // An ended preview is not served again.
    expect((await fetch(url)).status).toBe(404);
  }, 60_000);
});
