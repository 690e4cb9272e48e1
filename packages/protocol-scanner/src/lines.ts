/**
 * The serial wire format of an embedded 2D scanner module: each decoded code is sent as its bytes
 * followed by a suffix, CR (0x0D) by factory default; modules can be set to CRLF or LF. Pure:
 * bytes in, codes out. The framer copes with what a UART delivers: a code split over several
 * reads, several codes in one read, CRLF, stray terminators, line noise, codes longer than any
 * e-ID code would be (a misread or a paper document's QR), and bytes that are not UTF-8 (a module
 * left in GBK output, or noise). It never guesses: anything doubtful is reported, not delivered.
 *
 * A partial code that never gets its terminator (the module was unplugged mid-code) stays
 * buffered until the driver, which owns the clock, calls `dropPartial()`.
 */

export const CR = 0x0d;
export const LF = 0x0a;

/** Longest code delivered (bytes before the terminator); a QR holds at most 2953 bytes. */
export const DEFAULT_MAX_CODE_BYTES = 3000;

export type ScanRejection =
  /** More than `maxBytes` without a terminator: the bytes up to the next terminator are dropped. */
  | 'overlong'
  /** Not valid UTF-8. */
  | 'encoding'
  /** Control characters inside a code (noise on the line, or a module sending AIM/STX framing). */
  | 'control'
  /** The driver gave up on bytes that never got their terminator. */
  | 'incomplete';

export type ScanEvent =
  | { type: 'code'; text: string }
  /** `bytes`: how many bytes were dropped (never the bytes themselves: they may be personal). */
  | { type: 'rejected'; reason: ScanRejection; bytes: number };

export interface ScanFramerOptions {
  maxBytes?: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** TAB is allowed inside a code (some documents use it as a field separator); other C0/DEL are not. */
function hasControl(bytes: Uint8Array): boolean {
  for (const b of bytes) if ((b < 0x20 && b !== 0x09) || b === 0x7f) return true;
  return false;
}

/** Judges one complete line (terminator removed). Empty lines are not codes and yield nothing. */
export function decodeLine(bytes: Uint8Array): ScanEvent | null {
  if (bytes.length === 0) return null;
  if (hasControl(bytes)) return { type: 'rejected', reason: 'control', bytes: bytes.length };
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { type: 'rejected', reason: 'encoding', bytes: bytes.length };
  }
  // A UTF-8 byte order mark some modules put in front of non-ASCII codes.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return text.length === 0 ? null : { type: 'code', text };
}

export class ScanFramer {
  private readonly maxBytes: number;
  private buf: Buffer = Buffer.alloc(0);
  /** Dropping an overlong line until its terminator. */
  private discarding = false;
  private discarded = 0;

  constructor(options: ScanFramerOptions = {}) {
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_CODE_BYTES;
  }

  /** Bytes waiting for their terminator. */
  get pending(): number {
    return this.discarding ? this.discarded : this.buf.length;
  }

  push(chunk: Uint8Array): ScanEvent[] {
    const out: ScanEvent[] = [];
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      // CR, LF and CRLF all end a code; the empty "line" between CR and LF is no code.
      if (b !== CR && b !== LF) continue;
      const piece = chunk.subarray(start, i);
      start = i + 1;
      this.take(piece, out);
      this.endLine(out);
    }
    this.take(chunk.subarray(start), out);
    return out;
  }

  /** Forgets a partial code (timeout, unplug); reports it when there was one. */
  dropPartial(): ScanEvent[] {
    const n = this.pending;
    const wasDiscarding = this.discarding;
    this.reset();
    if (n === 0 || wasDiscarding) return [];
    return [{ type: 'rejected', reason: 'incomplete', bytes: n }];
  }

  reset(): void {
    this.buf = Buffer.alloc(0);
    this.discarding = false;
    this.discarded = 0;
  }

  private take(piece: Uint8Array, out: ScanEvent[]): void {
    if (piece.length === 0) return;
    if (this.discarding) {
      this.discarded += piece.length;
      return;
    }
    if (this.buf.length + piece.length > this.maxBytes) {
      // Reported once, when it happens; the rest of the line is dropped as it comes.
      this.discarding = true;
      this.discarded = this.buf.length + piece.length;
      this.buf = Buffer.alloc(0);
      out.push({ type: 'rejected', reason: 'overlong', bytes: this.discarded });
      return;
    }
    this.buf = this.buf.length === 0 ? Buffer.from(piece) : Buffer.concat([this.buf, piece]);
  }

  private endLine(out: ScanEvent[]): void {
    if (this.discarding) {
      this.discarding = false;
      this.discarded = 0;
      return;
    }
    const line = this.buf;
    this.buf = Buffer.alloc(0);
    const ev = decodeLine(line);
    if (ev) out.push(ev);
  }
}

/** What a module in serial mode sends for one code: its UTF-8 bytes and the suffix. */
export function encodeScan(text: string, suffix: 'CR' | 'CRLF' | 'LF' = 'CR'): Buffer {
  const tail = suffix === 'CR' ? [CR] : suffix === 'LF' ? [LF] : [CR, LF];
  return Buffer.concat([Buffer.from(text, 'utf8'), Buffer.from(tail)]);
}
