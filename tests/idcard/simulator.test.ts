import { afterEach, describe, expect, test } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialTransport } from '@kiosk/transport';
import { createResponseParser } from '@kiosk/protocol-sam';
import { buildCommandFrame, fromHex, type ResponseFrame } from '@kiosk/protocol-sam';
import { commands, decodeNewestAddress, decodeSamId, setBaudRateCommand, setMaxRfBytesCommand } from '@kiosk/protocol-sam';
import { createControlApp } from '../../apps/simulators/src/control-api.js';
import {
  createIdCardSimulator,
  type IdCardSimulator,
  type IdCardSimulatorOptions,
} from '../../apps/simulators/src/idcard/simulator.js';
import { fastTiming } from './helpers.js';

interface Host {
  sim: IdCardSimulator;
  /** Parser error codes for bytes it skipped (junk, checksum). */
  skipped: string[];
  ask(frame: Buffer, timeoutMs?: number): Promise<ResponseFrame | null>;
  close(): Promise<void>;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** A bare host: raw frames over the pty, one reply at a time. */
async function host(opts: Partial<IdCardSimulatorOptions> = {}): Promise<Host> {
  const dir = mkdtempSync(join(tmpdir(), 'kiosk-idsim-'));
  const sim = createIdCardSimulator({ agentPath: join(dir, 'a'), devicePath: join(dir, 'd'), timing: fastTiming, ...opts });
  await sim.start();
  const port = new SerialTransport({ path: join(dir, 'a'), baudRate: 115200 });
  await port.open();
  const parser = createResponseParser();
  const queue: ResponseFrame[] = [];
  const skipped: string[] = [];
  let notify: (() => void) | undefined;
  port.on('data', (c) => {
    for (const e of parser.push(c)) {
      if (e.type === 'frame') queue.push(e.frame);
      else skipped.push(e.error.code);
    }
    notify?.();
  });
  const h: Host = {
    sim,
    skipped,
    async ask(frame, timeoutMs = 1500) {
      queue.length = 0;
      await port.write(frame);
      const deadline = Date.now() + timeoutMs;
      while (queue.length === 0 && Date.now() < deadline) {
        await new Promise<void>((r) => {
          notify = r;
          setTimeout(r, 20);
        });
      }
      return queue.shift() ?? null;
    },
    async close() {
      await port.close();
      await sim.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  cleanups.push(() => h.close());
  return h;
}

describe('simulator wire protocol', () => {
  test('status, SAM ID, find/select/read sequence and the post-read find protection', async () => {
    const h = await host({ samId: '05.01-20101129-0001228293-0296863149' });
    expect((await h.ask(commands.samStatus.frame))?.sw3).toBe(0x90);
    const id = await h.ask(commands.samId.frame);
    expect(id && decodeSamId(id.data)).toEqual({ ok: true, value: '05.01-20101129-0001228293-0296863149' });
    expect((await h.ask(commands.findCard.frame))?.sw3).toBe(0x80);
    h.sim.placeCard({ profile: 'chibi-resident' });
    expect((await h.ask(commands.findCard.frame))?.sw3).toBe(0x9f);
    expect((await h.ask(commands.selectCard.frame))?.sw3).toBe(0x90);
    const read = await h.ask(commands.readBase.frame);
    expect(read?.sw3).toBe(0x90);
    expect(read?.data.length).toBe(4 + 256 + 1024);
    // After a successful read, find fails until the card leaves the field …
    expect((await h.ask(commands.findCard.frame))?.sw3).toBe(0x80);
    // … but the card is still there for 30 03 / 30 05 and for a repeated read.
    const addr = await h.ask(commands.readNewestAddress.frame);
    expect(addr && decodeNewestAddress(addr.data)).toEqual({ ok: true, value: '湖北省赤壁市赤马港街道样例新村2栋301室' });
    expect((await h.ask(commands.readManagementNumber.frame))?.data.length).toBe(24);
    expect((await h.ask(commands.readBase.frame))?.sw3).toBe(0x90);
    h.sim.removeCard();
    expect((await h.ask(commands.readManagementNumber.frame))?.sw3).toBe(0x41);
    h.sim.placeCard({ profile: 'chibi-resident' });
    expect((await h.ask(commands.findCard.frame))?.sw3).toBe(0x9f);
  });

  test('no appended address → 91; unknown command → 21; bad checksum → 10; baud and RF settings → 90', async () => {
    const h = await host();
    h.sim.placeCard({ profile: 'xianan-resident' });
    await h.ask(commands.findCard.frame);
    await h.ask(commands.selectCard.frame);
    expect((await h.ask(commands.readNewestAddress.frame))?.sw3).toBe(0x91);
    expect((await h.ask(buildCommandFrame(0x77, 0x01)))?.sw3).toBe(0x21);
    expect((await h.ask(fromHex('AA AA AA 96 69 00 03 20 01 23')))?.sw3).toBe(0x10);
    expect((await h.ask(setMaxRfBytesCommand(0x50).frame))?.sw3).toBe(0x90);
    expect((await h.ask(setBaudRateCommand(115200).frame))?.sw3).toBe(0x90);
    expect((await h.ask(commands.resetSam.frame))?.sw3).toBe(0x90);
  });

  test('tolerates a host that skips find/select; strict mode answers 24', async () => {
    const loose = await host();
    loose.sim.placeCard({ profile: 'xianan-resident' });
    expect((await loose.ask(commands.readBase.frame))?.sw3).toBe(0x90);
    const strict = await host({ strictSequence: true });
    strict.sim.placeCard({ profile: 'xianan-resident' });
    expect((await strict.ask(commands.readBase.frame))?.sw3).toBe(0x24);
    expect((await strict.ask(commands.selectCard.frame))?.sw3).toBe(0x24);
  });

  test('faults: silent, no-sam, bad-checksum (observed raw), count runs out', async () => {
    const h = await host();
    h.sim.injectFault('silent', 1);
    expect(await h.ask(commands.samStatus.frame, 300)).toBeNull();
    expect((await h.ask(commands.samStatus.frame))?.sw3).toBe(0x90);
    h.sim.injectFault('no-sam', 2);
    expect((await h.ask(commands.samStatus.frame))?.sw3).toBe(0x60);
    expect((await h.ask(commands.findCard.frame))?.sw3).toBe(0x60);
    expect((await h.ask(commands.findCard.frame))?.sw3).toBe(0x80);
    h.sim.injectFault('bad-checksum', 1);
    // The parser drops the damaged reply, so the host sees nothing.
    expect(await h.ask(commands.samStatus.frame, 300)).toBeNull();
    expect(h.sim.state().faults).toEqual({});
  });
});

describe('reader personalities on the wire', () => {
  test('30 05 personalities: supported, after-read-only (24 later), no-content (91), read-failed (41), rejected (21), silent', async () => {
    const h = await host();
    const afterRead = async (): Promise<void> => {
      h.sim.removeCard();
      h.sim.placeCard({ profile: 'xianan-resident' });
      expect((await h.ask(commands.findCard.frame))?.sw3).toBe(0x9f);
      expect((await h.ask(commands.selectCard.frame))?.sw3).toBe(0x90);
      expect((await h.ask(commands.readBase.frame))?.sw3).toBe(0x90);
    };
    const mid = async (): Promise<number | null> => (await h.ask(commands.readManagementNumber.frame, 300))?.sw3 ?? null;
    await afterRead();
    expect([await mid(), await mid()]).toEqual([0x90, 0x90]);
    h.sim.setPersonality('30-05-after-read-only');
    await afterRead();
    expect([await mid(), await mid()]).toEqual([0x90, 0x24]);
    h.sim.setPersonality('30-05-no-content');
    await afterRead();
    expect(await mid()).toBe(0x91);
    h.sim.setPersonality({ managementNumber: 'read-failed' });
    expect(await mid()).toBe(0x41);
    h.sim.setPersonality('rejects-30-05');
    expect(await mid()).toBe(0x21);
    h.sim.setPersonality('no-30-05');
    expect(await mid()).toBeNull();
    // The card is still there all along: a repeated read works.
    expect((await h.ask(commands.readBase.frame))?.sw3).toBe(0x90);
  });

  test('slow slide-in: find 9F, select 81 until the card is seated, then select 90', async () => {
    const h = await host({ personality: { slideInMs: 400 } });
    h.sim.placeCard({ profile: 'xianan-resident' });
    expect((await h.ask(commands.findCard.frame))?.sw3).toBe(0x9f);
    expect((await h.ask(commands.selectCard.frame))?.sw3).toBe(0x81);
    // Not halted: the card answers find again.
    expect((await h.ask(commands.findCard.frame))?.sw3).toBe(0x9f);
    const deadline = Date.now() + 5000;
    let sw3 = 0x81;
    while (sw3 === 0x81 && Date.now() < deadline) {
      await h.ask(commands.findCard.frame);
      sw3 = (await h.ask(commands.selectCard.frame))?.sw3 ?? 0;
    }
    expect(sw3).toBe(0x90);
    expect((await h.ask(commands.readBase.frame))?.sw3).toBe(0x90);
  });

  test('stale frames: a truncated frame before each reply (the parser reports what it skipped), the reply still parses', async () => {
    const h = await host({ personality: 'stale-frames' });
    expect((await h.ask(commands.samStatus.frame))?.sw3).toBe(0x90);
    h.sim.placeCard({ profile: 'hk-permit' });
    expect((await h.ask(commands.findCard.frame))?.sw3).toBe(0x9f);
    expect((await h.ask(commands.selectCard.frame))?.sw3).toBe(0x90);
    expect((await h.ask(commands.readBase.frame))?.data.length).toBe(4 + 256 + 1024);
    // Four replies, each behind a cut-off frame the parser had to skip.
    expect(h.skipped.length).toBeGreaterThanOrEqual(4);
    expect(h.sim.state()).toMatchObject({ personality: { staleFrames: true } });
    const clean = await host();
    expect((await clean.ask(commands.samStatus.frame))?.sw3).toBe(0x90);
    expect(clean.skipped).toEqual([]);
  });
});

describe('simulator control routes (/idcard)', () => {
  async function control(): Promise<{ base: string; sim: IdCardSimulator }> {
    const h = await host();
    const app = createControlApp([h.sim]);
    const server: Server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}/idcard`, sim: h.sim };
  }
  const json = (method: string, body?: unknown): RequestInit => ({
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });

  test('GET /profiles lists synthetic people of every type, masked', async () => {
    const { base } = await control();
    const res = await fetch(`${base}/profiles`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { profiles: Array<{ name: string; cardType: string; maskedIdNumber: string }> };
    expect(new Set(body.profiles.map((p) => p.cardType)).size).toBe(4);
    expect(body.profiles.find((p) => p.name === 'xianan-resident')?.maskedIdNumber).toBe('4212**********0610');
  });

  test('POST/DELETE /card, GET / state', async () => {
    const { base } = await control();
    let res = await fetch(`${base}/card`, json('POST', { profile: 'hk-permit' }));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ placed: { profile: 'hk-permit', cardType: 'hk-macau-taiwan' } });
    res = await fetch(base);
    expect(await res.json()).toMatchObject({ connected: true, card: { profile: 'hk-permit', phase: 'present' } });
    res = await fetch(
      `${base}/card`,
      json('POST', { fields: { cardType: 'resident', name: '王样例', nation: '回', validTo: 'long-term' } }),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ placed: { profile: 'custom', cardType: 'resident' } });
    res = await fetch(`${base}/card`, { method: 'DELETE' });
    expect(await res.json()).toMatchObject({ removed: true, state: { card: null } });
  });

  test('bad control input → 400 with a readable reason', async () => {
    const { base } = await control();
    const cases: Array<[string, RequestInit, RegExp]> = [
      ['/card', json('POST', { profile: 'nobody' }), /unknown profile "nobody"/],
      ['/card', json('POST', {}), /profile.*fields/],
      ['/card', json('POST', { fields: { name: '名'.repeat(20) } }), /name is 20 characters/],
      ['/card', json('POST', { fields: { sex: 'x' } }), /fields\.sex/],
      ['/card', json('POST', { fields: { nation: '火星' } }), /GB\/T 3304/],
      ['/card', json('POST', '{not json'), /not valid JSON/],
      ['/fault', json('POST', { kind: 'meteor' }), /kind/],
      ['/fault', json('POST', { kind: 'junk', count: -1 }), /count/],
      ['/plug', json('POST', { connected: 'yes' }), /connected/],
      ['/personality', json('POST', { preset: 'grumpy' }), /unknown personality preset "grumpy"/],
      ['/personality', json('POST', { managementNumber: 'sometimes' }), /managementNumber/],
      ['/personality', json('POST', { slideInMs: -5 }), /slideInMs/],
      ['/personality', json('POST', { mood: 1 }), /mood/],
    ];
    for (const [path, init, message] of cases) {
      const res = await fetch(`${base}${path}`, init);
      expect(res.status, `${path} ${String(init.body)}`).toBe(400);
      const body = (await res.json()) as { error: string };
      expect(body.error).toMatch(message);
    }
  });

  test('GET/POST /personality: presets listed, a preset then a field, state shows it', async () => {
    const { base } = await control();
    let res = await fetch(`${base}/personality`);
    const listed = (await res.json()) as { personality: object; presets: Record<string, string> };
    expect(listed.personality).toEqual({
      managementNumber: 'supported',
      slideInMs: 0,
      staleFrames: false,
      refindsReadCard: false,
      strictSequence: false,
    });
    expect(Object.keys(listed.presets)).toEqual(
      expect.arrayContaining(['standard', 'no-30-05', 'slow-slide-in', 'stale-frames']),
    );
    res = await fetch(`${base}/personality`, json('POST', { preset: 'no-30-05' }));
    expect(await res.json()).toEqual({
      personality: {
        managementNumber: 'silent',
        slideInMs: 0,
        staleFrames: false,
        refindsReadCard: false,
        strictSequence: false,
      },
    });
    res = await fetch(`${base}/personality`, json('POST', { slideInMs: 1500 }));
    expect(await res.json()).toEqual({
      personality: {
        managementNumber: 'silent',
        slideInMs: 1500,
        staleFrames: false,
        refindsReadCard: false,
        strictSequence: false,
      },
    });
    res = await fetch(base);
    expect(await res.json()).toMatchObject({
      strictSequence: false,
      personality: { managementNumber: 'silent', slideInMs: 1500 },
    });
    res = await fetch(`${base}/personality`, json('POST', { preset: 'standard' }));
    expect(await res.json()).toEqual({
      personality: {
        managementNumber: 'supported',
        slideInMs: 0,
        staleFrames: false,
        refindsReadCard: false,
        strictSequence: false,
      },
    });
  });

  test('POST /fault and POST /plug', async () => {
    const { base, sim } = await control();
    let res = await fetch(`${base}/fault`, json('POST', { kind: 'removed-mid-read', count: 2 }));
    expect(await res.json()).toEqual({ faults: { 'removed-mid-read': { remaining: 2, target: 'any' } } });
    for (const kind of ['no-sam', 'bad-checksum', 'junk', 'fragment', 'silent']) {
      res = await fetch(`${base}/fault`, json('POST', { kind, count: 1 }));
      expect(res.status).toBe(200);
    }
    res = await fetch(`${base}/fault`, { method: 'DELETE' });
    expect(await res.json()).toEqual({ faults: {} });
    res = await fetch(`${base}/plug`, json('POST', { connected: false }));
    expect(await res.json()).toMatchObject({ connected: false });
    expect(sim.isConnected).toBe(false);
    res = await fetch(`${base}/plug`, json('POST', { connected: true }));
    expect(await res.json()).toMatchObject({ connected: true });
  });
});
