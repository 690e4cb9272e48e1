import * as cmd from './commands.js';
import type { Align, HriPosition, QrErrorLevel, RasterScale, Underline } from './commands.js';
import { columnData24, monoImage, rasterBands, setPixel, getPixel, DEFAULT_BAND_ROWS, type MonoImage } from './image.js';
import {
  defaultTextPolicy,
  encodeText,
  inPrinterFont,
  needsChineseMode,
  toPrintable,
  UnprintableTextError,
  type TextPolicy,
} from './text.js';
import type { GlyphSource } from './glyph-raster.js';

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

export interface EncoderOptions {
  /** Which characters the printer font has (profile.fontCoverage); default all 2-byte GB18030. */
  coverage?: TextPolicy['coverage'];
  /**
   * Draws characters outside the font. With it, such characters print as images of the glyph in
   * line with the text; without it they are refused (UnprintableTextError).
   */
  glyphs?: GlyphSource;
}

/** Font A: a full-width character is 24 × 24 dots, half-width 12 × 24. */
const CELL = 24;

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
  private widthMul = 1;
  private heightMul = 1;
  private readonly policy: TextPolicy;
  private readonly glyphs: GlyphSource | undefined;

  constructor(options: EncoderOptions = {}) {
    this.glyphs = options.glyphs;
    this.policy = { coverage: options.coverage ?? defaultTextPolicy.coverage, raster: options.glyphs !== undefined };
  }

  /** How this encoder treats characters outside the printer font (for layout code). */
  get textPolicy(): TextPolicy {
    return this.policy;
  }

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
    this.widthMul = 1;
    this.heightMul = 1;
    return this.push(cmd.initialize());
  }

  chinese(on: boolean): this {
    this.chineseMode = on;
    return this.push(on ? cmd.chineseOn() : cmd.chineseOff());
  }

  /**
   * Text without a line feed. Newlines and other control characters are refused. Characters
   * outside the printer font print as glyph images (ESC * 33) in line, when there is a glyph source.
   */
  text(text: string): this {
    const printable = toPrintable(text, this.policy);
    if (printable.length === 0) return this;
    let run = '';
    const flush = (): void => {
      if (!run) return;
      if (!this.chineseMode && needsChineseMode(run)) this.chinese(true);
      this.push(encodeText(run));
      run = '';
    };
    for (const ch of printable) {
      if (inPrinterFont(ch.codePointAt(0)!, this.policy.coverage)) {
        run += ch;
        continue;
      }
      flush();
      const img = this.glyphImage(ch, CELL * this.widthMul, CELL);
      this.push(cmd.bitImage24(img.width, columnData24(img)));
    }
    flush();
    return this;
  }

  private glyphImage(ch: string, width: number, height: number): MonoImage {
    const img = this.glyphs?.glyph(ch, width, height);
    if (!img) {
      const cp = ch.codePointAt(0)!;
      throw new UnprintableTextError(
        [{ char: ch, codePoint: `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`, index: 0 }],
        this.glyphs ? `no glyph in ${this.glyphs.description}` : 'no CJK font to draw it',
      );
    }
    return img;
  }

  /**
   * Text then LF; each `\n`-separated part is its own line. A line at double height or more that
   * holds characters outside the font prints as one raster image of the whole line (ESC * images
   * are 24 dots tall and do not scale), so the rare character stays in line with the others.
   */
  line(text = ''): this {
    for (const part of text.split('\n')) {
      const printable = toPrintable(part, this.policy);
      if (this.heightMul > 1 && [...printable].some((ch) => !inPrinterFont(ch.codePointAt(0)!, this.policy.coverage))) {
        this.lineImage(printable);
        continue;
      }
      this.text(part);
      this.push(cmd.lineFeed());
    }
    return this;
  }

  private lineImage(printable: string): void {
    const h = CELL * this.heightMul;
    const cells = [...printable].map((ch) => ({ ch, w: (ch.codePointAt(0)! < 0x80 ? CELL / 2 : CELL) * this.widthMul }));
    const width = Math.max(
      8,
      cells.reduce((s, c) => s + c.w, 0),
    );
    const img = monoImage(width, h);
    let x0 = 0;
    for (const { ch, w } of cells) {
      if (ch !== ' ') {
        const g = this.glyphImage(ch, w, h);
        for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (getPixel(g, x, y)) setPixel(img, x0 + x, y);
      }
      x0 += w;
    }
    this.image(img);
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
    this.widthMul = width;
    this.heightMul = height;
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
