/**
 * Transport over a USB HID reader (node-hid). Byte-stream semantics like the serial transport:
 * `write()` takes one SAM frame, wraps it into 64-byte reports (pure code in
 * devices/idcard/protocol/hid-report.ts); incoming reports are reassembled and the SAM frame
 * inside is emitted as `data`, so the ID card driver runs unchanged over HID. Only the reply to
 * the last request counts: its SRN must match and its result byte be 00; the report ID (numbered
 * reports) is stripped from reads as it is added to writes.
 *
 * Opening and unplug handling are hid-device.ts's. Tests pass `openDevice` with an in-memory
 * device object.
 */
import { TransportClosedError, WriteTimeoutError } from './transport.js';
import { HidDeviceTransport, type HidDeviceOptions } from './hid-device.js';
import { HID_REPORT_BYTES, HID_RESPONSE_TAG, HidReassembler, requestReports } from '@kiosk/protocol-sam';

export type { HidDeviceLike } from './hid-device.js';

export interface HidTransportOptions extends HidDeviceOptions {
  /** Prefixed to every output report; 0 for devices without numbered reports. */
  reportId?: number;
  reportBytes?: number;
  /** B1 byte of the request envelope (vendor-defined [?]). */
  b1?: number;
  writeTimeoutMs?: number;
}

export class HidTransport extends HidDeviceTransport {
  private readonly reassembler = new HidReassembler(HID_RESPONSE_TAG);
  private srn = 0;
  /** SRN of the request whose reply is awaited; replies to earlier requests are stale. */
  private awaitedSrn: number | undefined;
  private readonly reportId: number;
  private readonly reportBytes: number;
  private readonly writeTimeoutMs: number;
  /** Reassembly/format problems seen, for diagnostics. */
  envelopeErrors = 0;
  /** Replies dropped because their SRN was not the last request's (late replies). */
  staleReplies = 0;
  /** Replies dropped because the envelope's result byte reported a failure. */
  failedEnvelopes = 0;

  constructor(private readonly options: HidTransportOptions) {
    super('hid', options);
    this.reportId = options.reportId ?? 0;
    this.reportBytes = options.reportBytes ?? HID_REPORT_BYTES;
    this.writeTimeoutMs = options.writeTimeoutMs ?? 2000;
  }

  protected resetReading(): void {
    this.reassembler.reset();
  }

  protected receive(report: Buffer): void {
    // With numbered reports node-hid puts the report ID in front of the data, as we do on writes.
    const body = this.reportId !== 0 ? report.subarray(1) : report;
    for (const ev of this.reassembler.push(body)) {
      if (ev.type !== 'message') {
        this.envelopeErrors += 1;
      } else if (ev.envelope.srn !== this.awaitedSrn) {
        // A late reply to a request the driver has given up on: it must not answer the next one.
        this.staleReplies += 1;
      } else if (ev.envelope.code !== 0x00) {
        // The reader says the exchange failed; the SAM bytes (if any) are not a reply. The driver's
        // timeout and retry handle it like a lost reply.
        this.failedEnvelopes += 1;
      } else {
        this.emit('data', ev.envelope.payload);
      }
    }
  }

  async write(data: Uint8Array): Promise<void> {
    const device = this.device;
    if (!device) throw new TransportClosedError(this.description);
    this.srn = (this.srn + 1) & 0xffff;
    this.awaitedSrn = this.srn;
    const reports = requestReports(data, this.srn, this.options.b1 ?? 0x00);
    for (const report of reports) {
      const out = Buffer.alloc(1 + this.reportBytes);
      out[0] = this.reportId;
      report.copy(out, 1, 0, this.reportBytes);
      await this.withTimeout(Promise.resolve(device.write(out)));
    }
  }

  private withTimeout<T>(p: Promise<T>): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new WriteTimeoutError(this.description, this.writeTimeoutMs)), this.writeTimeoutMs);
      p.then(
        (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        (err: unknown) => {
          clearTimeout(timer);
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
  }
}
