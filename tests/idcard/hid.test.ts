import { afterEach, describe, expect, test } from 'vitest';
import { EventEmitter } from 'node:events';
import {
  HID_REQUEST_TAG,
  HidReassembler,
  requestReports,
  responseReports,
  splitIntoReports,
  sum16,
  wrapEnvelope,
} from '@kiosk/protocol-sam';
import { buildResponseFrame, toHex } from '@kiosk/protocol-sam';
import { commands, encodeReadBase } from '@kiosk/protocol-sam';
import { createCommandParser } from '@kiosk/protocol-sam';
import { encodeText } from '@kiosk/protocol-sam';
import { HidTransport, type HidDeviceLike } from '@kiosk/transport';
import { ReconnectingTransport } from '@kiosk/transport';
import { IdCardDriver, type CardReadEvent } from '../../apps/agent/src/devices/idcard/driver.js';
import type { DeviceStatus } from '@kiosk/contracts/device-status';
import { ReaderModel } from '../../apps/simulators/src/idcard/reader.js';
import { syntheticCard } from './vectors.js';

describe('HID report wrapping (pure)', () => {
  test('request envelope: 88 | SRN | LEN(LE, payload+1) | B1 | SAM frame | SUM16(LE) from LEN on', () => {
    const msg = wrapEnvelope({ tag: HID_REQUEST_TAG, srn: 0x0102, code: 0x00, payload: commands.findCard.frame });
    expect(toHex(msg)).toBe('88 02 01 0B 00 00 AA AA AA 96 69 00 03 20 01 22 ' + toHex(msg.subarray(16)));
    expect(msg.length).toBe(5 + 11 + 2);
    expect(msg.readUInt16LE(16)).toBe(sum16(msg, 3, 16));
    const reports = requestReports(commands.findCard.frame, 0x0102);
    expect(reports).toHaveLength(1);
    expect(reports[0]!.length).toBe(64);
    expect(reports[0]!.subarray(0, 18).equals(msg)).toBe(true);
    expect(reports[0]!.subarray(18).every((b) => b === 0)).toBe(true);
  });

  test('a 1295-byte read reply spans 21 reports and reassembles exactly', () => {
    const frame = buildResponseFrame(0x90, encodeReadBase(encodeText(syntheticCard), Buffer.alloc(1024)));
    const reports = responseReports(frame, 7);
    expect(reports).toHaveLength(Math.ceil((frame.length + 7) / 64));
    const r = new HidReassembler();
    const events = reports.flatMap((rep) => r.push(rep));
    expect(events).toHaveLength(1);
    expect(events[0]!.type === 'message' && events[0]!.envelope.payload.equals(frame)).toBe(true);
    expect(events[0]!.type === 'message' && events[0]!.envelope.srn).toBe(7);
  });

  test('errors are events: stray report, bad SUM16, SAM length mismatch; reassembly continues', () => {
    const r = new HidReassembler();
    expect(r.push(Buffer.alloc(64, 0x11))).toMatchObject([{ type: 'error', code: 'junk' }]);
    const frame = buildResponseFrame(0x9f, Buffer.alloc(4));
    const bad = responseReports(frame, 1)[0]!;
    bad[10] = bad[10]! ^ 0xff;
    expect(r.push(bad)).toMatchObject([{ type: 'error', code: 'checksum' }]);
    const lying = wrapEnvelope({ tag: 0xaa, srn: 1, code: 0, payload: Buffer.concat([frame, Buffer.from([0])]) });
    expect(splitIntoReports(lying).flatMap((x) => r.push(x))).toMatchObject([{ type: 'error', code: 'mismatch' }]);
    expect(responseReports(frame, 2).flatMap((x) => r.push(x))).toMatchObject([{ type: 'message' }]);
  });
});

/** An in-memory HID device object with node-hid's HIDAsync shape, wired to the simulator's reader model. */
interface DeviceQuirks {
  /** Numbered reports: node-hid hands over input reports with this ID as the first byte. */
  reportId?: number;
  /** Reports sent before the reply (e.g. a late reply to an earlier request). */
  before?: (srn: number) => Buffer[];
  /** Result byte of the reply envelope. */
  result?: number;
}

class InMemoryHidDevice extends EventEmitter implements HidDeviceLike {
  readonly written: Buffer[] = [];
  closed = false;
  private readonly requests = new HidReassembler(HID_REQUEST_TAG);
  private readonly parser = createCommandParser();

  constructor(
    private readonly reader: ReaderModel,
    private readonly quirks: DeviceQuirks = {},
  ) {
    super();
  }

  async write(values: number[] | Buffer): Promise<number> {
    const out = Buffer.from(values);
    this.written.push(out);
    // First byte is the report ID (0: unnumbered reports), as node-hid expects.
    for (const ev of this.requests.push(out.subarray(1))) {
      if (ev.type !== 'message') continue;
      for (const f of this.parser.push(ev.envelope.payload)) {
        if (f.type !== 'frame') continue;
        const reply = this.reader.handle(f.frame);
        if (!reply.frame) continue;
        const reports = [
          ...(this.quirks.before?.(ev.envelope.srn) ?? []),
          ...responseReports(reply.frame, ev.envelope.srn, this.quirks.result ?? 0),
        ];
        const id = this.quirks.reportId;
        setTimeout(() => {
          for (const r of reports) if (!this.closed) this.emit('data', id ? Buffer.concat([Buffer.of(id), r]) : r);
        }, 5);
      }
    }
    return out.length;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** node-hid reports an unplugged device as an error from its read loop. */
  unplug(): void {
    this.closed = true;
    this.emit('error', new Error('could not read from HID device'));
  }
}

describe('HID transport over an in-memory HID device', () => {
  let driver: IdCardDriver | undefined;
  afterEach(async () => {
    await driver?.stop();
    driver = undefined;
  });

  test('in-memory HID device: writes are 65-byte reports (report ID 0 + 64) carrying the SAM frame', async () => {
    const reader = new ReaderModel({ samId: '05.01-20101129-0001228293-0296863149', strictSequence: false });
    const device = new InMemoryHidDevice(reader);
    const t = new HidTransport({ vendorId: 0x10c4, productId: 0x0007, openDevice: async () => device });
    const got: Buffer[] = [];
    t.on('data', (d) => got.push(d));
    await t.open();
    expect(t.description).toBe('hid:10c4:0007');
    await t.write(commands.samStatus.frame);
    await new Promise((r) => setTimeout(r, 30));
    expect(device.written).toHaveLength(1);
    expect(device.written[0]!.length).toBe(65);
    expect(device.written[0]![0]).toBe(0);
    expect(device.written[0]![1]).toBe(0x88);
    expect(got.map((b) => toHex(b))).toEqual(['AA AA AA 96 69 00 04 00 00 90 94']);
    await t.close();
    expect(device.closed).toBe(true);
  });

  async function exchange(
    quirks: DeviceQuirks,
    reportId = 0,
  ): Promise<{ got: string[]; transport: HidTransport; device: InMemoryHidDevice }> {
    const reader = new ReaderModel({ samId: '05.01-20101129-0001228293-0296863149', strictSequence: false });
    const device = new InMemoryHidDevice(reader, quirks);
    const transport = new HidTransport({ vendorId: 0x10c4, productId: 0x0007, reportId, openDevice: async () => device });
    const got: string[] = [];
    transport.on('data', (d) => got.push(toHex(d)));
    await transport.open();
    // One request at a time, as the driver does; replies come 5 ms after each write.
    await transport.write(commands.samStatus.frame);
    await new Promise((r) => setTimeout(r, 40));
    await transport.write(commands.findCard.frame);
    await new Promise((r) => setTimeout(r, 40));
    await transport.close();
    return { got, transport, device };
  }

  test('only the reply whose SRN matches the last request is delivered; a late reply to an earlier one is dropped', async () => {
    const lateFind = buildResponseFrame(0x9f, Buffer.alloc(4));
    const { got, transport } = await exchange({ before: (srn) => responseReports(lateFind, (srn - 1) & 0xffff) });
    // The stale 9F (SRN of the previous request) must not answer the status or the find request.
    expect(got).toEqual(['AA AA AA 96 69 00 04 00 00 90 94', 'AA AA AA 96 69 00 04 00 00 80 84']);
    expect(transport.staleReplies).toBe(2);
  });

  test('an envelope whose result byte reports a failure is not taken as the reply', async () => {
    const { got, transport } = await exchange({ result: 0x01 });
    expect(got).toEqual([]);
    expect(transport.failedEnvelopes).toBe(2);
  });

  test('numbered reports: the report ID is stripped on reads as on writes', async () => {
    const { got, device } = await exchange({ reportId: 0x02 }, 0x02);
    expect(device.written[0]![0]).toBe(0x02);
    expect(device.written[0]![1]).toBe(0x88);
    expect(got).toEqual(['AA AA AA 96 69 00 04 00 00 90 94', 'AA AA AA 96 69 00 04 00 00 80 84']);
  });

  test('in-memory HID device: the ID card driver reads a card, goes offline on unplug and recovers on replug', async () => {
    const reader = new ReaderModel({ samId: '05.01-20101129-0001228293-0296863149', strictSequence: false });
    let device: InMemoryHidDevice | undefined;
    let plugged = true;
    const hid = new HidTransport({
      vendorId: 0x10c4,
      productId: 0x0007,
      openDevice: async () => {
        if (!plugged) throw new Error('no such HID device');
        device = new InMemoryHidDevice(reader);
        return device;
      },
    });
    driver = new IdCardDriver({
      transport: new ReconnectingTransport(hid, { initialDelayMs: 50, maxDelayMs: 100 }),
      pollIntervalMs: 30,
      requestTimeoutMs: 500,
    });
    const statuses: DeviceStatus[] = [];
    driver.on('status', (s) => statuses.push(s));
    const online = (): Promise<void> =>
      new Promise((resolve) => {
        const check = (s: DeviceStatus): void => {
          if (s.device === 'online') {
            driver!.off('status', check);
            resolve();
          }
        };
        if (driver!.status().device === 'online') resolve();
        else driver!.on('status', check);
      });
    await driver.start();
    await online();
    expect(driver.status().extra?.samId).toBe('05.01-20101129-0001228293-0296863149');

    reader.place({
      profile: 'test',
      cardType: 'resident',
      text: encodeText(syntheticCard),
      photo: Buffer.alloc(1024, 1),
      fingerprint: Buffer.alloc(0),
      managementNumber: Buffer.alloc(24),
    });
    const read: CardReadEvent = await driver.waitForCard({ timeoutMs: 5000 });
    expect(read.card).toMatchObject({ cardType: 'resident', name: '测试', idNumber: '110101199001011237' });
    expect(read.photo.wlt.equals(Buffer.alloc(1024, 1))).toBe(true);

    plugged = false;
    device!.unplug();
    expect(driver.status().device).toBe('offline');
    plugged = true;
    await online();
    expect(statuses.map((s) => s.device)).toContain('offline');
  });
});
