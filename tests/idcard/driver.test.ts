import { afterEach, describe, expect, test } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { defaultTiming } from '../../apps/simulators/src/idcard/simulator.js';
import type { CardReadEvent } from '../../apps/agent/src/devices/idcard/driver.js';
import { IdCardError } from '../../apps/agent/src/devices/idcard/errors.js';
import { createRig, isError, isRead, kinds, since, until, type Recorded, type Rig } from './helpers.js';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

async function readProfile(r: Rig, profile: string): Promise<CardReadEvent> {
  const from = r.events.length;
  r.sim.placeCard({ profile });
  const e = await r.waitFor((x) => isRead(x) && r.events.indexOf(x) >= from, 8000, `cardRead of ${profile}`);
  return (e as Extract<Recorded, { type: 'cardRead' }>).event;
}

describe('ID card driver over a real pty against the simulator', () => {
  test('probes SAM status and SAM ID, reports online, reads the SAM ID on demand', async () => {
    rig = await createRig();
    const st = await rig.waitForStatus('online');
    expect(st.extra?.samId).toBe('05.01-20240601-0000000001-0012345678');
    expect(rig.events.filter((e) => e.type === 'status').map((e) => e.type === 'status' && e.status.device)).toEqual([
      'starting',
      'starting',
      'online',
    ]);
    await expect(rig.driver.readSamId()).resolves.toBe('05.01-20240601-0000000001-0012345678');
  });

  test('reads a card with realistic reader timing (default simulator latencies)', async () => {
    rig = await createRig({ sim: { timing: defaultTiming }, driver: { pollIntervalMs: 300, requestTimeoutMs: 3000 } });
    await rig.waitForStatus('online');
    const ev = await readProfile(rig, 'xianan-resident');
    expect(ev.card).toMatchObject({ cardType: 'resident', name: '孙测试', idNumber: '421202198503120610', nation: '汉' });
    expect(ev.photo.bytes).toBe(1024);
    expect(ev.photo.wlt.subarray(0, 2).toString('latin1')).toBe('WL');
    expect(ev.photo.image).toBeNull();
  });

  test('each card type; insert → read → (no re-read while the card stays) → removed when the next card comes', async () => {
    rig = await createRig();
    await rig.waitForStatus('online');
    const expected: Record<string, object> = {
      'chibi-resident': { cardType: 'resident', nation: '土家', sex: 'female' },
      'hk-permit': { cardType: 'hk-macau-taiwan', permitNumber: 'H90000017', issueCount: '01' },
      'foreign-2017': { cardType: 'foreign-2017', idNumber: 'GBR420088051211', englishName: 'TESTER, SAMPLE JOHN' },
      'foreign-2023': { cardType: 'foreign-2023', nationality: 'DEU', englishName: 'VANDERTESTEN-SAMPLE, ANNA MARGARETHA LUISE' },
    };
    let from = rig.events.length;
    let first = true;
    for (const [profile, fields] of Object.entries(expected)) {
      rig.sim.removeCard();
      const ev = await readProfile(rig, profile);
      expect(ev.card).toMatchObject({ ...fields, warnings: [] });
      expect(ev.attempt).toBe(1);
      // The reader's find now fails while the card stays; the driver must neither re-read nor call it removed.
      const polled = rig.sim.reader.counters.finds;
      await until(() => rig!.sim.reader.counters.finds >= polled + 5, 'five more finds');
      // A read card answers find again only after it left the field: its removal shows with the next card.
      expect(kinds(since(rig, from))).toEqual(first ? ['cardInserted', 'cardRead'] : ['cardRemoved', 'cardInserted', 'cardRead']);
      expect(rig.sim.reader.counters.reads).toBeGreaterThan(0);
      from = rig.events.length;
      first = false;
    }
  });

  test('expired and long-term cards; a bad check digit is a warning on the read', async () => {
    rig = await createRig();
    await rig.waitForStatus('online');
    const expired = await readProfile(rig, 'jiayu-expired');
    expect(expired.expired).toBe(true);
    rig.sim.removeCard();
    const long = await readProfile(rig, 'tongshan-long-term');
    expect(long.card.validTo).toBe('long-term');
    expect(long.expired).toBe(false);
    rig.sim.removeCard();
    rig.sim.placeCard({ fields: { idNumber: '421202198503120611' } });
    const bad = await rig.waitFor((e) => isRead(e) && e.event.card.idNumber === '421202198503120611');
    expect(isRead(bad) && bad.event.card.warnings.map((w) => w.code)).toEqual(['checkDigit']);
  });

  test('waitForCard resolves with the next read and times out with noCard', async () => {
    rig = await createRig();
    await rig.waitForStatus('online');
    await expect(rig.driver.waitForCard({ timeoutMs: 200 })).rejects.toMatchObject({ code: 'noCard' });
    const waiting = rig.driver.waitForCard({ timeoutMs: 8000 });
    rig.sim.placeCard({ profile: 'tw-permit' });
    await expect(waiting).resolves.toMatchObject({ card: { cardType: 'hk-macau-taiwan', name: '林台测' } });
    const ac = new AbortController();
    const cancelled = rig.driver.waitForCard({ signal: ac.signal });
    ac.abort();
    await expect(cancelled).rejects.toBeInstanceOf(IdCardError);
  });

  test('reads with fingerprints (30 10) when asked', async () => {
    rig = await createRig({ driver: { readFingerprint: true } });
    await rig.waitForStatus('online');
    const ev = await readProfile(rig, 'xianan-resident');
    expect(ev.fingerprint?.length).toBe(1024);
    expect(ev.fingerprint?.[0]).toBe(0x43);
  });

  test('photo decoder hook gets the raw WLT; a failing decoder does not lose the read', async () => {
    const seen: number[] = [];
    rig = await createRig({
      driver: {
        photoDecoder: async (wlt) => {
          seen.push(wlt.length);
          if (seen.length > 1) throw new Error('licence missing');
          return { mime: 'image/bmp', data: Buffer.from('BM') };
        },
      },
    });
    await rig.waitForStatus('online');
    const first = await readProfile(rig, 'xianan-resident');
    expect(first.photo.image).toEqual({ mime: 'image/bmp', data: Buffer.from('BM') });
    rig.sim.removeCard();
    const second = await readProfile(rig, 'chibi-resident');
    expect(second.photo.image).toBeNull();
    expect(seen).toEqual([1024, 1024]);
  });
});

describe('faults injected in the simulator', () => {
  test('no-sam: hardwareError + maintenance, error event, then back online when the SAM answers again', async () => {
    rig = await createRig({ driver: { probeRetryMs: 200 } });
    await rig.waitForStatus('online');
    rig.sim.injectFault('no-sam', 4);
    const st = await rig.waitForStatus('hardwareError');
    expect(st).toMatchObject({ device: 'hardwareError', action: 'maintenance' });
    expect(st.detail).toContain('SW3=60');
    const err = await rig.waitFor(isError);
    expect(isError(err) && err.error).toMatchObject({ code: 'sam', sw3: 0x60, zh: 'SAM 自检失败，不能接收命令' });
    await rig.waitForStatus('online');
    const ev = await readProfile(rig, 'xianan-resident');
    expect(ev.card.cardType).toBe('resident');
  });

  test('bad-checksum on the read reply: the read is asked again and succeeds', async () => {
    rig = await createRig();
    await rig.waitForStatus('online');
    rig.sim.injectFault('bad-checksum', 1, 'read');
    const ev = await readProfile(rig, 'xianan-resident');
    expect(ev.attempt).toBe(1);
    expect(rig.sim.reader.counters.reads).toBe(2);
    expect(rig.count('error')).toBe(0);
  });

  test('bad-checksum on polls: ignored, the next card still reads', async () => {
    rig = await createRig();
    await rig.waitForStatus('online');
    rig.sim.injectFault('bad-checksum', 3, 'find');
    await sleep(400);
    const ev = await readProfile(rig, 'hk-permit');
    expect(ev.card.cardType).toBe('hk-macau-taiwan');
    expect(rig.count('error')).toBe(0);
    expect(rig.driver.status().device).toBe('online');
  });

  test('removed-mid-read: error (will retry), cardRemoved, read again after the card is re-placed', async () => {
    rig = await createRig();
    await rig.waitForStatus('online');
    rig.sim.injectFault('removed-mid-read', 1);
    const waiting = rig.driver.waitForCard({ timeoutMs: 10_000 });
    rig.sim.placeCard({ profile: 'xianan-resident' });
    const err = await rig.waitFor(isError);
    expect(isError(err) && err.error).toMatchObject({ code: 'readFailed', sw3: 0x41, willRetry: true });
    await rig.waitFor((e) => e.type === 'cardRemoved');
    expect(rig.sim.state().card).toBeNull();
    rig.sim.placeCard({ profile: 'xianan-resident' });
    const ev = await waiting;
    expect(ev.attempt).toBe(2);
    expect(kinds(rig.events)).toEqual(['cardInserted', 'error:readFailed', 'cardRemoved', 'cardInserted', 'cardRead']);
  });

  test('removed-mid-read twice: the retry also fails, the failure is final and waitForCard rejects', async () => {
    rig = await createRig();
    await rig.waitForStatus('online');
    rig.sim.injectFault('removed-mid-read', 2);
    const waiting = rig.driver.waitForCard({ timeoutMs: 10_000 });
    const settled = waiting.then(
      () => 'resolved',
      (e: IdCardError) => e,
    );
    rig.sim.placeCard({ profile: 'xianan-resident' });
    await rig.waitFor((e) => e.type === 'cardRemoved');
    rig.sim.placeCard({ profile: 'xianan-resident' });
    const second = await rig.waitFor((e) => isError(e) && !e.error.willRetry);
    expect(isError(second) && second.error.code).toBe('readFailed');
    expect(await settled).toMatchObject({ code: 'readFailed', willRetry: false });
    // A later placement is a fresh first attempt.
    const ev = await readProfile(rig, 'xianan-resident');
    expect(ev.attempt).toBe(1);
  });

  test('junk before replies: no errors, the card reads', async () => {
    rig = await createRig();
    await rig.waitForStatus('online');
    rig.sim.injectFault('junk', 20);
    const ev = await readProfile(rig, 'foreign-2017');
    expect(ev.card.cardType).toBe('foreign-2017');
    expect(rig.count('error')).toBe(0);
  });

  test('fragmented replies: reassembled, the card reads', async () => {
    rig = await createRig();
    await rig.waitForStatus('online');
    rig.sim.injectFault('fragment', 10);
    const ev = await readProfile(rig, 'foreign-2023');
    expect(ev.card.cardType).toBe('foreign-2023');
    expect(rig.count('error')).toBe(0);
  });

  test('silent reader: offline (not answering), back online once it answers', async () => {
    rig = await createRig();
    await rig.waitForStatus('online');
    rig.sim.injectFault('silent', 1_000_000);
    const st = await rig.waitForStatus('offline');
    expect(st.detail).toMatch(/does not answer/);
    rig.sim.clearFaults();
    await rig.waitForStatus('online');
    const ev = await readProfile(rig, 'chibi-resident');
    expect(ev.card.cardType).toBe('resident');
  });

  test('one silent read: the driver asks again and reads', async () => {
    rig = await createRig();
    await rig.waitForStatus('online');
    rig.sim.injectFault('silent', 1, 'read');
    const ev = await readProfile(rig, 'xianan-resident');
    expect(ev.attempt).toBe(1);
    expect(rig.count('error')).toBe(0);
  });
});

describe('unplug and replug', () => {
  test('unplug → offline within 2 s; replug → online and reading without restarting the driver', async () => {
    rig = await createRig();
    await rig.waitForStatus('online');
    const ev = await readProfile(rig, 'xianan-resident');
    expect(ev.card.cardType).toBe('resident');
    const from = rig.events.length;
    await rig.sim.setConnected(false);
    const st = await rig.waitForStatus('offline', 2000);
    expect(st.action).toBe('maintenance');
    // The card that was read is no longer tracked.
    expect(kinds(since(rig, from))).toContain('cardRemoved');
    await sleep(300);
    await rig.sim.setConnected(true);
    await rig.waitFor(
      (e) => e.type === 'status' && e.status.device === 'online' && rig!.events.indexOf(e) > from,
      8000,
      'online after replug',
    );
    // The reader was power-cycled with the card on it: it is found and read again.
    await rig.waitFor((e) => isRead(e) && rig!.events.indexOf(e) > from);
    rig.sim.removeCard();
    const again = await readProfile(rig, 'chibi-resident');
    expect(again.card.name).toBe('李样例');
  });

  test('starting with no device: noDevice, then online when it appears', async () => {
    rig = await createRig({ startDriver: false });
    await rig.sim.setConnected(false);
    await rig.driver.start();
    expect(rig.driver.status().device).toBe('noDevice');
    await rig.sim.setConnected(true);
    await rig.waitForStatus('online');
  });

  test('unplug during a read: the read fails cleanly and the driver recovers', async () => {
    rig = await createRig({ sim: { timing: { short: [2, 5], find: [5, 10], select: [5, 10], read: [300, 300] } } });
    await rig.waitForStatus('online');
    rig.sim.placeCard({ profile: 'xianan-resident' });
    await rig.waitFor((e) => e.type === 'cardInserted');
    await sleep(100);
    await rig.sim.setConnected(false);
    await rig.waitForStatus('offline', 2000);
    await rig.sim.setConnected(true);
    await rig.waitFor((e) => isRead(e), 8000);
    expect(rig.driver.status().device).toBe('online');
  });
});

describe('createIdCardDriver (config factory)', () => {
  test('serial config: reconnecting serial transport, polls at the configured interval, reads a card', async () => {
    const { createIdCardDriver } = await import('../../apps/agent/src/devices/idcard/driver.js');
    rig = await createRig({ startDriver: false });
    const driver = createIdCardDriver({
      enabled: true,
      transport: { kind: 'serial', path: rig.sim.agentPath, baudRate: 115200 },
      pollIntervalMs: 50,
      requestTimeoutMs: 1000,
    });
    try {
      expect(driver.transport.description).toBe(`serial:${rig.sim.agentPath}@115200`);
      await driver.start();
      const read = driver.waitForCard({ timeoutMs: 8000 });
      rig.sim.placeCard({ profile: 'xianan-resident' });
      await expect(read).resolves.toMatchObject({ card: { cardType: 'resident' } });
      expect(driver.status()).toMatchObject({ device: 'online' });
    } finally {
      await driver.stop();
    }
  });

  test('hid and tcp configs build their transports; lp is refused', async () => {
    const { createIdCardDriver } = await import('../../apps/agent/src/devices/idcard/driver.js');
    const hid = createIdCardDriver({
      enabled: true,
      transport: { kind: 'hid', vendorId: 0x10c4, productId: 0x0007 },
      pollIntervalMs: 300,
      requestTimeoutMs: 3000,
    });
    expect(hid.transport.description).toBe('hid:10c4:0007');
    const tcp = createIdCardDriver({
      enabled: true,
      transport: { kind: 'tcp', host: '127.0.0.1', port: 50000 },
      pollIntervalMs: 300,
      requestTimeoutMs: 3000,
    });
    expect(tcp.transport.description).toBe('tcp:127.0.0.1:50000');
    expect(() =>
      createIdCardDriver({
        enabled: true,
        transport: { kind: 'lp', path: '/dev/usb/lp0' },
        pollIntervalMs: 300,
        requestTimeoutMs: 3000,
      }),
    ).toThrow(/serial, hid or tcp/);
  });
});
