/**
 * Transport over a USB HID POS scanner (node-hid). It turns scanned-data input reports into the
 * byte stream a serial scanner sends (each code followed by CR), so the scanner driver and its
 * framer run unchanged over either. Receive only: HID POS output reports (beep, LEDs) are not
 * used, and `write()` refuses.
 *
 * Opening and unplug handling are hid-device.ts's; tests pass `openDevice` with an in-memory device.
 */
import { HidPosAssembler, defaultHidPosLayout, type HidPosLayout } from '@kiosk/protocol-scanner';
import { HidDeviceTransport, type HidDeviceOptions } from './hid-device.js';

export interface HidPosTransportOptions extends HidDeviceOptions {
  layout?: HidPosLayout;
}

export class HidPosTransport extends HidDeviceTransport {
  private readonly assembler: HidPosAssembler;

  constructor(options: HidPosTransportOptions) {
    super('hidpos', options);
    this.assembler = new HidPosAssembler(options.layout ?? defaultHidPosLayout);
  }

  async write(): Promise<void> {
    throw new Error(`${this.description}: HID POS scanners take no commands here`);
  }

  protected resetReading(): void {
    this.assembler.reset();
  }

  protected receive(report: Buffer): void {
    for (const code of this.assembler.push(report)) this.emit('data', Buffer.concat([code, Buffer.from([0x0d])]));
  }
}
