/**
 * Transport over a USB HID POS scanner (node-hid). It turns scanned-data input reports into the
 * byte stream a serial scanner sends (each code followed by CR), so the scanner driver and its
 * framer run unchanged over either. Receive only: HID POS output reports (beep, LEDs) are not
 * used, and `write()` refuses.
 *
 * node-hid is loaded only when opened, so serial-only kiosks never load the native addon; tests
 * pass `openDevice` with an in-memory device.
 */
import { EventEmitter } from 'node:events';
import { HidPosAssembler, defaultHidPosLayout, type HidPosLayout } from '@kiosk/protocol-scanner';
import type { HidDeviceLike } from './hid.js';
import type { Transport, TransportEvents } from './transport.js';

export interface HidPosTransportOptions {
  vendorId: number;
  productId: number;
  path?: string;
  openDevice?: () => Promise<HidDeviceLike>;
  layout?: HidPosLayout;
}

const hex4 = (n: number): string => n.toString(16).padStart(4, '0');

export class HidPosTransport extends EventEmitter<TransportEvents> implements Transport {
  readonly description: string;
  private device: HidDeviceLike | undefined;
  private readonly assembler: HidPosAssembler;

  constructor(private readonly options: HidPosTransportOptions) {
    super();
    this.description = `hidpos:${hex4(options.vendorId)}:${hex4(options.productId)}${options.path ? `@${options.path}` : ''}`;
    this.assembler = new HidPosAssembler(options.layout ?? defaultHidPosLayout);
  }

  get isOpen(): boolean {
    return this.device !== undefined;
  }

  async open(): Promise<void> {
    if (this.device) return;
    let device: HidDeviceLike;
    try {
      device = await (this.options.openDevice ?? (() => this.openWithNodeHid()))();
    } catch (err) {
      throw new Error(`${this.description}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    this.device = device;
    this.assembler.reset();
    device.on('data', (report: Buffer) => {
      for (const code of this.assembler.push(report)) this.emit('data', Buffer.concat([code, Buffer.from([0x0d])]));
    });
    device.on('error', (err: Error) => this.lost(device, err));
    this.emit('open');
  }

  private async openWithNodeHid(): Promise<HidDeviceLike> {
    const hid = await import('node-hid');
    const { path, vendorId, productId } = this.options;
    return path ? hid.HIDAsync.open(path) : hid.HIDAsync.open(vendorId, productId);
  }

  private lost(device: HidDeviceLike, err: Error): void {
    if (this.device !== device) return;
    this.device = undefined;
    device.removeAllListeners();
    void Promise.resolve()
      .then(() => device.close())
      .catch(() => undefined);
    this.emit('close', err);
  }

  async write(): Promise<void> {
    throw new Error(`${this.description}: HID POS scanners take no commands here`);
  }

  async close(): Promise<void> {
    const device = this.device;
    if (!device) return;
    this.device = undefined;
    device.removeAllListeners();
    await Promise.resolve(device.close()).catch(() => undefined);
    this.emit('close');
  }
}
