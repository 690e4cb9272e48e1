import { afterEach, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { createMemoryPair } from '@kiosk/transport';
import { SerialTransport } from '@kiosk/transport';
import { ReconnectingTransport } from '@kiosk/transport';
import { TransportClosedError } from '@kiosk/transport';
import { createPtyPair, type PtyPair } from '../../apps/simulators/src/harness/pty-pair.js';
import { tempDir } from '../helpers/config.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function pty(): Promise<PtyPair> {
  const dir = tempDir('kiosk-pty-');
  const pair = await createPtyPair(join(dir, 'agent'), join(dir, 'device'));
  cleanups.push(() => pair.close());
  return pair;
}

function collect(t: { on(e: 'data', f: (b: Buffer) => void): unknown }): () => Buffer {
  const chunks: Buffer[] = [];
  t.on('data', (b) => chunks.push(b));
  return () => Buffer.concat(chunks);
}

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(10);
  }
}

describe('memory transport', () => {
  it('carries bytes both ways asynchronously and refuses writes when closed', async () => {
    const [a, b] = createMemoryPair();
    await a.open();
    await b.open();
    const got = collect(b);
    await a.write(Uint8Array.of(1, 2, 3));
    expect(got().length).toBe(0); // not synchronous
    await until(() => got().length === 3);
    await a.close();
    await expect(a.write(Uint8Array.of(4))).rejects.toBeInstanceOf(TransportClosedError);
  });

  it('an unplug closes with an error and reopen fails until replugged', async () => {
    const [a] = createMemoryPair();
    await a.open();
    const closed = once(a, 'close');
    a.unplug();
    const [err] = (await closed) as [Error | undefined];
    expect(err?.message).toMatch(/disconnected/);
    await expect(a.open()).rejects.toThrow(/no such device/);
    a.replug();
    await a.open();
    expect(a.isOpen).toBe(true);
  });
});

describe('serial transport over a real socat pty pair', () => {
  it('writes with drain and receives data both ways', async () => {
    const pair = await pty();
    const agent = new SerialTransport({ path: pair.agentPath, baudRate: 115200 });
    const device = new SerialTransport({ path: pair.devicePath, baudRate: 115200 });
    cleanups.push(
      () => agent.close(),
      () => device.close(),
    );
    await agent.open();
    await device.open();
    const atDevice = collect(device);
    const atAgent = collect(agent);
    const big = Buffer.alloc(64 * 1024, 0x5a);
    await agent.write(big);
    await device.write(Buffer.from('pong'));
    await until(() => atDevice().length === big.length && atAgent().toString() === 'pong');
    expect(atDevice().equals(big)).toBe(true);
  });

  it('fails to open a missing port with a readable error', async () => {
    const t = new SerialTransport({ path: join(tempDir(), 'nope'), baudRate: 9600 });
    await expect(t.open()).rejects.toThrow(/serial:.*nope@9600/);
  });

  it('sees the device disappear when socat goes away, and reconnects when it returns', async () => {
    const dir = tempDir('kiosk-pty-');
    const agentPath = join(dir, 'agent');
    const devicePath = join(dir, 'device');
    let pair = await createPtyPair(agentPath, devicePath);
    const t = new ReconnectingTransport(new SerialTransport({ path: agentPath, baudRate: 115200 }), {
      initialDelayMs: 50,
      maxDelayMs: 200,
    });
    cleanups.push(async () => {
      await t.close();
      await pair.close();
    });
    const events: string[] = [];
    t.on('open', () => events.push('open'));
    t.on('close', (e) => events.push(e ? 'lost' : 'closed'));
    await t.open();
    await pair.close(); // unplug
    expect(existsSync(agentPath)).toBe(false);
    await until(() => events.includes('lost'));
    expect(t.isOpen).toBe(false);
    pair = await createPtyPair(agentPath, devicePath); // plug back in
    await until(() => events.filter((e) => e === 'open').length === 2);
    const device = new SerialTransport({ path: devicePath, baudRate: 115200 });
    cleanups.push(() => device.close());
    await device.open();
    const got = collect(device);
    await t.write(Buffer.from('back'));
    await until(() => got().toString() === 'back');
  });
});
