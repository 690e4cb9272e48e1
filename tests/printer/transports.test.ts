import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { PrinterDriver } from '../../apps/agent/src/devices/printer/driver.js';
import { PrinterLink } from '../../apps/agent/src/devices/printer/link.js';
import { receipt } from '../../apps/agent/src/receipts/document.js';
import { testPage } from '../../apps/agent/src/receipts/test-page.js';
import { openDatabase } from '@kiosk/platform';
import { agentMigrations } from '../../apps/agent/src/store/migrations.js';
import { LpTransport } from '@kiosk/transport';
import { ReconnectingTransport } from '@kiosk/transport';
import { TcpTransport } from '@kiosk/transport';
import { createPrinterSimulator, PrinterEmulator, type PrinterSimulator } from '../../apps/simulators/src/printer/index.js';
import { p80, tempDir, waitFor } from './helpers.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('lp transport (file device, here a pty standing in for /dev/usb/lp0)', () => {
  it('prints and reads status back on the same descriptor, and notices unplug', async () => {
    const dir = tempDir();
    const sim: PrinterSimulator = createPrinterSimulator({ agentPath: join(dir, 'lp0'), devicePath: join(dir, 'lp0.device') });
    await sim.start();
    const db = openDatabase(join(dir, 'agent.db'), agentMigrations);
    const transport = new ReconnectingTransport(new LpTransport({ path: sim.agentPath }), {
      initialDelayMs: 50,
      maxDelayMs: 200,
    });
    const driver = new PrinterDriver(transport, db, { profile: p80(), statusPollMs: 100, statusTimeoutMs: 1500 });
    cleanups.push(async () => {
      await driver.stop();
      await sim.stop();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    });
    await driver.start();
    await waitFor(() => driver.status().device === 'online', 'online over lp');
    const res = await driver.print(testPage(p80()));
    expect(res.outcome).toBe('printed');
    expect(sim.receipts()[0]).toMatchObject({ cut: 'partial', interrupted: false });
    sim.setSensors({ paper: 'out' });
    expect(await driver.print(testPage(p80()))).toMatchObject({ outcome: 'refused', reason: 'paperOut' });
    await sim.unplug();
    await waitFor(() => driver.status().device === 'noDevice', 'noDevice over lp');
  });

  it('explains a missing device file', async () => {
    const t = new LpTransport({ path: '/nonexistent/usb/lp9' });
    await expect(t.open()).rejects.toThrow(/lp:\/nonexistent\/usb\/lp9: ENOENT/);
  });
});

describe('tcp transport (raw port 9100 style)', () => {
  async function tcpPrinter(): Promise<{ server: Server; port: number; emulator: PrinterEmulator; sockets: Set<Socket> }> {
    const emulator = new PrinterEmulator(576);
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      const reply = (b: Uint8Array): void => {
        if (!socket.destroyed) socket.write(b);
      };
      emulator.on('reply', reply);
      socket.on('data', (chunk) => emulator.receive(chunk));
      socket.on('close', () => {
        sockets.delete(socket);
        emulator.off('reply', reply);
      });
      socket.on('error', () => undefined);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return { server, port: (server.address() as AddressInfo).port, emulator, sockets };
  }

  it('prints over TCP and reads DLE EOT replies on the same connection', async () => {
    const { server, port, emulator, sockets } = await tcpPrinter();
    const dir = tempDir();
    const db = openDatabase(join(dir, 'agent.db'), agentMigrations);
    const transport = new ReconnectingTransport(new TcpTransport({ host: '127.0.0.1', port }), {
      initialDelayMs: 50,
      maxDelayMs: 200,
    });
    const driver = new PrinterDriver(transport, db, { profile: p80(), statusPollMs: 100, statusTimeoutMs: 1500 });
    cleanups.push(async () => {
      await driver.stop();
      for (const s of sockets) s.destroy();
      server.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    });
    await driver.start();
    await waitFor(() => driver.status().device === 'online', 'online over tcp');
    const res = await driver.print(receipt('tcp').text('网络打印 TCP 9100').qr('https://x.cn/t').build());
    expect(res.outcome).toBe('printed');
    expect(emulator.receipts()[0]!.items.some((i) => i.kind === 'qr')).toBe(true);
    emulator.setState({ cutterError: true });
    await waitFor(() => driver.status().device === 'hardwareError', 'cutter error over tcp');
    // The printer goes away: the driver sees it.
    for (const s of sockets) s.destroy();
    await waitFor(() => driver.status().device !== 'hardwareError', 'disconnect noticed');
  });

  it('fails to connect with a readable error', async () => {
    const { server, port } = await tcpPrinter();
    server.close();
    await once(server, 'close');
    const t = new TcpTransport({ host: '127.0.0.1', port, connectTimeoutMs: 1000 });
    await expect(t.open()).rejects.toThrow(new RegExp(`tcp:127.0.0.1:${port}`));
  });

  it('a link on a silent peer times out instead of reporting OK', async () => {
    const server = createServer(() => undefined); // accepts, never answers
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const t = new TcpTransport({ host: '127.0.0.1', port: (server.address() as AddressInfo).port });
    await t.open();
    const link = new PrinterLink(t);
    cleanups.push(async () => {
      link.dispose();
      await t.close();
      server.close();
    });
    const s = await link.queryStatus(150);
    expect(s).toMatchObject({ replied: false, online: false, notReady: 'noReply', paper: 'unknown' });
  });
});
