/**
 * The photo booth's live preview on the production camera driver (real ffmpeg reading the
 * simulators' MJPEG camera over HTTP): the camera opens once, so a retake that starts the next
 * preview while the last ffmpeg is still exiting must wait for it rather than be refused as busy;
 * a camera pulled out mid-preview is reported once as a failed preview.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, type KioskConfig } from '@kiosk/kiosk-config';
import { createCameraSimulator, type CameraSimulator } from '../../apps/simulators/src/camera/index.js';
import { createControlApp } from '../../apps/simulators/src/control-api.js';
import { createCameraDriver, type CameraDriver } from '../../apps/agent/src/devices/camera/index.js';
import { PhotoBooth } from '../../apps/agent/src/photo/booth.js';
import type { PhotoCheckCode } from '../../apps/agent/src/photo/checks.js';

const config: KioskConfig = parseConfig(
  JSON.parse(readFileSync(new URL('../../config/kiosk.default.json', import.meta.url), 'utf8')) as unknown,
);
const log = pino({ level: 'silent' });

let sim: CameraSimulator;
let server: Server;
let camera: CameraDriver;
let booth: PhotoBooth;

beforeAll(async () => {
  sim = createCameraSimulator();
  await sim.start();
  server = createControlApp([sim]).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/camera/stream.mjpg`;
  camera = createCameraDriver({ ...config.devices.camera, source: { kind: 'mjpegHttp', url } }, log);
  await camera.start();
  // The face model is not the subject here: no faces means every live check hints `noFace`,
  // which is how this test sees frames arriving.
  booth = new PhotoBooth(() => camera, { detect: () => Promise.resolve([]) }, config.photo, log);
}, 60_000);

afterAll(async () => {
  booth.end();
  await camera.stop();
  await sim.stop();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

/** Starts a preview and resolves with its handle once a checked frame has come through. */
async function livePreview(): Promise<{ stop: () => void; failed: Promise<void> }> {
  let hinted!: (h: PhotoCheckCode | null) => void;
  const firstHint = new Promise<PhotoCheckCode | null>((r) => (hinted = r));
  let failedResolve!: () => void;
  const failed = new Promise<void>((r) => (failedResolve = r));
  const started = await booth.startPreview(booth.spec('idcard'), (h) => hinted(h), failedResolve);
  expect(await firstHint).toBe('noFace');
  return { stop: started.stop, failed };
}

describe('photo booth live preview', () => {
  it('a retake starts the next preview while the last ffmpeg is still exiting', async () => {
    booth.grant(null);
    const first = await livePreview();
    // No await between: the old ffmpeg still holds the camera when the next preview is asked for.
    first.stop();
    const second = await livePreview();
    second.stop();
    const third = await livePreview();
    third.stop();
    booth.end();
  }, 60_000);

  it('a camera pulled out mid-preview ends the preview as failed; plugged back, the next one runs', async () => {
    booth.grant(null);
    const running = await livePreview();
    await sim.setConnected(false);
    await running.failed;
    running.stop();
    await sim.setConnected(true);
    const again = await livePreview();
    again.stop();
    booth.end();
  }, 60_000);
});
