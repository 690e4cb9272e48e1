/**
 * The camera driver against real ffmpeg: the simulated source (testsrc2), a missing V4L2 node,
 * a missing ffmpeg binary, and a named pipe nobody writes to (an input that never yields a
 * frame) for timeouts and stop(). This machine has no camera, so V4L2 capture itself is covered
 * only through argument tests (ffmpeg-args.test.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { parseConfig } from '@kiosk/kiosk-config';
import { createCameraSimulator } from '../../apps/simulators/src/camera/index.js';
import { createControlApp } from '../../apps/simulators/src/control-api.js';
import type { DeviceStatus } from '@kiosk/contracts/device-status';
import {
  CameraDriver,
  CameraError,
  createCameraDriver,
  grantCameraConsent,
  parseJpeg,
  revokeCameraConsent,
  type CameraConsent,
  type CameraDriverOptions,
  type CameraLogger,
} from '../../apps/agent/src/devices/camera/index.js';

const defaultConfig = JSON.parse(readFileSync(new URL('../../config/kiosk.default.json', import.meta.url), 'utf8')) as unknown;

let dir: string;
const drivers: CameraDriver[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kiosk-cam-'));
});
afterEach(async () => {
  await Promise.all(drivers.splice(0).map((d) => d.stop()));
  rmSync(dir, { recursive: true, force: true });
});

function driver(options: Partial<CameraDriverOptions> = {}): CameraDriver {
  const d = new CameraDriver({ source: { kind: 'simulated' }, width: 320, height: 240, timeoutMs: 15_000, ...options });
  drivers.push(d);
  return d;
}

const consent = (): CameraConsent => grantCameraConsent({ purpose: 'faceVerification', sessionId: 'test-session' });

/** A named pipe with no writer: ffmpeg blocks opening it and never gets a frame. */
function silentFifo(): string {
  const p = join(dir, 'never-a-frame.mjpeg');
  execFileSync('mkfifo', [p]);
  return p;
}

/** PIDs of any process on the machine whose command line mentions `needle` (not just ours). */
function processesMentioning(needle: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(needle)) found.push(Number(name));
    } catch {
      // The process exited while we looked.
    }
  }
  return found;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(cond: () => boolean, what: string, limitMs = 15_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function rejection(p: Promise<unknown>): Promise<CameraError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CameraError);
  return err as CameraError;
}

describe('simulated camera (real ffmpeg)', () => {
  it('starts online and captures a valid JPEG of the requested size', async () => {
    const d = driver();
    const seen: DeviceStatus['device'][] = [];
    d.on('status', (s) => seen.push(s.device));
    await d.start();
    expect(d.status()).toMatchObject({ device: 'online', extra: { source: 'simulated', width: 320, height: 240 } });

    const jpeg = await d.capture({ consent: consent(), width: 352, height: 288 });
    expect(parseJpeg(jpeg)).toMatchObject({ ok: true, width: 352, height: 288 });
    const dflt = await d.capture({ consent: consent() });
    expect(parseJpeg(dflt)).toMatchObject({ ok: true, width: 320, height: 240 });

    expect(seen).toEqual(['starting', 'online', 'deviceBusy', 'online', 'deviceBusy', 'online']);
    expect(d.status().device).toBe('online');
  });

  it("is built from the embedded default config by the factory, reading the simulators' MJPEG-over-HTTP camera", async () => {
    const config = parseConfig(defaultConfig);
    expect(config.devices.camera.source).toEqual({ kind: 'mjpegHttp', url: 'http://127.0.0.1:5852/camera/stream.mjpg' });
    // The same simulator as `npm start` runs, on a free port instead of 5852.
    const sim = createCameraSimulator();
    await sim.start();
    const server = createControlApp([sim]).listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/camera/stream.mjpg`;
      const d = createCameraDriver({ ...config.devices.camera, source: { kind: 'mjpegHttp', url } }, pino({ level: 'silent' }));
      drivers.push(d);
      await d.start();
      expect(d.status()).toMatchObject({ device: 'online', extra: { source: 'mjpegHttp' } });
      const jpeg = await d.capture({ consent: consent() });
      expect(parseJpeg(jpeg)).toMatchObject({
        ok: true,
        width: config.devices.camera.width,
        height: config.devices.camera.height,
      });
      expect(sim.state().framesSent).toBeGreaterThan(0);
      await d.stop();
    } finally {
      await sim.stop();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('an MJPEG-over-HTTP camera that is not there is a hardware error, not a crash', async () => {
    const d = new CameraDriver({
      source: { kind: 'mjpegHttp', url: 'http://127.0.0.1:9/camera/stream.mjpg' },
      width: 320,
      height: 240,
      timeoutMs: 5_000,
    });
    drivers.push(d);
    await d.start();
    expect(d.status().device).toBe('hardwareError');
  });

  it('a disabled camera does not start and refuses to capture', async () => {
    const config = parseConfig(defaultConfig);
    const d = createCameraDriver({ ...config.devices.camera, enabled: false });
    drivers.push(d);
    await d.start();
    expect(d.status()).toMatchObject({ device: 'offline', detail: 'disabled in configuration' });
    expect((await rejection(d.capture({ consent: consent() }))).code).toBe('stopped');
  });
});

describe('consent', () => {
  it('refuses to capture without a consent token, before ffmpeg is even run', async () => {
    // A binary that does not exist: had the driver run ffmpeg, the error would be ffmpegMissing.
    const d = driver({ ffmpegPath: join(dir, 'no-ffmpeg-here') });
    await d.start();
    const attempts: unknown[] = [
      undefined,
      { consent: undefined },
      { consent: true },
      { consent: { purpose: 'faceVerification', expiresAt: Infinity } },
    ];
    for (const a of attempts) {
      // Deliberately wrong shapes, as a careless caller might pass them.
      const err = await rejection(d.capture(a as never));
      expect(err.code).toBe('consentRequired');
      expect(err.message).toContain('未获得本人单独同意');
      expect(err.message).toContain('no valid consent');
    }
    const revoked = consent();
    revokeCameraConsent(revoked);
    expect((await rejection(d.capture({ consent: revoked }))).message).toContain('revoked');
    const expired = grantCameraConsent({ purpose: 'faceVerification', ttlMs: 1, now: Date.now() - 1000 });
    expect((await rejection(d.capture({ consent: expired }))).message).toContain('expired');
    expect(() => d.preview({ consent: true as never })).toThrow(/no valid consent/);
  });
});

describe('device problems', () => {
  it('a missing /dev/video node is noDevice, and capture says so', async () => {
    const device = join(dir, 'video9');
    const d = driver({ source: { kind: 'v4l2', device } });
    await d.start();
    expect(d.status()).toMatchObject({ device: 'noDevice', action: 'maintenance', extra: { device } });
    const err = await rejection(d.capture({ consent: consent() }));
    expect(err.code).toBe('noDevice');
    expect(err.message).toContain(device);
  });

  it('notices the node disappearing and coming back without a restart', async () => {
    const device = join(dir, 'video4');
    const d = driver({ source: { kind: 'v4l2', device }, statusPollMs: 200 });
    await d.start();
    expect(d.status().device).toBe('noDevice');
    // Something appears at the path (a regular file: present, but not a camera) → re-probed.
    writeFileSync(device, '');
    await until(() => d.status().device === 'hardwareError', 're-probe after the node appeared');
    expect(d.status().detail).toContain('Inappropriate ioctl');
    rmSync(device);
    await until(() => d.status().device === 'noDevice', 'noDevice after the node went away');
  });

  it('a missing ffmpeg is a hardwareError naming the Debian package', async () => {
    const d = driver({ ffmpegPath: join(dir, 'no-ffmpeg-here') });
    await d.start();
    expect(d.status()).toMatchObject({ device: 'hardwareError', action: 'maintenance' });
    expect(d.status().detail).toContain('Debian package "ffmpeg"');
    const err = await rejection(d.capture({ consent: consent() }));
    expect(err.code).toBe('ffmpegMissing');
    expect(err.message).toContain('apt-get install ffmpeg');
  });

  it("a node that is not a camera is a hardwareError with ffmpeg's reason", async () => {
    const d = driver({ source: { kind: 'v4l2', device: '/dev/null' } });
    await d.start();
    expect(d.status()).toMatchObject({ device: 'hardwareError', action: 'reset' });
    expect(d.status().detail).toContain('Inappropriate ioctl');
  });

  it('times out when no frame arrives, and leaves no ffmpeg behind', async () => {
    const fifo = silentFifo();
    const d = driver({ source: { kind: 'mjpegPipe', path: fifo }, timeoutMs: 1000 });
    await d.start();
    expect(d.status().device).toBe('online');
    const err = await rejection(d.capture({ consent: consent() }));
    expect(err.code).toBe('timeout');
    expect(err.message).toContain('1000 ms');
    expect(processesMentioning(fifo)).toEqual([]);
    expect(CameraDriver.liveFfmpegPids()).toEqual([]);
    expect(d.status()).toMatchObject({ device: 'hardwareError', action: 'reset' });
  });

  it('stop() during a capture kills ffmpeg and rejects the capture', async () => {
    const fifo = silentFifo();
    const d = driver({ source: { kind: 'mjpegPipe', path: fifo }, timeoutMs: 60_000 });
    await d.start();
    const pending = d.capture({ consent: consent() });
    await until(() => processesMentioning(fifo).length > 0, 'ffmpeg to start');
    const pids = processesMentioning(fifo);
    await d.stop();
    expect((await rejection(pending)).code).toBe('stopped');
    expect(pids.filter(isAlive)).toEqual([]);
    expect(processesMentioning(fifo)).toEqual([]);
    expect(d.status()).toMatchObject({ device: 'offline' });
  });

  it('refuses a second capture while one is running', async () => {
    const fifo = silentFifo();
    const d = driver({ source: { kind: 'mjpegPipe', path: fifo }, timeoutMs: 60_000 });
    await d.start();
    const first = d.capture({ consent: consent() });
    await until(() => d.status().device === 'deviceBusy', 'busy status');
    expect((await rejection(d.capture({ consent: consent() }))).code).toBe('busy');
    await d.stop();
    await first.catch(() => undefined);
  });
});

describe('live preview', () => {
  it('yields several valid frames and stops ffmpeg when the loop ends', async () => {
    const d = driver();
    await d.start();
    const preview = d.preview({ consent: consent(), width: 160, height: 120, fps: 10 });
    expect(d.status().device).toBe('deviceBusy');
    const pid = preview.pid!;
    const frames: Buffer[] = [];
    for await (const jpeg of preview) {
      frames.push(jpeg);
      if (frames.length === 4) break;
    }
    expect(frames).toHaveLength(4);
    for (const f of frames) expect(parseJpeg(f)).toMatchObject({ ok: true, width: 160, height: 120 });
    expect(new Set(frames.map((f) => f.toString('base64'))).size).toBeGreaterThan(1);
    expect(preview.running).toBe(false);
    expect(isAlive(pid)).toBe(false);
    expect(d.previewRunning).toBe(false);
    expect(d.status().device).toBe('online');
  });

  it('emits frame events and ends cleanly on stop()', async () => {
    const d = driver();
    await d.start();
    const preview = d.preview({ consent: consent(), fps: 10 });
    let frames = 0;
    preview.on('frame', () => frames++);
    const ended = new Promise<CameraError | undefined>((r) => preview.once('end', r));
    await until(() => frames >= 2, 'two frames');
    await preview.stop();
    expect(await ended).toBeUndefined();
    expect(isAlive(preview.pid!)).toBe(false);
    // The iterator of a stopped preview just ends.
    expect(await preview[Symbol.asyncIterator]().next()).toEqual({ value: undefined, done: true });
  });

  it('a still during the preview is the next preview frame; another size is refused', async () => {
    const d = driver();
    await d.start();
    const preview = d.preview({ consent: consent(), fps: 10 });
    expect(() => d.preview({ consent: consent() })).toThrow(/already running/);
    const still = await d.capture({ consent: consent() });
    expect(parseJpeg(still)).toMatchObject({ ok: true, width: 320, height: 240 });
    expect((await rejection(d.capture({ consent: consent(), width: 640, height: 480 }))).code).toBe('busy');
    await preview.stop();
  });

  it('revoking consent stops the preview', async () => {
    const d = driver();
    await d.start();
    const c = consent();
    const preview = d.preview({ consent: c, fps: 10 });
    const it = preview[Symbol.asyncIterator]();
    expect((await it.next()).done).toBe(false);
    revokeCameraConsent(c);
    const err = await rejection(
      (async () => {
        for (;;) if ((await it.next()).done) return;
      })(),
    );
    expect(err.code).toBe('consentRequired');
    expect(isAlive(preview.pid!)).toBe(false);
  });

  it('a preview that never gets a frame ends with a timeout and no leftover ffmpeg', async () => {
    const fifo = silentFifo();
    const d = driver({ source: { kind: 'mjpegPipe', path: fifo } });
    await d.start();
    const preview = d.preview({ consent: consent(), stallTimeoutMs: 800 });
    const err = await rejection(
      (async () => {
        for await (const _ of preview) void _;
      })(),
    );
    expect(err.code).toBe('timeout');
    expect(processesMentioning(fifo)).toEqual([]);
    expect(d.status().device).toBe('hardwareError');
  });

  it('driver.stop() ends a running preview', async () => {
    const d = driver();
    await d.start();
    const preview = d.preview({ consent: consent(), fps: 10 });
    await preview.nextFrame(15_000);
    await d.stop();
    expect(preview.running).toBe(false);
    expect(isAlive(preview.pid!)).toBe(false);
    expect(d.status().device).toBe('offline');
  });
});

it('accepts a pino logger (type check)', () => {
  const logger: CameraLogger = pino({ level: 'silent' });
  expect(typeof logger.info).toBe('function');
});
