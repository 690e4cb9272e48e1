import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { renderReceipt, testPage } from '../../apps/agent/src/receipts/index.js';
import { SerialTransport } from '@kiosk/transport';
import { createControlApp } from '../../apps/simulators/src/control-api.js';
import { createPrinterSimulator, type PrinterSimulator, type ReceiptView } from '../../apps/simulators/src/printer/index.js';
import { p80, tempDir, waitFor } from './helpers.js';

let sim: PrinterSimulator | undefined;
let server: Server | undefined;
let dir: string | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  server?.close();
  await sim?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  sim = undefined;
  server = undefined;
  dir = undefined;
});

async function setup(): Promise<string> {
  dir = tempDir();
  sim = createPrinterSimulator({ agentPath: join(dir, 'printer'), devicePath: join(dir, 'printer.device') });
  await sim.start();
  server = createServer(createControlApp([sim]));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const post = (url: string, body: unknown, raw = false) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: raw ? (body as string) : JSON.stringify(body),
  });

describe('printer simulator control API', () => {
  it('reports and sets sensor state; answers DLE EOT from it', async () => {
    const base = await setup();
    const st = (await (await fetch(`${base}/printer`)).json()) as {
      connected: boolean;
      sensors: { paper: string };
      statusBytes: string[];
    };
    expect(st).toMatchObject({ connected: true, sensors: { paper: 'full' }, statusBytes: ['0x12', '0x12', '0x12', '0x12'] });
    const res = await post(`${base}/printer/state`, { paper: 'out', coverOpen: false });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { state: { statusBytes: string[] } }).state.statusBytes).toEqual([
      '0x1a',
      '0x32',
      '0x12',
      '0x7e',
    ]);

    // Over the pty, as the agent would ask.
    const t = new SerialTransport({ path: sim!.agentPath, baudRate: 115200 });
    const got: number[] = [];
    t.on('data', (b) => got.push(...b));
    await t.open();
    await t.write(Uint8Array.from([0x10, 0x04, 0x04]));
    await waitFor(() => got.length >= 1, 'status byte');
    expect(got).toEqual([0x7e]);
    await post(`${base}/printer/state`, { coverOpen: true, paper: 'full' });
    await t.write(Uint8Array.from([0x10, 0x04, 0x02]));
    await waitFor(() => got.length >= 2, 'second status byte');
    expect(got[1]).toBe(0x16);
    await t.close();
  });

  it('rejects bad control input with a readable 400', async () => {
    const base = await setup();
    const bad = await post(`${base}/printer/state`, { paper: 'empty' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/paper/);
    const unknown = await post(`${base}/printer/state`, { jammed: true });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: string }).error).toMatch(/jammed|unrecognized/i);
    const notJson = await post(`${base}/printer/state`, '{paper:', true);
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: string }).error).toMatch(/JSON/);
    const plug = await post(`${base}/printer/plug`, { connected: 'no' });
    expect(plug.status).toBe(400);
    const arr = await post(`${base}/printer/state`, [1, 2]);
    expect(arr.status).toBe(400);
  });

  it('lists decoded receipts newest last with HTML, and clears them', async () => {
    const base = await setup();
    const job = renderReceipt(testPage(p80(), { now: new Date(2026, 0, 1) }), p80());
    const t = new SerialTransport({ path: sim!.agentPath, baudRate: 115200 });
    await t.open();
    for (let i = 0; i < job.bytes.length; i += 512) await t.write(job.bytes.subarray(i, i + 512));
    await waitFor(() => sim!.emulator.receipts().length === 1, 'receipt');
    await t.close();
    const list = (await (await fetch(`${base}/printer/receipts`)).json()) as ReceiptView[];
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      id: 1,
      cut: 'partial',
      interrupted: false,
      barcodes: [{ symbology: 'CODE128', data: '20260001' }],
    });
    expect(list[0]!.text).toContain('测试页');
    expect(list[0]!.qr[0]!.data).toContain('测试');
    expect(list[0]!.html).toMatch(/^<div class="receipt"/);
    expect(list[0]!.html).toContain('测试页');
    const page = await fetch(`${base}/printer/receipts/last.html`);
    expect(page.headers.get('content-type')).toMatch(/html/);
    expect(await page.text()).toContain('<svg');
    const del = await fetch(`${base}/printer/receipts`, { method: 'DELETE' });
    expect(await del.json()).toEqual({ cleared: 1 });
    expect(await (await fetch(`${base}/printer/receipts`)).json()).toEqual([]);
  });

  it('unplugs and replugs the pty', async () => {
    const base = await setup();
    const off = await post(`${base}/printer/plug`, { connected: false });
    expect(((await off.json()) as { connected: boolean }).connected).toBe(false);
    const t = new SerialTransport({ path: sim!.agentPath, baudRate: 115200 });
    await expect(t.open()).rejects.toThrow();
    const on = await post(`${base}/printer/plug`, { connected: true });
    expect(((await on.json()) as { connected: boolean }).connected).toBe(true);
    await t.open();
    await t.close();
  });

  it('sets personalities through POST /printer/personality; the buffer holds data while out and clears on DLE DC4 fn=8', async () => {
    const base = await setup();
    const st = (await (await fetch(`${base}/printer`)).json()) as { personality: Record<string, unknown> };
    expect(st.personality).toEqual({
      receiveBufferBytes: 4096,
      strayBytes: [],
      paperStatusWhenOut: false,
      realtimeClear: true,
      font: 'gb18030-2byte',
    });
    const res = await post(`${base}/printer/personality`, { receiveBufferBytes: 64, strayBytes: [0xff] });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { personality: unknown }).personality).toEqual({
      receiveBufferBytes: 64,
      strayBytes: [255],
      paperStatusWhenOut: false,
      realtimeClear: true,
      font: 'gb18030-2byte',
    });
    const bad = await post(`${base}/printer/personality`, { receiveBufferBytes: -1, colour: 'red' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/receiveBufferBytes/);

    const t = new SerialTransport({ path: sim!.agentPath, baudRate: 115200 });
    const got: number[] = [];
    t.on('data', (b) => got.push(...b));
    await t.open();
    await post(`${base}/printer/state`, { paper: 'out' });
    await t.write(Buffer.from('HELLO\n'.repeat(20))); // 120 bytes: 64 kept, the rest lost
    await waitFor(() => sim!.emulator.counters.bufferedBytes === 64, 'buffered');
    await t.write(Uint8Array.from([0x10, 0x14, 0x08, 0x01, 0x03, 0x14, 0x01, 0x06, 0x02, 0x08]));
    await waitFor(() => got.length >= 4, 'stray + clear response');
    expect(got).toEqual([0xff, 0x37, 0x25, 0x00]); // stray byte when the mechanism stopped, then the clear response
    expect(sim!.emulator.counters).toMatchObject({ bufferedBytes: 0, bufferClears: 1 });
    await post(`${base}/printer/state`, { paper: 'full' });
    expect(sim!.receipts()).toEqual([]);

    // Without a clear, the buffer prints after the refill as a slip of its own (resumedFromBuffer).
    await post(`${base}/printer/state`, { paper: 'out' });
    await t.write(Buffer.from('TAIL\n'));
    await waitFor(() => sim!.emulator.counters.bufferedBytes === 5, 'buffered tail');
    await post(`${base}/printer/state`, { paper: 'full' });
    const open = sim!.receipts();
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ text: 'TAIL', resumedFromBuffer: true });
    await t.close();
  });
});
