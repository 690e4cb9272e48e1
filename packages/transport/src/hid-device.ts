/**
 * What the two USB HID transports share (hid.ts: the ID card reader's SAM frames in reports;
 * hid-pos.ts: a POS scanner's input reports): opening the device through node-hid or a test's
 * `openDevice`, its description, and treating a read-loop error as an unplug ('close' with the
 * error). A subclass says what a report means (`receive`) and how bytes go out (`write`).
 *
 * node-hid is loaded only when a HID device is opened, so serial-only kiosks never load the
 * native addon.
 */
import { EventEmitter } from 'node:events';
import type { Transport, TransportEvents } from './transport.js';

/** The slice of node-hid's HIDAsync these transports use. */
export interface HidDeviceLike {
  write(values: number[] | Buffer): Promise<number> | number;
  close(): Promise<void> | void;
  on(event: 'data', listener: (data: Buffer) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  removeAllListeners(event?: string): unknown;
}

export interface HidDeviceOptions {
  vendorId: number;
  productId: number;
  /** hidraw path when several identical devices are attached. */
  path?: string;
  /** Opens the device; default node-hid's HIDAsync.open. */
  openDevice?: () => Promise<HidDeviceLike>;
}

const hex4 = (n: number): string => n.toString(16).padStart(4, '0');

export abstract class HidDeviceTransport extends EventEmitter<TransportEvents> implements Transport {
  readonly description: string;
  protected device: HidDeviceLike | undefined;

  /** `scheme` starts the description: `hid:0400:c35a@/dev/hidraw0`. */
  constructor(
    scheme: string,
    private readonly deviceOptions: HidDeviceOptions,
  ) {
    super();
    const { vendorId, productId, path } = deviceOptions;
    this.description = `${scheme}:${hex4(vendorId)}:${hex4(productId)}${path ? `@${path}` : ''}`;
  }

  get isOpen(): boolean {
    return this.device !== undefined;
  }

  async open(): Promise<void> {
    if (this.device) return;
    let device: HidDeviceLike;
    try {
      device = await (this.deviceOptions.openDevice ?? (() => this.openWithNodeHid()))();
    } catch (err) {
      throw new Error(`${this.description}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    this.device = device;
    this.resetReading();
    device.on('data', (report: Buffer) => this.receive(report));
    device.on('error', (err: Error) => this.lost(device, err));
    this.emit('open');
  }

  abstract write(data: Uint8Array): Promise<void>;

  async close(): Promise<void> {
    const device = this.device;
    if (!device) return;
    this.device = undefined;
    device.removeAllListeners();
    await Promise.resolve(device.close()).catch(() => undefined);
    this.emit('close');
  }

  /** A new device connection: forget any partial report sequence of the last one. */
  protected abstract resetReading(): void;

  /** One input report from the device. */
  protected abstract receive(report: Buffer): void;

  private async openWithNodeHid(): Promise<HidDeviceLike> {
    const hid = await import('node-hid');
    const { path, vendorId, productId } = this.deviceOptions;
    return path ? hid.HIDAsync.open(path) : hid.HIDAsync.open(vendorId, productId);
  }

  /** The device vanished (node-hid reports unplug as an error on the read loop). */
  private lost(device: HidDeviceLike, err: Error): void {
    if (this.device !== device) return;
    this.device = undefined;
    device.removeAllListeners();
    void Promise.resolve()
      .then(() => device.close())
      .catch(() => undefined);
    this.emit('close', err);
  }
}
