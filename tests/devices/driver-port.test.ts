// The port plumbing the Transport-backed drivers share (apps/agent/src/devices/driver-port.ts),
// against a real TCP transport and server.
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TcpTransport } from '@kiosk/transport';
import * as driverPort from '../../apps/agent/src/devices/driver-port.js';

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

function recorder(): driverPort.PortListeners & { events: string[]; closed: Promise<void> } {
  let closed = (): void => {};
  const events: string[] = [];
  return {
    events,
    closed: new Promise<void>((r) => (closed = r)),
    data: (chunk) => events.push(`data:${chunk.toString()}`),
    open: () => events.push('open'),
    close: () => {
      events.push('close');
      closed();
    },
  };
}

describe('listenAndOpen / releasePort', () => {
  it('delivers the port events to the listeners until released, and leaves none behind', async () => {
    let peer: Socket | undefined;
    const connected = new Promise<void>((r) => {
      server = createServer((s) => {
        peer = s;
        r();
      });
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const t = new TcpTransport({ host: '127.0.0.1', port: (server!.address() as AddressInfo).port });
    const l = recorder();
    expect(await driverPort.listenAndOpen(t, l)).toBeNull();
    await connected;
    const got = new Promise<void>((r) => t.once('data', () => r()));
    peer!.write('hi');
    await got;
    expect(l.events).toEqual(['open', 'data:hi']);
    await driverPort.releasePort(t, l);
    expect([t.listenerCount('data'), t.listenerCount('open'), t.listenerCount('close')]).toEqual([0, 0, 0]);
    expect(l.events).toEqual(['open', 'data:hi']);
    // A second close of a closed port does not throw out of stop().
    await expect(driverPort.releasePort(t, l)).resolves.toBeUndefined();
  });

  it('a port that cannot open resolves with the error, still listened to (a reconnect will say open)', async () => {
    server = createServer();
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((r) => server!.close(() => r()));
    server = undefined;
    const t = new TcpTransport({ host: '127.0.0.1', port, connectTimeoutMs: 1000 });
    const l = recorder();
    const failed = await driverPort.listenAndOpen(t, l);
    expect(failed).toBeInstanceOf(Error);
    expect(t.listenerCount('open')).toBe(1);
    expect(driverPort.cannotOpenStatus(t, failed!)).toEqual({
      device: 'noDevice',
      action: 'maintenance',
      detail: `cannot open ${t.description}: ${failed!.message}`,
    });
    expect(driverPort.cannotOpenStatus(t, failed!, 'offline').device).toBe('offline');
    await driverPort.releasePort(t, l);
  });
});

describe('startOnPort', () => {
  it('shows opening, then no device when the port never opened; a port that was open before shows no second status', async () => {
    server = createServer();
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const closedPort = (server.address() as AddressInfo).port;
    await new Promise<void>((r) => server!.close(() => r()));
    server = undefined;
    for (const everOpened of [false, true]) {
      const t = new TcpTransport({ host: '127.0.0.1', port: closedPort, connectTimeoutMs: 1000 });
      const l = recorder();
      const shown: string[] = [];
      await driverPort.startOnPort(
        t,
        l,
        (s) => shown.push(s.device),
        () => everOpened,
      );
      expect(shown).toEqual(everOpened ? ['starting'] : ['starting', 'noDevice']);
      expect(t.listenerCount('open')).toBe(1);
      await driverPort.releasePort(t, l);
    }
  });
});

describe('statuses', () => {
  it('opening names the port; a closed port is offline for maintenance, with the cause when there is one', () => {
    const t = new TcpTransport({ host: '127.0.0.1', port: 9 });
    expect(driverPort.openingStatus(t)).toEqual({ device: 'starting', detail: `opening ${t.description}` });
    expect(driverPort.portClosedStatus('reader', new Error('EIO'))).toEqual({
      device: 'offline',
      action: 'maintenance',
      detail: 'reader disconnected: EIO',
    });
    expect(driverPort.portClosedStatus('scanner', undefined).detail).toBe('scanner port closed');
  });
});
