import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig, projectRoot } from '@kiosk/kiosk-config';
import { computeAvailability } from '../../apps/agent/src/session/availability.js';
import { createFaceConnector, faceConnectorFor, faceVerifierFrom, withFaceStatus } from '../../apps/agent/src/services/face.js';
import { UpstreamError } from '../../apps/agent/src/services/errors.js';
import { startAgent, type Agent } from '../../apps/agent/src/agent.js';
import { createSessionModuleWith } from '../../apps/agent/src/session/module.js';
import { createLogger } from '@kiosk/platform';
import { startTestSandbox, type TestSandbox } from '../sandbox/fixture.js';
import { testConfig } from '../helpers/config.js';
import { TestSocket } from '../helpers/ws.js';

const log = pino({ level: 'silent' });
/** A tiny but complete JPEG (SOI … EOI), as the camera would give. */
const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0xff, 0xd9]);
const card = { idNumber: '42120219800101123X', name: '张三', englishName: '' };

let sb: TestSandbox;
beforeAll(async () => {
  sb = await startTestSandbox();
});
afterAll(async () => {
  await sb.close();
});

async function fault(spec: Record<string, unknown>): Promise<void> {
  const r = await fetch(`${sb.url}/admin/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(spec),
  });
  expect(r.ok).toBe(true);
}

describe('face verification connector against the sandbox (same API as production)', () => {
  it('verifies a complete JPEG and answers matched with score and threshold', async () => {
    const c = createFaceConnector({ baseUrl: sb.url, timeoutMs: 3000, kioskId: 'K1', logger: log });
    await expect(c.verify({ ...card, jpeg })).resolves.toEqual({ matched: true, score: 0.93, threshold: 0.8 });
    await expect(faceVerifierFrom(c)({ jpeg, card })).resolves.toEqual({ matched: true });
    // No card read: nothing to compare with.
    await expect(faceVerifierFrom(c)({ jpeg, card: null })).resolves.toEqual({ matched: false });
  });

  it('a broken image is refused by the platform, not "matched"', async () => {
    const c = createFaceConnector({ baseUrl: sb.url, timeoutMs: 3000, kioskId: 'K1', logger: log });
    const err = await c.verify({ ...card, jpeg: jpeg.subarray(0, 6) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).code).toBe('INVALID_REQUEST');
    await expect(faceVerifierFrom(c)({ jpeg: Buffer.from('not a jpeg'), card })).rejects.toBeInstanceOf(UpstreamError);
  });

  it('times out, and its breaker opens after repeated failures (then calls are not attempted)', async () => {
    const c = createFaceConnector({
      baseUrl: sb.url,
      timeoutMs: 300,
      kioskId: 'K1',
      logger: log,
      breaker: { failureThreshold: 2, coolDownMs: 60_000 },
    });
    await fault({ operation: 'face.verify', kind: 'timeout', count: 2, delayMs: 5000 });
    for (let i = 0; i < 2; i++) {
      const e = await c.verify({ ...card, jpeg }).catch((x: unknown) => x);
      expect((e as UpstreamError).code).toBe('TIMEOUT');
    }
    expect(c.breaker.snapshot().state).toBe('open');
    const e = await c.verify({ ...card, jpeg }).catch((x: unknown) => x);
    expect((e as UpstreamError).code).toBe('CIRCUIT_OPEN');
    expect(withFaceStatus({ states: () => ({}), onChange: () => () => {} }, c).states().face).toBe('down');
  });
});

describe('a config without a face platform', () => {
  it('the production example has none, so no connector (and no stub)', () => {
    const prod = loadConfig(join(projectRoot, 'deploy/config/kiosk.production.example.json'));
    expect(faceConnectorFor(prod, log)).toBeNull();
    expect(withFaceStatus({ states: () => ({ tax: 'up' }), onChange: () => () => {} }, null).states()).toEqual({
      tax: 'up',
      face: 'down',
    });
    // Configured explicitly, or the embedded sandbox serving the same API: a real connector.
    expect(
      faceConnectorFor(
        { ...prod, upstream: { ...prod.upstream, face: { baseUrl: 'https://face.example.gov.cn', timeoutMs: 8000 } } },
        log,
      ),
    ).not.toBeNull();
    expect(faceConnectorFor(loadConfig(join(projectRoot, 'config/kiosk.default.json')), log)).not.toBeNull();
  });

  it('a service requiring a face check shows unavailable while the face platform is down', () => {
    const config = testConfig((c) => {
      c.session.services.property.face = 'required';
    }).session;
    const devices = {
      idcard: { device: 'online' as const },
      printer: { device: 'online' as const, paper: 'full' as const },
      camera: { device: 'online' as const },
    };
    const up = computeAvailability({ mode: 'in-service', modeMessage: null, devices, upstreams: { face: 'up' }, config });
    expect(up.services.property.available).toBe(true);
    const down = computeAvailability({ mode: 'in-service', modeMessage: null, devices, upstreams: { face: 'down' }, config });
    expect(down.services.property).toEqual({ available: false, reasons: ['upstreamDown'] });
    expect(down.services.tax.available).toBe(true);
  });

  let agent: Agent | undefined;
  afterAll(async () => {
    await agent?.stop();
  });

  it('the session module with no verifier refuses face: required → unavailable, optional → no face step', async () => {
    agent = await startAgent(
      testConfig((c) => {
        c.session.services.property.face = 'required';
        c.session.services.tax.face = 'optional';
        c.devices.idcard.enabled = false;
        c.devices.printer.enabled = false;
        c.devices.camera.enabled = false;
      }),
      { logger: createLogger('test', 'silent'), modules: [createSessionModuleWith({ faceVerifier: null })] },
    );
    const ui = await TestSocket.open(agent.url, agent.token);
    const state = await ui.command('Session.GetState');
    ui.ws.close();
    const view = state.payload as { availability: { services: Record<string, { reasons: string[] }> }; services?: unknown };
    expect(view.availability.services.property!.reasons).toContain('upstreamDown');
    expect(view.availability.services.tax!.reasons).not.toContain('upstreamDown');
  });

  it('with no verifier an optional face check is not offered: the chosen service goes straight on without it', async () => {
    const { startRig, SessionClient } = await import('../session/rig.js');
    const rig = await startRig({
      devices: ['idcard', 'printer', 'camera'],
      config: (c) => {
        c.session.services.tax.face = 'optional';
      },
      session: { faceVerifier: null },
    });
    try {
      const ui = await SessionClient.open(rig);
      await ui.until((v) => v.availability.notices.length === 0, 10_000, 'devices online');
      await ui.do('Session.Start');
      const v = await ui.do('Session.SelectService', { service: 'tax' });
      expect(v.service).toMatchObject({ id: 'tax', face: 'off' });
      ui.close();
    } finally {
      await rig.stop();
    }
    // The control: with a verifier the same config does offer it.
    const rig2 = await startRig({
      devices: ['idcard', 'printer', 'camera'],
      config: (c) => (c.session.services.tax.face = 'optional'),
    });
    try {
      const ui = await SessionClient.open(rig2);
      await ui.until((v) => v.availability.notices.length === 0, 10_000, 'devices online');
      await ui.do('Session.Start');
      expect((await ui.do('Session.SelectService', { service: 'tax' })).service).toMatchObject({ id: 'tax', face: 'optional' });
      ui.close();
    } finally {
      await rig2.stop();
    }
  }, 60_000);
});
