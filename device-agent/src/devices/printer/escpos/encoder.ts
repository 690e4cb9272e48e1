import * as cmd from './commands.js';
import type { Align, HriPosition, QrErrorLevel, RasterScale, Underline } from './commands.js';
import { rasterBands, DEFAULT_BAND_ROWS, type MonoImage } from './image.js';
import { encodeText, needsChineseMode, toPrintable } from './text.js';

/**
 * Bytes for one print job plus the offsets where a command ends. The driver paces its writes on
 * these boundaries: a real-time status request (DLE EOT) must never land inside another command
 * ("if it lands inside ESC 3 n, 10 is taken as n").
 */
export interface EncodedJob {
  bytes: Uint8Array;
  /** Ascending offsets in `bytes` just after a complete command; the last equals bytes.length. */
  boundaries: number[];
}

export class RealtimeSequenceError extends Error {
  constructor(offset: number) {
    super(`print data contains a real-time command sequence (DLE EOT/ENQ/DC4) at byte ${offset}; the printer would execute it`);
    this.name = 'RealtimeSequenceError';
  }
}

export interface QrOptions {
  model?: 1 | 2;
  /** Dots per module. */
  moduleSize?: number;
  level?: QrErrorLevel;
}

export interface BarcodeOptions {
  height?: number;
  moduleWidth?: number;
  hri?: HriPosition;
}

export interface CutOptions {
  partial?: boolean;
  /** GS V 65/66 n: feed to the cutter plus n dots first (default), or GS V 0/1 cut in place. */
  feed?: number | 'none';
}

const utf8 = new TextEncoder();

/**
 * Pure ESC/POS builder: methods append commands, build() returns the bytes. It tracks the
 * Chinese-mode state so FS & is sent exactly when text needs it (after ESC @ it is off again),
 * and refuses text that would print as garbage (see text.ts).
 */
export class EscPosEncoder {
  private buf = new Uint8Array(4096);
  private len = 0;
  private readonly marks: number[] = [];
  private chineseMode = false;

  private push(data: Uint8Array): this {
    if (this.len + data.length > this.buf.length) {
      let size = this.buf.length * 2;
      while (size < this.len + data.length) size *= 2;
      const next = new Uint8Array(size);
      next.set(this.buf.subarray(0, this.len));
      this.buf = next;
    }
    this.buf.set(data, this.len);
    this.len += data.length;
    this.marks.push(this.len);
    return this;
  }

  /** ESC @. Chinese mode is off afterwards until text needs it or chinese(true). */
  init(): this {
    this.chineseMode = false;
    return this.push(cmd.initialize());
  }

  chinese(on: boolean): this {
    this.chineseMode = on;
    return this.push(on ? cmd.chineseOn() : cmd.chineseOff());
  }

  /** Text without a line feed. Newlines and other control characters are refused. */
  text(text: string): this {
    const printable = toPrintable(text);
    if (printable.length === 0) return this;
    if (!this.chineseMode && needsChineseMode(printable)) this.chinese(true);
    return this.push(encodeText(printable));
  }

  /** Text then LF; each `\n`-separated part is its own line. */
  line(text = ''): this {
    for (const part of text.split('\n')) {
      this.text(part);
      this.push(cmd.lineFeed());
    }
    return this;
  }

  newline(): this {
    return this.push(cmd.lineFeed());
  }

  feed(lines: number): this {
    return this.push(cmd.feedLines(lines));
  }

  feedDots(dots: number): this {
    return this.push(cmd.feedDots(dots));
  }

  /** Dots between lines, or the printer default when omitted. */
  lineSpacing(dots?: number): this {
    return this.push(cmd.lineSpacing(dots));
  }

  align(a: Align): this {
    return this.push(cmd.align(a));
  }

  bold(on: boolean): this {
    return this.push(cmd.bold(on));
  }

  underline(n: Underline | boolean): this {
    return this.push(cmd.underline(n === true ? 1 : n === false ? 0 : n));
  }

  /** GS ! — character width and height multipliers 1..8. */
  size(width: number, height = width): this {
    return this.push(cmd.charSize(width, height));
  }

  /** Native QR (GS ( k): model, module size, error level, store (UTF-8 byte length), print. */
  qr(data: string | Uint8Array, options: QrOptions = {}): this {
    const bytes = typeof data === 'string' ? utf8.encode(data) : data;
    this.push(cmd.qrModel(options.model ?? 2));
    this.push(cmd.qrModuleSize(options.moduleSize ?? 3));
    this.push(cmd.qrErrorLevel(options.level ?? 'M'));
    this.push(cmd.qrStore(bytes));
    return this.push(cmd.qrPrint());
  }

  /** CODE128 via GS k 73 (code set C for even digit strings, else B). */
  barcode128(text: string, options: BarcodeOptions = {}): this {
    this.push(cmd.barcodeHeight(options.height ?? 80));
    this.push(cmd.barcodeModuleWidth(options.moduleWidth ?? 2));
    this.push(cmd.barcodeHri(options.hri ?? 'below'));
    return this.push(cmd.barcode128(cmd.code128Data(text)));
  }

  /** Raster image as GS v 0 bands of at most `bandRows` rows. */
  image(img: MonoImage, bandRows = DEFAULT_BAND_ROWS, scale: RasterScale = 'normal'): this {
    for (const band of rasterBands(img, bandRows, scale)) this.push(band);
    return this;
  }

  cut(options: CutOptions = {}): this {
    const partial = options.partial ?? true;
    const feed = options.feed ?? 0;
    return this.push(feed === 'none' ? cmd.cut(partial) : cmd.feedAndCut(partial, feed));
  }

  /** GS a 0: no Automatic Status Back, so the only bytes coming back are answers we asked for. */
  statusBackOff(): this {
    return this.push(cmd.automaticStatusBack(0));
  }

  /** GS r 1 at the end of a job: its reply says the printer processed everything before it. */
  processedMarker(): this {
    return this.push(cmd.transmitPaperStatus());
  }

  /** Bytes the caller vouches for (one complete command). */
  raw(bytes: Uint8Array): this {
    return this.push(bytes);
  }

  get byteLength(): number {
    return this.len;
  }

  build(): EncodedJob {
    const bytes = this.buf.slice(0, this.len);
    const at = cmd.findRealtimeSequence(bytes);
    if (at >= 0) throw new RealtimeSequenceError(at);
    const boundaries = [...new Set(this.marks)];
    return { bytes, boundaries };
  }
}
