/**
 * SAM frame layer (GA/T 467 "SAM 通信协议"), pure: bytes in, values out.
 *
 *   AA AA AA 96 69 | Len1 Len2 (big-endian) | body … | CHK
 *
 * Len counts every byte after the length field including CHK. CHK is the XOR of Len1, Len2 and
 * the body. A host→reader body is `CMD Para Data`; a reader→host body is `SW1 SW2 SW3 Data`.
 */

export const PREAMBLE = Buffer.from([0xaa, 0xaa, 0xaa, 0x96, 0x69]);
/** Preamble + two length bytes. */
export const HEADER_LENGTH = 7;
/** Smallest legal Len of a command (CMD Para CHK) and of a response (SW1 SW2 SW3 CHK). */
export const MIN_COMMAND_LEN = 3;
export const MIN_RESPONSE_LEN = 4;
/**
 * Largest Len of any standard frame: read text + photo + two fingerprint templates,
 * 2321 bytes in total (Len = 0x090A). A larger length is junk that happened to follow a preamble.
 */
export const MAX_STANDARD_LEN = 0x090a;
export const MAX_FRAME_BYTES = HEADER_LENGTH + MAX_STANDARD_LEN;

export type FrameDirection = 'command' | 'response';

/** A host→reader frame. */
export interface CommandFrame {
  cmd: number;
  para: number;
  data: Buffer;
}

/** A reader→host frame. SW1/SW2 are the card's APDU status passed through; hosts test SW3. */
export interface ResponseFrame {
  sw1: number;
  sw2: number;
  sw3: number;
  data: Buffer;
}

/** XOR of `bytes[start..end)`. */
export function xorChecksum(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let x = 0;
  for (let i = start; i < end; i++) x ^= bytes[i]!;
  return x;
}

function frameFromBody(body: Uint8Array): Buffer {
  const len = body.length + 1;
  if (len > 0xffff) throw new RangeError(`SAM frame body of ${body.length} bytes does not fit a 16-bit length`);
  const out = Buffer.allocUnsafe(HEADER_LENGTH + len);
  PREAMBLE.copy(out, 0);
  out.writeUInt16BE(len, 5);
  out.set(body, HEADER_LENGTH);
  out[out.length - 1] = xorChecksum(out, 5, out.length - 1);
  return out;
}

function checkByte(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xff) throw new RangeError(`${name} must be a byte, got ${v}`);
}

/** Builds a host→reader frame, e.g. find card `buildCommandFrame(0x20, 0x01)` → `AA AA AA 96 69 00 03 20 01 22`. */
export function buildCommandFrame(cmd: number, para: number, data: Uint8Array = new Uint8Array(0)): Buffer {
  checkByte('CMD', cmd);
  checkByte('Para', para);
  const body = Buffer.allocUnsafe(2 + data.length);
  body[0] = cmd;
  body[1] = para;
  body.set(data, 2);
  return frameFromBody(body);
}

/** Builds a reader→host frame (the simulator's side). */
export function buildResponseFrame(sw3: number, data: Uint8Array = new Uint8Array(0), sw1 = 0, sw2 = 0): Buffer {
  checkByte('SW1', sw1);
  checkByte('SW2', sw2);
  checkByte('SW3', sw3);
  const body = Buffer.allocUnsafe(3 + data.length);
  body[0] = sw1;
  body[1] = sw2;
  body[2] = sw3;
  body.set(data, 3);
  return frameFromBody(body);
}

export type FrameErrorCode =
  /** Bytes before a preamble were skipped. Informational: real readers emit line noise. */
  | 'junk'
  /** XOR did not match; the frame was dropped and the parser resynced one byte later. */
  | 'checksum'
  /** Len below the minimum for the direction or above MAX_STANDARD_LEN. */
  | 'length'
  /** A complete frame whose content does not fit the expected shape. */
  | 'malformed';

export interface FrameError {
  code: FrameErrorCode;
  message: string;
  /** How many bytes were dropped because of this error. */
  discarded: number;
}

export type DecodeResult<T> = { ok: true; value: T } | { ok: false; error: FrameError };

/**
 * Checks one complete frame (exactly 7 + Len bytes, starting at the preamble) and returns its
 * body (between the length field and CHK). Never throws.
 */
export function unwrapFrame(frame: Uint8Array, direction: FrameDirection): DecodeResult<Buffer> {
  const buf = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
  const fail = (code: FrameErrorCode, message: string): DecodeResult<Buffer> => ({
    ok: false,
    error: { code, message, discarded: buf.length },
  });
  if (buf.length < HEADER_LENGTH || !buf.subarray(0, 5).equals(PREAMBLE)) {
    return fail('malformed', 'frame does not start with AA AA AA 96 69');
  }
  const len = buf.readUInt16BE(5);
  const min = direction === 'command' ? MIN_COMMAND_LEN : MIN_RESPONSE_LEN;
  if (len < min || len > MAX_STANDARD_LEN) return fail('length', `impossible length ${len}`);
  if (buf.length !== HEADER_LENGTH + len) {
    return fail('length', `length field says ${HEADER_LENGTH + len} bytes, frame has ${buf.length}`);
  }
  const expected = xorChecksum(buf, 5, buf.length - 1);
  const actual = buf[buf.length - 1]!;
  if (expected !== actual) {
    return fail('checksum', `checksum ${hex(actual)} should be ${hex(expected)}`);
  }
  return { ok: true, value: buf.subarray(HEADER_LENGTH, buf.length - 1) };
}

/** Decodes one complete reader→host frame. */
export function parseResponseFrame(frame: Uint8Array): DecodeResult<ResponseFrame> {
  const body = unwrapFrame(frame, 'response');
  if (!body.ok) return body;
  const b = body.value;
  return { ok: true, value: { sw1: b[0]!, sw2: b[1]!, sw3: b[2]!, data: Buffer.from(b.subarray(3)) } };
}

/** Decodes one complete host→reader frame. */
export function parseCommandFrame(frame: Uint8Array): DecodeResult<CommandFrame> {
  const body = unwrapFrame(frame, 'command');
  if (!body.ok) return body;
  const b = body.value;
  return { ok: true, value: { cmd: b[0]!, para: b[1]!, data: Buffer.from(b.subarray(2)) } };
}

export function hex(v: number): string {
  return v.toString(16).toUpperCase().padStart(2, '0');
}

/** `AA AA AA 96 69 …` for tests and diagnostics. Never log a read reply this way: it holds personal data. */
export function toHex(bytes: Uint8Array, max = 64): string {
  const parts: string[] = [];
  for (let i = 0; i < Math.min(bytes.length, max); i++) parts.push(hex(bytes[i]!));
  if (bytes.length > max) parts.push(`… (${bytes.length} bytes)`);
  return parts.join(' ');
}

export function fromHex(text: string): Buffer {
  const clean = text.replace(/[^0-9a-fA-F]/g, '');
  if (clean.length % 2) throw new Error(`odd number of hex digits in "${text}"`);
  return Buffer.from(clean, 'hex');
}
