// The HID plumbing both HID transports share (packages/transport/src/hid-device.ts), with an
// in-memory device in place of node-hid.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { HidDeviceTransport } from '../../packages/transport/src/hid-device.js';

class FakeDevice extends EventEmitter {
  closed = 0;
  write(): number {
    return 0;
  }
  close(): void {
    this.closed += 1;
  }
}

/** The smallest subclass: every report is passed on as it came. */
class EchoHid extends HidDeviceTransport {
  resets = 0;
  write(): Promise<void> {
    return Promise.resolve();
  }
  protected resetReading(): void {
    this.resets += 1;
  }
  protected receive(report: Buffer): void {
    this.emit('data', report);
  }
}

describe('HidDeviceTransport', () => {
  it('names the device, opens once, passes reports to the subclass and closes once', async () => {
    const dev = new FakeDevice();
    const t = new EchoHid('hid', { vendorId: 0x0400, productId: 0xc35a, path: '/dev/hidraw0', openDevice: async () => dev });
    expect(t.description).toBe('hid:0400:c35a@/dev/hidraw0');
    expect(new EchoHid('hidpos', { vendorId: 1, productId: 2 }).description).toBe('hidpos:0001:0002');
    const events: string[] = [];
    t.on('open', () => events.push('open'));
    t.on('data', (b) => events.push(`data:${b.toString('hex')}`));
    t.on('close', (e) => events.push(`close:${e ? e.message : '-'}`));
    await t.open();
    await t.open();
    expect(t.isOpen).toBe(true);
    expect(t.resets).toBe(1);
    dev.emit('data', Buffer.from([1, 2]));
    await t.close();
    await t.close();
    expect(events).toEqual(['open', 'data:0102', 'close:-']);
    expect(dev.closed).toBe(1);
    expect(dev.listenerCount('data')).toBe(0);
  });

  it('a read-loop error is an unplug: closed with the error, the device released, and it opens again', async () => {
    const devs = [new FakeDevice(), new FakeDevice()];
    let n = 0;
    const t = new EchoHid('hid', { vendorId: 1, productId: 2, openDevice: async () => devs[n++]! });
    const closes: (Error | undefined)[] = [];
    t.on('close', (e) => closes.push(e));
    await t.open();
    devs[0]!.emit('error', new Error('could not read from HID device'));
    expect(t.isOpen).toBe(false);
    expect(closes.map((e) => e?.message)).toEqual(['could not read from HID device']);
    await new Promise((r) => setImmediate(r));
    expect(devs[0]!.closed).toBe(1);
    await t.open();
    expect(t.isOpen).toBe(true);
    expect(t.resets).toBe(2);
    // The old device is no longer listened to: nothing it says reaches the new connection.
    expect(devs[0]!.listenerCount('data') + devs[0]!.listenerCount('error')).toBe(0);
    await t.close();
  });

  it('a device that cannot open is reported with the transport named', async () => {
    const t = new EchoHid('hid', { vendorId: 1, productId: 2, openDevice: () => Promise.reject(new Error('no such device')) });
    await expect(t.open()).rejects.toThrow('hid:0001:0002: no such device');
    expect(t.isOpen).toBe(false);
  });
});
