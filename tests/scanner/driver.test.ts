/** The scanner driver over a real socat pty against the simulator: codes, framing on the wire, unplug/replug. */
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ScannerDriver,
  ScannerError,
  createScannerDriver,
  type ScannedCode,
} from '../../apps/agent/src/devices/scanner/driver.js';
import { HidPosTransport, createMemoryPair, type HidDeviceLike } from '@kiosk/transport';
import { hidPosReports } from '@kiosk/protocol-scanner';
import { createControlApp } from '../../apps/simulators/src/control-api.js';
import { createScannerSimulator, type ScannerSimulator } from '../../apps/simulators/src/scanner/index.js';
import { tempDir } from '../helpers/config.js';

const EID = 'EHBEID:1:0123456789ABCDEFGHIJ:0011223344556677';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

async function until(pred: () => boolean, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`${what}: not reached`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function setup(): Promise<{
  sim: ScannerSimulator;
  driver: ScannerDriver;
  control: (path: string, body: unknown) => Promise<Response>;
}> {
  const dir = tempDir('kiosk-scanner-');
  const sim = createScannerSimulator({ agentPath: join(dir, 'scanner'), devicePath: join(dir, 'scanner-dev') });
  await sim.start();
  cleanups.push(() => sim.stop());
  const server: Server = createControlApp([sim]).listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const driver = createScannerDriver({
    enabled: true,
    transport: { kind: 'serial', path: join(dir, 'scanner'), baudRate: 9600 },
    partialTimeoutMs: 300,
    // Wide, so a loaded machine cannot stretch three quick presentations into separate scans.
    sameCodeMs: 10_000,
  });
  cleanups.push(() => driver.stop());
  await driver.start();
  await until(() => driver.status().device === 'online', 'online');
  const control = (path: string, body: unknown): Promise<Response> =>
    fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { sim, driver, control };
}

describe('scanner driver over a pty', () => {
  it('reads codes the simulator presents through its control API, whatever the suffix or chunking', async () => {
    const { driver, control } = await setup();
    const got: string[] = [];
    driver.on('code', (c: ScannedCode) => got.push(c.text));
    expect((await control('/scanner/scan', { text: EID })).status).toBe(200);
    await until(() => got.length === 1, 'first code');
    expect(got).toEqual([EID]);
    await control('/scanner/scan', { text: '咸宁 二维码', suffix: 'CRLF', chunks: 7 });
    await control('/scanner/scan', { text: 'LAST', suffix: 'LF' });
    await until(() => got.length === 3, 'three codes');
    expect(got).toEqual([EID, '咸宁 二维码', 'LAST']);
  });

  it('read() resolves with the next code and rejects with timeout when none comes', async () => {
    const { driver, control } = await setup();
    const next = driver.read({ timeoutMs: 10_000 });
    await control('/scanner/scan', { text: 'ABC-123' });
    expect(await next).toEqual({ text: 'ABC-123' });
    const err = await driver.read({ timeoutMs: 50 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScannerError);
    expect((err as ScannerError).code).toBe('timeout');
  });

  it('the same code held in front of the module is one scan; garbage on the line is dropped and the next code read', async () => {
    const { driver, control } = await setup();
    const got: string[] = [];
    const rejected: string[] = [];
    driver.on('code', (c) => got.push(c.text));
    driver.on('rejected', (r) => rejected.push(r.reason));
    for (let i = 0; i < 3; i++) await control('/scanner/scan', { text: EID });
    await control('/scanner/raw', { hex: 'd6d0cec40d' }); // GBK bytes + CR
    await control('/scanner/raw', { hex: '41420043440d' }); // NUL in a line
    await control('/scanner/scan', { text: 'AFTER' });
    await until(() => got.includes('AFTER'), 'code after garbage');
    expect(got).toEqual([EID, 'AFTER']);
    expect(rejected).toEqual(['encoding', 'control']);
    expect(driver.counters.repeats).toBe(2);
  });

  it('a partial code that never ends is dropped and does not prefix the next one', async () => {
    const { driver, control } = await setup();
    const rejected: string[] = [];
    driver.on('rejected', (r) => rejected.push(r.reason));
    await control('/scanner/raw', { hex: Buffer.from('EHBEID:1:HALF').toString('hex') });
    await until(() => rejected.includes('incomplete'), 'partial dropped');
    const next = driver.read({ timeoutMs: 10_000 });
    await control('/scanner/scan', { text: 'WHOLE' });
    expect(await next).toEqual({ text: 'WHOLE' });
  });

  it('unplugged: offline (maintenance), scans refused by the simulator; plugged back: online and reading again', async () => {
    const { driver, control } = await setup();
    expect((await control('/scanner/plug', { connected: false })).status).toBe(200);
    await until(() => driver.status().device === 'offline', 'offline after unplug', 30_000);
    expect(driver.status().action).toBe('maintenance');
    const refused = await control('/scanner/scan', { text: 'X' });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({ ok: false, error: 'the scanner is unplugged' });
    expect((await control('/scanner/plug', { connected: true })).status).toBe(200);
    await until(() => driver.status().device === 'online', 'online after replug', 30_000);
    const next = driver.read({ timeoutMs: 10_000 });
    await control('/scanner/scan', { text: 'BACK' });
    expect(await next).toEqual({ text: 'BACK' });
  }, 60_000);

  it('models a module without a command set: a Honeywell-style serial trigger is ignored, nothing comes back', async () => {
    const { sim, driver } = await setup();
    const got: string[] = [];
    driver.on('code', (c) => got.push(c.text));
    // SYN T CR (trigger) and SYN M CR menu query, as a host would send to a module that has them.
    await driver.transport.write(Buffer.from('\x16T\r\x16M\r'));
    await until(() => sim.counters.ignoredHostBytes === 6, 'host bytes reached the module');
    expect(sim.counters.codes).toBe(0);
    expect(got).toEqual([]);
    expect(driver.status().device).toBe('online');
  });

  it('bad control input is a 400 with a reason', async () => {
    const { control } = await setup();
    const r = await control('/scanner/scan', { text: '' });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: string }).error).toMatch(/text/);
  });
});

describe('scanner driver status without a port', () => {
  it('noDevice when the port is missing at start', async () => {
    const driver = createScannerDriver({
      enabled: true,
      transport: { kind: 'serial', path: '/nonexistent/scanner', baudRate: 9600 },
      partialTimeoutMs: 300,
      sameCodeMs: 2000,
    });
    cleanups.push(() => driver.stop());
    await driver.start();
    expect(driver.status()).toMatchObject({ device: 'noDevice', action: 'maintenance' });
  });

  it('the same-code window runs from the latest sighting; a different code in between starts a new scan', async () => {
    let t = 0;
    const [agentEnd, deviceEnd] = createMemoryPair('scanner');
    await deviceEnd.open();
    const driver = new ScannerDriver({ transport: agentEnd, sameCodeMs: 1000, now: () => t });
    cleanups.push(() => driver.stop());
    await driver.start();
    const got: string[] = [];
    driver.on('code', (c) => got.push(c.text));
    const send = async (s: string): Promise<void> => {
      await deviceEnd.write(Buffer.from(`${s}\r`));
      await new Promise((r) => setImmediate(r));
    };
    await send('A');
    t = 900;
    await send('A');
    t = 1800;
    await send('A'); // 900 ms after the last sighting: still the same presentation
    t = 2900;
    await send('A'); // 1100 ms after: a new scan
    await send('B');
    await send('A');
    expect(got).toEqual(['A', 'A', 'B', 'A']);
    // A session ended (the session module calls forget): the same code again is a new scan.
    await send('A');
    driver.forget();
    await send('A');
    expect(got).toEqual(['A', 'A', 'B', 'A', 'A']);
  });
});

describe('HID POS transport (in-memory device; no real HID POS scanner here)', () => {
  it('reports become codes for the same driver; an unplug error takes it offline', async () => {
    const listeners: { data?: (d: Buffer) => void; error?: (e: Error) => void } = {};
    const device: HidDeviceLike = {
      write: () => 0,
      close: () => undefined,
      on: (event: 'data' | 'error', l: never) => {
        listeners[event] = l;
      },
      removeAllListeners: () => undefined,
    };
    const driver = new ScannerDriver({
      transport: new HidPosTransport({ vendorId: 0x0c2e, productId: 0x0b61, openDevice: async () => device }),
    });
    cleanups.push(() => driver.stop());
    await driver.start();
    expect(driver.status().device).toBe('online');
    const next = driver.read({ timeoutMs: 2000 });
    for (const r of hidPosReports(Buffer.from(`${EID}${EID}`))) listeners.data!(r);
    expect(await next).toEqual({ text: `${EID}${EID}` });
    listeners.error!(new Error('could not read from HID device'));
    expect(driver.status()).toMatchObject({ device: 'offline', action: 'maintenance' });
  });
});
