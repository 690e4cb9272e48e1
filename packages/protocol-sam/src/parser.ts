/**
 * Streaming SAM frame parser, after zigbee-herdsman's unpi parser: keep a byte buffer, find the
 * start of frame, wait for the announced length, check the checksum, hand out whole frames.
 * Differences: it is not a stream (push bytes, get events back, so it stays pure and trivially
 * testable), and it never throws: junk, bad lengths and bad checksums come back as typed error
 * events and the parser resyncs on the next preamble.
 */
import {
  HEADER_LENGTH,
  MAX_STANDARD_LEN,
  MIN_COMMAND_LEN,
  MIN_RESPONSE_LEN,
  PREAMBLE,
  parseCommandFrame,
  parseResponseFrame,
  xorChecksum,
  type CommandFrame,
  type DecodeResult,
  type FrameDirection,
  type FrameError,
  type ResponseFrame,
} from './frame.js';

export type ParserEvent<T> =
  | { type: 'frame'; frame: T; /** The whole frame as received, preamble to CHK. */ raw: Buffer }
  | { type: 'error'; error: FrameError };

export interface ParserOptions {
  /** Largest Len accepted; a bigger one is treated as noise. Default: the largest standard frame. */
  maxLen?: number;
}

const EMPTY = Buffer.alloc(0);

/** Length of the longest suffix of `buf` that is a proper prefix of the preamble. */
function preamblePrefixSuffix(buf: Buffer): number {
  for (let k = Math.min(PREAMBLE.length - 1, buf.length); k > 0; k--) {
    if (buf.subarray(buf.length - k).equals(PREAMBLE.subarray(0, k))) return k;
  }
  return 0;
}

export class FrameParser<T> {
  private buf: Buffer = EMPTY;
  private readonly minLen: number;
  private readonly maxLen: number;

  constructor(
    readonly direction: FrameDirection,
    private readonly decode: (frame: Buffer) => DecodeResult<T>,
    options: ParserOptions = {},
  ) {
    this.minLen = direction === 'command' ? MIN_COMMAND_LEN : MIN_RESPONSE_LEN;
    this.maxLen = options.maxLen ?? MAX_STANDARD_LEN;
  }

  /** Bytes held while waiting for the rest of a frame. */
  get pending(): number {
    return this.buf.length;
  }

  /** Drops buffered bytes, e.g. after a request timed out half-way through a reply. */
  reset(): void {
    this.buf = EMPTY;
  }

  /** Feeds received bytes; returns every frame and error they complete. Never throws. */
  push(chunk: Uint8Array): ParserEvent<T>[] {
    const events: ParserEvent<T>[] = [];
    try {
      this.consume(chunk, events);
    } catch (err) {
      // Defensive: nothing above should throw, but a parser bug must not take the driver down.
      events.push({
        type: 'error',
        error: { code: 'malformed', message: `parser fault: ${String(err)}`, discarded: this.buf.length },
      });
      this.buf = EMPTY;
    }
    return events;
  }

  /** Offset of the first preamble at or after `from` that starts a complete, valid frame; else -1. */
  private completeFrameAfter(buf: Buffer, from: number): number {
    for (let at = buf.indexOf(PREAMBLE, from); at >= 0; at = buf.indexOf(PREAMBLE, at + 1)) {
      if (buf.length - at < HEADER_LENGTH) return -1;
      const len = buf.readUInt16BE(at + 5);
      if (len < this.minLen || len > this.maxLen || buf.length - at < HEADER_LENGTH + len) continue;
      const end = at + HEADER_LENGTH + len;
      if (xorChecksum(buf, at + 5, end - 1) === buf[end - 1]) return at;
    }
    return -1;
  }

  private consume(chunk: Uint8Array, events: ParserEvent<T>[]): void {
    if (chunk.length === 0) return;
    const incoming = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let buf = this.buf.length === 0 ? incoming : Buffer.concat([this.buf, incoming]);

    for (;;) {
      const start = buf.indexOf(PREAMBLE);
      if (start < 0) {
        const keep = preamblePrefixSuffix(buf);
        const dropped = buf.length - keep;
        if (dropped > 0) events.push(junk(dropped));
        buf = keep > 0 ? buf.subarray(dropped) : EMPTY;
        break;
      }
      if (start > 0) {
        events.push(junk(start));
        buf = buf.subarray(start);
      }
      if (buf.length < HEADER_LENGTH) break;
      const len = buf.readUInt16BE(5);
      if (len < this.minLen || len > this.maxLen) {
        events.push({
          type: 'error',
          error: { code: 'length', message: `impossible frame length ${len}; resyncing`, discarded: 1 },
        });
        buf = buf.subarray(1);
        continue;
      }
      const total = HEADER_LENGTH + len;
      if (buf.length < total) {
        // A frame cut off mid-way (the reader abandoned a reply, a bridge held bytes back) would
        // swallow the replies after it until its announced length is reached. A complete frame
        // with a valid checksum that starts inside it is the real one: the cut-off part is junk.
        const inner = this.completeFrameAfter(buf, 1);
        if (inner < 0) break;
        events.push({
          type: 'error',
          error: {
            code: 'junk',
            message: `skipped a truncated ${inner}-byte frame (announced ${total}) before a complete one`,
            discarded: inner,
          },
        });
        buf = buf.subarray(inner);
        continue;
      }
      const raw = buf.subarray(0, total);
      const expected = xorChecksum(raw, 5, total - 1);
      if (expected !== raw[total - 1]) {
        // Drop only the first byte: the "frame" may have been a junk preamble swallowing a real one.
        events.push({
          type: 'error',
          error: {
            code: 'checksum',
            message: `bad checksum ${raw[total - 1]!.toString(16)} (expected ${expected.toString(16)}) in ${total}-byte frame`,
            discarded: 1,
          },
        });
        buf = buf.subarray(1);
        continue;
      }
      const copy = Buffer.from(raw);
      const decoded = this.decode(copy);
      if (decoded.ok) events.push({ type: 'frame', frame: decoded.value, raw: copy });
      else events.push({ type: 'error', error: decoded.error });
      buf = buf.subarray(total);
    }
    // Copy the remainder so a caller reusing its chunk buffer cannot change what we hold.
    this.buf = buf.length === 0 ? EMPTY : Buffer.from(buf);
  }
}

function junk(n: number): ParserEvent<never> {
  return { type: 'error', error: { code: 'junk', message: `skipped ${n} byte(s) before a frame`, discarded: n } };
}

/** Parser for reader→host frames (the driver's side). */
export function createResponseParser(options?: ParserOptions): FrameParser<ResponseFrame> {
  return new FrameParser('response', parseResponseFrame, options);
}

/** Parser for host→reader frames (the simulator's side). */
export function createCommandParser(options?: ParserOptions): FrameParser<CommandFrame> {
  return new FrameParser('command', parseCommandFrame, options);
}
