/**
 * Framing of the simulated gas card reader/writer (docs/gas.md, "Gas card wire protocol"). Pure:
 * bytes in, values out.
 *
 *   STX 0x02 | LEN (2 bytes, big-endian) | SEQ | CMD | DATA … | BCC | ETX 0x03
 *
 * LEN counts SEQ + CMD + DATA (2 … MAX_LEN). BCC is the XOR of the LEN bytes, SEQ, CMD and DATA.
 * A reply echoes SEQ and has CMD | 0x80; its first data byte is a status code. SEQ lets the host
 * drop a late reply to a request it already gave up on.
 */

export const STX = 0x02;
export const ETX = 0x03;
/** SEQ + CMD + 510 data bytes. */
export const MAX_LEN = 512;
export const REPLY_BIT = 0x80;

export interface Frame {
  seq: number;
  cmd: number;
  data: Uint8Array;
}

export function bcc(bytes: Uint8Array): number {
  let x = 0;
  for (const b of bytes) x ^= b;
  return x;
}

export function encodeFrame(f: Frame): Buffer {
  if (!Number.isInteger(f.seq) || f.seq < 0 || f.seq > 0xff) throw new RangeError(`seq ${f.seq} out of range`);
  if (!Number.isInteger(f.cmd) || f.cmd < 0 || f.cmd > 0xff) throw new RangeError(`cmd ${f.cmd} out of range`);
  const len = 2 + f.data.length;
  if (len > MAX_LEN) throw new RangeError(`frame data too long (${f.data.length} bytes)`);
  const body = Buffer.alloc(2 + len);
  body.writeUInt16BE(len, 0);
  body[2] = f.seq;
  body[3] = f.cmd;
  Buffer.from(f.data).copy(body, 4);
  return Buffer.concat([Buffer.from([STX]), body, Buffer.from([bcc(body), ETX])]);
}

export type FrameErrorCode = 'length' | 'checksum' | 'terminator';

export type ParseEvent = { type: 'frame'; frame: Frame } | { type: 'error'; error: { code: FrameErrorCode; seq: number | null } };

export interface FrameParser {
  /** Feeds bytes; returns the frames (and framing errors) completed by them, in order. */
  push(chunk: Uint8Array): ParseEvent[];
  /** Drops any partial frame (after a reconnect). */
  reset(): void;
  /** Bytes held waiting for the rest of a frame. */
  readonly buffered: number;
}

/**
 * Streaming parser: skips noise before STX; on a bad length, checksum or missing ETX it reports
 * an error and resynchronises at the next STX after the bad one.
 */
export function createFrameParser(): FrameParser {
  let buf = Buffer.alloc(0);
  return {
    get buffered() {
      return buf.length;
    },
    reset() {
      buf = Buffer.alloc(0);
    },
    push(chunk) {
      buf = buf.length ? Buffer.concat([buf, Buffer.from(chunk)]) : Buffer.from(chunk);
      const out: ParseEvent[] = [];
      for (;;) {
        const start = buf.indexOf(STX);
        if (start < 0) {
          buf = Buffer.alloc(0);
          break;
        }
        if (start > 0) buf = buf.subarray(start);
        if (buf.length < 3) break;
        const len = buf.readUInt16BE(1);
        if (len < 2 || len > MAX_LEN) {
          out.push({ type: 'error', error: { code: 'length', seq: null } });
          buf = buf.subarray(1);
          continue;
        }
        const total = 1 + 2 + len + 2;
        if (buf.length < total) break;
        const body = buf.subarray(1, 3 + len);
        const seq = body[2] as number;
        if (buf[total - 1] !== ETX) {
          out.push({ type: 'error', error: { code: 'terminator', seq } });
          buf = buf.subarray(1);
          continue;
        }
        if (bcc(body) !== buf[3 + len]) {
          out.push({ type: 'error', error: { code: 'checksum', seq } });
          buf = buf.subarray(1);
          continue;
        }
        out.push({ type: 'frame', frame: { seq, cmd: body[3] as number, data: Buffer.from(body.subarray(4)) } });
        buf = buf.subarray(total);
      }
      // Copy so the parser never pins a large chunk it only needs a tail of.
      if (buf.length) buf = Buffer.from(buf);
      return out;
    },
  };
}
