/**
 * Driverless HID readers (Miaxis MR-300 style, reference §5) carry the SAM frame inside
 * 64-byte reports:
 *
 *   request : 88 | SRN(2) | LEN(2, LE = payload + 1) | B1     | SAM frame     | SUM16 (LE)
 *   response: AA | SRN(2) | LEN(2, LE = payload + 1) | result | SAM frame     | SUM16 (LE)
 *
 * SUM16 is the byte sum from LEN up to the end of the payload. A message longer than one report
 * continues in the following reports as plain bytes; the last report is zero-padded. Only one
 * vendor's framing is documented: SRN byte order and the B1 value are our reading [?], so both
 * are options. Pure: no I/O.
 */
import { HEADER_LENGTH, MAX_FRAME_BYTES, PREAMBLE } from './frame.js';

export const HID_REPORT_BYTES = 64;
export const HID_REQUEST_TAG = 0x88;
export const HID_RESPONSE_TAG = 0xaa;
/** tag + SRN + LEN */
const ENVELOPE_HEADER = 5;
const ENVELOPE_TRAILER = 2;

export interface HidEnvelope {
  tag: number;
  /** Sequence/serial number echoed by the reader. */
  srn: number;
  /** B1 in requests, the result byte in responses. */
  code: number;
  /** The SAM frame. */
  payload: Buffer;
}

export function sum16(bytes: Uint8Array, start: number, end: number): number {
  let s = 0;
  for (let i = start; i < end; i++) s = (s + bytes[i]!) & 0xffff;
  return s;
}

/** One envelope as a contiguous message (before splitting into reports). */
export function wrapEnvelope(env: HidEnvelope): Buffer {
  const len = env.payload.length + 1;
  if (len > 0xffff) throw new RangeError('HID payload too long');
  const out = Buffer.alloc(ENVELOPE_HEADER + len + ENVELOPE_TRAILER);
  out[0] = env.tag;
  out.writeUInt16LE(env.srn & 0xffff, 1);
  out.writeUInt16LE(len, 3);
  out[5] = env.code;
  env.payload.copy(out, 6);
  out.writeUInt16LE(sum16(out, 3, 5 + len), 5 + len);
  return out;
}

/** Cuts a message into zero-padded reports. */
export function splitIntoReports(message: Uint8Array, reportBytes = HID_REPORT_BYTES): Buffer[] {
  const reports: Buffer[] = [];
  for (let off = 0; off < message.length; off += reportBytes) {
    const r = Buffer.alloc(reportBytes);
    r.set(message.subarray(off, Math.min(off + reportBytes, message.length)));
    reports.push(r);
  }
  return reports;
}

/** Host → reader: the reports that carry one SAM command frame. */
export function requestReports(samFrame: Uint8Array, srn: number, b1 = 0x00): Buffer[] {
  return splitIntoReports(wrapEnvelope({ tag: HID_REQUEST_TAG, srn, code: b1, payload: Buffer.from(samFrame) }));
}

/** Reader → host: the reports that carry one SAM response frame (for fakes and simulators). */
export function responseReports(samFrame: Uint8Array, srn: number, result = 0x00): Buffer[] {
  return splitIntoReports(wrapEnvelope({ tag: HID_RESPONSE_TAG, srn, code: result, payload: Buffer.from(samFrame) }));
}

export type HidEvent =
  | { type: 'message'; envelope: HidEnvelope }
  | { type: 'error'; code: 'junk' | 'length' | 'checksum' | 'mismatch'; message: string };

/**
 * Reassembles envelopes from reports. Never throws: a report that does not start an envelope
 * while none is open, an impossible length or a bad SUM16 come back as error events and the
 * reassembler waits for the next envelope start.
 */
export class HidReassembler {
  private parts: Buffer[] = [];
  private have = 0;
  private total = 0;

  constructor(private readonly tag: number = HID_RESPONSE_TAG) {}

  get collecting(): boolean {
    return this.total > 0;
  }

  reset(): void {
    this.parts = [];
    this.have = 0;
    this.total = 0;
  }

  push(report: Uint8Array): HidEvent[] {
    try {
      return this.consume(Buffer.from(report));
    } catch (err) {
      this.reset();
      return [{ type: 'error', code: 'junk', message: `HID reassembly fault: ${String(err)}` }];
    }
  }

  private consume(report: Buffer): HidEvent[] {
    if (report.length === 0) return [];
    if (this.total === 0) {
      if (report[0] !== this.tag || report.length < ENVELOPE_HEADER) {
        return [{ type: 'error', code: 'junk', message: `report does not start an envelope (first byte ${report[0]})` }];
      }
      const len = report.readUInt16LE(3);
      if (len < 1 || len > MAX_FRAME_BYTES + 1) {
        return [{ type: 'error', code: 'length', message: `impossible HID envelope length ${len}` }];
      }
      this.total = ENVELOPE_HEADER + len + ENVELOPE_TRAILER;
    }
    const need = this.total - this.have;
    const part = report.subarray(0, Math.min(need, report.length));
    this.parts.push(part);
    this.have += part.length;
    if (this.have < this.total) return [];

    const msg = Buffer.concat(this.parts, this.total);
    this.reset();
    const len = msg.readUInt16LE(3);
    const expected = sum16(msg, 3, 5 + len);
    const actual = msg.readUInt16LE(5 + len);
    if (expected !== actual) {
      return [{ type: 'error', code: 'checksum', message: `HID SUM16 ${actual} should be ${expected}` }];
    }
    const payload = Buffer.from(msg.subarray(6, 5 + len));
    // Cross-check with the SAM length inside, as the vendor code does.
    if (payload.length >= HEADER_LENGTH && payload.subarray(0, 5).equals(PREAMBLE)) {
      const samTotal = HEADER_LENGTH + payload.readUInt16BE(5);
      if (samTotal !== payload.length) {
        return [
          { type: 'error', code: 'mismatch', message: `HID length ${payload.length} differs from SAM frame length ${samTotal}` },
        ];
      }
    }
    return [{ type: 'message', envelope: { tag: msg[0]!, srn: msg.readUInt16LE(1), code: msg[5]!, payload } }];
  }
}
