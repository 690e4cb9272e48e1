import iconv from 'iconv-lite';

/**
 * Incremental ESC/POS decoder for the printer simulator and tests: bytes in (in any chunking),
 * events out. It understands what the project's encoder emits plus the common commands other
 * libraries send (so their output can be inspected too), and flags what a real Chinese printer
 * would print wrongly: 4-byte GB18030, high bytes outside Chinese mode, QR payloads whose
 * declared length does not match, raster data wider than the paper.
 */

export type Align = 'left' | 'center' | 'right';

export interface TextStyle {
  align: Align;
  bold: boolean;
  underline: number;
  width: number;
  height: number;
}

export type DecodedEvent =
  | { type: 'init' }
  | { type: 'text'; text: string; style: TextStyle; chinese: boolean }
  | { type: 'lineEnd'; style: TextStyle }
  | { type: 'feed'; dots: number; lines: number }
  | {
      type: 'qr';
      data: string;
      bytes: Uint8Array;
      model: number;
      moduleSize: number;
      level: string;
      declaredLength: number;
      align: Align;
      problems: string[];
    }
  | { type: 'barcode'; symbology: string; data: string; hri: number; height: number; moduleWidth: number; align: Align }
  | { type: 'raster'; width: number; height: number; bytesPerRow: number; data: Uint8Array; scale: number; align: Align }
  | { type: 'cut'; partial: boolean }
  /** ESC * bit image: printed inside the current line, like a character (row-major, MSB left). */
  | { type: 'bitImage'; width: number; height: number; data: Uint8Array; style: TextStyle }
  | { type: 'realtime'; command: string }
  | { type: 'paperStatusRequest' }
  | { type: 'statusBack'; n: number }
  | { type: 'error'; message: string };

const barcodeNames: Record<number, string> = {
  0: 'UPC-A',
  1: 'UPC-E',
  2: 'EAN13',
  3: 'EAN8',
  4: 'CODE39',
  5: 'ITF',
  6: 'CODABAR',
  65: 'UPC-A',
  66: 'UPC-E',
  67: 'EAN13',
  68: 'EAN8',
  69: 'CODE39',
  70: 'ITF',
  71: 'CODABAR',
  72: 'CODE93',
  73: 'CODE128',
};

const qrLevels: Record<number, string> = { 0x30: 'L', 0x31: 'M', 0x32: 'Q', 0x33: 'H' };

/** Decodes CODE128 ESC/POS data (`{A`/`{B`/`{C` selectors, `{{` = `{`) to the encoded text. */
function decodeCode128(d: Uint8Array): string {
  let set = 'B';
  let out = '';
  for (let i = 0; i < d.length; i++) {
    const b = d[i]!;
    if (b === 0x7b && i + 1 < d.length) {
      const sel = d[i + 1]!;
      i++;
      if (sel === 0x41 || sel === 0x42 || sel === 0x43) set = String.fromCharCode(sel);
      else if (sel === 0x7b) out += '{';
      // {1 {2 {3 {4 {S: function codes / shift, not data
      continue;
    }
    out += set === 'C' ? String(b).padStart(2, '0') : String.fromCharCode(b);
  }
  return out;
}

const utf8Fatal = new TextDecoder('utf-8', { fatal: true });

export interface DecoderOptions {
  /** Printable dots per line, to flag raster images wider than the paper. */
  dotsPerLine?: number;
  /** Chinese-market printers may power up in Chinese mode; default false (strict). */
  chineseAtPowerOn?: boolean;
  /**
   * The built-in font: `gb2312` has only the EUC-CN rows A1–A9 and B0–F7 (trail A1–FE); other
   * 2-byte codes print blank or as a box. `gb18030-2byte` (default) prints every 2-byte code.
   */
  font?: 'gb2312' | 'gb18030-2byte';
}

const inGb2312 = (lead: number, trail: number): boolean =>
  ((lead >= 0xa1 && lead <= 0xa9) || (lead >= 0xb0 && lead <= 0xf7)) && trail >= 0xa1 && trail <= 0xfe;

export class EscPosDecoder {
  private buf: Uint8Array = new Uint8Array(0);
  private style: TextStyle = EscPosDecoder.plainStyle();
  private chinese: boolean;
  private pendingQr: { bytes: Uint8Array; declaredLength: number; problems: string[] } | undefined;
  private qrModel = 2;
  private qrModule = 3;
  private qrLevel = 'L';
  private barcodeHeight = 162;
  private barcodeWidth = 3;
  private hri = 0;
  /** Everything decoded so far must be consumed by the caller via the returned arrays. */
  constructor(private readonly options: DecoderOptions = {}) {
    this.chinese = options.chineseAtPowerOn ?? false;
  }

  static plainStyle(): TextStyle {
    return { align: 'left', bold: false, underline: 0, width: 1, height: 1 };
  }

  get inChineseMode(): boolean {
    return this.chinese;
  }

  /** Bytes held back because the command they start is not complete yet. */
  get pendingBytes(): number {
    return this.buf.length;
  }

  /** DLE DC4 fn=8: a half-received command is dropped with the rest of the buffer. */
  clearBuffer(): void {
    this.buf = new Uint8Array(0);
    this.pendingQr = undefined;
  }

  push(chunk: Uint8Array): DecodedEvent[] {
    if (this.buf.length === 0) this.buf = Uint8Array.from(chunk);
    else {
      const next = new Uint8Array(this.buf.length + chunk.length);
      next.set(this.buf);
      next.set(chunk, this.buf.length);
      this.buf = next;
    }
    const out: DecodedEvent[] = [];
    let i = 0;
    while (i < this.buf.length) {
      const used = this.step(i, out);
      if (used === 0) break; // incomplete command: wait for more bytes
      i += used;
    }
    this.buf = this.buf.slice(i);
    return out;
  }

  private resetModes(): void {
    this.style = EscPosDecoder.plainStyle();
    this.chinese = false;
    this.qrModel = 2;
    this.qrModule = 3;
    this.qrLevel = 'L';
    this.barcodeHeight = 162;
    this.barcodeWidth = 3;
    this.hri = 0;
  }

  private flushQr(out: DecodedEvent[], why: string): void {
    if (this.pendingQr) {
      out.push({ type: 'error', message: `QR data stored but not printed (${why}); declared length may be wrong` });
      this.pendingQr = undefined;
    }
  }

  /** Decodes one command or text run at `i`; returns bytes used, 0 when incomplete. */
  private step(i: number, out: DecodedEvent[]): number {
    const b = this.buf;
    const c = b[i]!;
    const avail = b.length - i;
    const need = (n: number): boolean => avail >= n;
    const at = (k: number): number => b[i + k]!;

    if (c >= 0x20 && c !== 0x7f) return this.textRun(i, out);
    switch (c) {
      case 0x0a:
        out.push({ type: 'lineEnd', style: { ...this.style } });
        return 1;
      case 0x0d:
      case 0x00:
      case 0x7f:
        return 1;
      case 0x09:
        out.push({ type: 'text', text: ' ', style: { ...this.style }, chinese: this.chinese });
        return 1;
      case 0x10: {
        if (!need(3)) return 0;
        if (at(1) === 0x04 || at(1) === 0x05) {
          out.push({ type: 'realtime', command: at(1) === 0x04 ? `DLE EOT ${at(2)}` : `DLE ENQ ${at(2)}` });
          return 3;
        }
        if (at(1) === 0x14) {
          const fn = at(2);
          const len = fn === 1 || fn === 2 ? 5 : fn === 7 ? 4 : fn === 8 ? 10 : 3;
          if (!need(len)) return 0;
          out.push({ type: 'realtime', command: `DLE DC4 ${fn}` });
          return len;
        }
        out.push({ type: 'error', message: `unknown DLE command 0x${at(1).toString(16)}` });
        return 2;
      }
      case 0x1b:
        return this.esc(i, out);
      case 0x1c:
        return this.fs(i, out);
      case 0x1d:
        return this.gs(i, out);
      default:
        out.push({ type: 'error', message: `unexpected control byte 0x${c.toString(16).padStart(2, '0')}` });
        return 1;
    }
  }

  private textRun(i: number, out: DecodedEvent[]): number {
    const b = this.buf;
    let j = i;
    const problems: string[] = [];
    while (j < b.length) {
      const c = b[j]!;
      if (c < 0x20 || c === 0x7f) break;
      if (c < 0x80 || !this.chinese) {
        j++;
        continue;
      }
      if (c === 0x80 || c === 0xff) {
        problems.push(`byte 0x${c.toString(16)} is not a GB18030 lead byte`);
        j++;
        continue;
      }
      if (j + 1 >= b.length) break;
      const c2 = b[j + 1]!;
      if (c2 >= 0x30 && c2 <= 0x39) {
        if (j + 3 >= b.length) break;
        problems.push(
          `4-byte GB18030 sequence ${Buffer.from(b.subarray(j, j + 4)).toString('hex')} (prints as garbage on Chinese printers)`,
        );
        j += 4;
      } else {
        if (this.options.font === 'gb2312' && !inGb2312(c, c2)) {
          const ch = iconv.decode(Buffer.from([c, c2]), 'gb18030');
          problems.push(`${ch} (${Buffer.from([c, c2]).toString('hex')}) is not in this printer's GB2312 font (prints blank)`);
        }
        j += 2;
      }
    }
    if (j === i) return 0;
    const bytes = b.subarray(i, j);
    let text: string;
    if (this.chinese) {
      text = iconv.decode(Buffer.from(bytes), 'gb18030');
    } else {
      const high = bytes.findIndex((x) => x >= 0x80);
      if (high >= 0) problems.push('bytes >= 0x80 outside Chinese mode (printed from the single-byte code page, not as Chinese)');
      text = iconv.decode(Buffer.from(bytes), 'cp437');
    }
    for (const message of problems) out.push({ type: 'error', message });
    this.flushQr(out, 'text before print');
    out.push({ type: 'text', text, style: { ...this.style }, chinese: this.chinese });
    return j - i;
  }

  private esc(i: number, out: DecodedEvent[]): number {
    const b = this.buf;
    if (b.length - i < 2) return 0;
    const x = b[i + 1]!;
    const n = b[i + 2];
    const three = (f: (n: number) => void): number => {
      if (n === undefined) return 0;
      f(n);
      return 3;
    };
    switch (x) {
      case 0x40:
        this.flushQr(out, 'ESC @');
        this.resetModes();
        out.push({ type: 'init' });
        return 2;
      case 0x21:
        return three((v) => {
          this.style.bold = (v & 0x08) !== 0;
          this.style.height = v & 0x10 ? 2 : 1;
          this.style.width = v & 0x20 ? 2 : 1;
          this.style.underline = v & 0x80 ? 1 : 0;
        });
      case 0x45:
        return three((v) => (this.style.bold = (v & 1) === 1));
      case 0x47:
        return three(() => undefined);
      case 0x2d:
        return three((v) => (this.style.underline = v === 0x30 ? 0 : v === 0x31 ? 1 : v === 0x32 ? 2 : Math.min(v, 2)));
      case 0x32:
        return 2;
      case 0x33:
        return three(() => undefined);
      case 0x61:
        return three((v) => (this.style.align = v % 48 === 1 ? 'center' : v % 48 === 2 ? 'right' : 'left'));
      case 0x64:
        return three((v) => out.push({ type: 'feed', dots: 0, lines: v }));
      case 0x4a:
        return three((v) => out.push({ type: 'feed', dots: v, lines: 0 }));
      case 0x4b:
      case 0x74:
      case 0x52:
      case 0x4d:
      case 0x20:
      case 0x56:
      case 0x7b:
      case 0x65:
      case 0x54:
      case 0x55:
      case 0x72:
      case 0x42:
        return three(() => undefined);
      case 0x63:
        return b.length - i >= 4 ? 4 : 0;
      case 0x70:
        return b.length - i >= 5 ? 5 : 0;
      case 0x24:
      case 0x5c:
        return b.length - i >= 4 ? 4 : 0;
      case 0x57:
        return b.length - i >= 10 ? 10 : 0;
      case 0x4c:
      case 0x53:
      case 0x69:
      case 0x6d:
        if (x === 0x69 || x === 0x6d) out.push({ type: 'cut', partial: x === 0x6d });
        return 2;
      case 0x44: {
        const end = b.indexOf(0, i + 2);
        return end < 0 ? 0 : end - i + 1;
      }
      case 0x2a: {
        if (b.length - i < 5) return 0;
        const m = b[i + 2]!;
        const cols = b[i + 3]! + b[i + 4]! * 256;
        const per = m >= 32 ? 3 : 1;
        const len = 5 + cols * per;
        if (b.length - i < len) return 0;
        if (![0, 1, 32, 33].includes(m)) {
          out.push({ type: 'error', message: `ESC * mode ${m} is not 0, 1, 32 or 33` });
          return len;
        }
        // Column-major, MSB = top dot → rows of ceil(cols/8) bytes. Single density (m 0, 32)
        // prints each dot twice as wide; shown here one dot per column.
        const height = per * 8;
        const bpr = Math.ceil(cols / 8);
        const data = new Uint8Array(bpr * height);
        for (let x = 0; x < cols; x++) {
          for (let y = 0; y < height; y++) {
            if (b[i + 5 + x * per + (y >> 3)]! & (0x80 >> (y & 7))) data[y * bpr + (x >> 3)]! |= 0x80 >> (x & 7);
          }
        }
        out.push({ type: 'bitImage', width: cols, height, data, style: { ...this.style } });
        return len;
      }
      default:
        out.push({ type: 'error', message: `unknown command ESC 0x${x.toString(16)}` });
        return 2;
    }
  }

  private fs(i: number, out: DecodedEvent[]): number {
    const b = this.buf;
    if (b.length - i < 2) return 0;
    const x = b[i + 1]!;
    switch (x) {
      case 0x26:
        this.chinese = true;
        return 2;
      case 0x2e:
        this.chinese = false;
        return 2;
      case 0x21:
        if (b.length - i < 3) return 0;
        {
          const v = b[i + 2]!;
          if (v & 0x04) this.style.width = 2;
          if (v & 0x08) this.style.height = 2;
          if (v & 0x80) this.style.underline = 1;
        }
        return 3;
      case 0x2d:
      case 0x57:
      case 0x43:
        return b.length - i >= 3 ? 3 : 0;
      case 0x53:
      case 0x70:
        return b.length - i >= 4 ? 4 : 0;
      case 0x28: {
        if (b.length - i < 5) return 0;
        const len = 5 + b[i + 3]! + b[i + 4]! * 256;
        return b.length - i >= len ? len : 0;
      }
      default:
        out.push({ type: 'error', message: `unknown command FS 0x${x.toString(16)}` });
        return 2;
    }
  }

  private gs(i: number, out: DecodedEvent[]): number {
    const b = this.buf;
    const avail = b.length - i;
    if (avail < 2) return 0;
    const x = b[i + 1]!;
    const n = b[i + 2];
    switch (x) {
      case 0x21:
        if (n === undefined) return 0;
        this.style.width = ((n >> 4) & 7) + 1;
        this.style.height = (n & 7) + 1;
        return 3;
      case 0x56: {
        if (n === undefined) return 0;
        const withN = [0x41, 0x42, 0x61, 0x62, 0x67, 0x68].includes(n);
        if (withN && avail < 4) return 0;
        this.flushQr(out, 'cut');
        out.push({ type: 'cut', partial: n === 1 || n === 0x31 || n === 0x42 || n === 0x62 || n === 0x68 });
        return withN ? 4 : 3;
      }
      case 0x68:
        if (n === undefined) return 0;
        this.barcodeHeight = n;
        return 3;
      case 0x77:
        if (n === undefined) return 0;
        this.barcodeWidth = n;
        return 3;
      case 0x48:
        if (n === undefined) return 0;
        this.hri = n % 48;
        return 3;
      case 0x61:
        if (n === undefined) return 0;
        out.push({ type: 'statusBack', n });
        return 3;
      case 0x72:
        if (n === undefined) return 0;
        if (n === 1 || n === 49) out.push({ type: 'paperStatusRequest' });
        return 3;
      case 0x66:
      case 0x42:
      case 0x62:
      case 0x49:
      case 0x2f:
      case 0x45:
      case 0x78:
        return n === undefined ? 0 : 3;
      case 0x4c:
      case 0x57:
      case 0x50:
      case 0x24:
      case 0x5c:
        return avail >= 4 ? 4 : 0;
      case 0x6b:
        return this.barcode(i, out);
      case 0x28:
        return this.gsParen(i, out);
      case 0x38: {
        // GS 8 L p1 p2 p3 p4 …: 32-bit length (large graphics)
        if (avail < 7) return 0;
        const len = 7 + b[i + 3]! + b[i + 4]! * 0x100 + b[i + 5]! * 0x10000 + b[i + 6]! * 0x1000000;
        return avail >= len ? len : 0;
      }
      case 0x76:
        return this.raster(i, out);
      case 0x2a: {
        if (avail < 4) return 0;
        const len = 4 + b[i + 2]! * b[i + 3]! * 8;
        return avail >= len ? len : 0;
      }
      default:
        out.push({ type: 'error', message: `unknown command GS 0x${x.toString(16)}` });
        return 2;
    }
  }

  private barcode(i: number, out: DecodedEvent[]): number {
    const b = this.buf;
    if (b.length - i < 4) return 0;
    const m = b[i + 2]!;
    let data: Uint8Array;
    let used: number;
    if (m <= 6) {
      const end = b.indexOf(0, i + 3);
      if (end < 0) return 0;
      data = b.subarray(i + 3, end);
      used = end - i + 1;
    } else {
      const len = b[i + 3]!;
      if (b.length - i < 4 + len) return 0;
      data = b.subarray(i + 4, i + 4 + len);
      used = 4 + len;
    }
    const symbology = barcodeNames[m] ?? `type ${m}`;
    const text = symbology === 'CODE128' ? decodeCode128(data) : Buffer.from(data).toString('latin1');
    out.push({
      type: 'barcode',
      symbology,
      data: text,
      hri: this.hri,
      height: this.barcodeHeight,
      moduleWidth: this.barcodeWidth,
      align: this.style.align,
    });
    return used;
  }

  private gsParen(i: number, out: DecodedEvent[]): number {
    const b = this.buf;
    if (b.length - i < 5) return 0;
    const fnGroup = b[i + 2]!;
    const p = b[i + 3]! + b[i + 4]! * 256;
    const len = 5 + p;
    if (b.length - i < len) return 0;
    if (fnGroup !== 0x6b) return len; // GS ( L graphics, GS ( E … : skipped by length
    const cn = b[i + 5];
    const fn = b[i + 6];
    if (cn !== 0x31) {
      out.push({ type: 'error', message: `2D code cn=${cn} (not QR) ignored` });
      return len;
    }
    switch (fn) {
      case 0x41:
        this.qrModel = (b[i + 7] ?? 0x32) - 0x30;
        break;
      case 0x43:
        this.qrModule = b[i + 7] ?? 3;
        break;
      case 0x45:
        this.qrLevel = qrLevels[b[i + 7] ?? 0x30] ?? '?';
        break;
      case 0x50: {
        this.flushQr(out, 'stored again');
        const declared = p - 3;
        const bytes = b.slice(i + 8, i + len);
        const problems: string[] = [];
        if (b[i + 7] !== 0x30) problems.push(`store m=0x${(b[i + 7] ?? 0).toString(16)}, expected 0x30`);
        try {
          utf8Fatal.decode(bytes);
        } catch {
          problems.push(
            `payload of ${declared} declared bytes is not valid UTF-8 (declared length likely counts characters, not bytes)`,
          );
        }
        this.pendingQr = { bytes, declaredLength: declared, problems };
        break;
      }
      case 0x51: {
        const q = this.pendingQr;
        this.pendingQr = undefined;
        if (!q) {
          out.push({ type: 'error', message: 'QR print without stored data' });
          break;
        }
        out.push({
          type: 'qr',
          data: Buffer.from(q.bytes).toString('utf8'),
          bytes: q.bytes,
          model: this.qrModel,
          moduleSize: this.qrModule,
          level: this.qrLevel,
          declaredLength: q.declaredLength,
          align: this.style.align,
          problems: q.problems,
        });
        break;
      }
      default:
        break; // fn 82 size info and others: no print effect
    }
    return len;
  }

  private raster(i: number, out: DecodedEvent[]): number {
    const b = this.buf;
    if (b.length - i < 8) return 0;
    if (b[i + 2] !== 0x30) {
      out.push({ type: 'error', message: `GS v 0x${b[i + 2]!.toString(16)} is not GS v 0` });
      return 3;
    }
    const m = b[i + 3]! % 48;
    const x = b[i + 4]! + b[i + 5]! * 256;
    const y = b[i + 6]! + b[i + 7]! * 256;
    const len = 8 + x * y;
    if (b.length - i < len) return 0;
    const dots = this.options.dotsPerLine;
    const width = x * 8 * (m & 1 ? 2 : 1);
    if (x === 0 || y === 0) out.push({ type: 'error', message: `raster of ${x} bytes × ${y} rows is empty` });
    if (y > 2303) out.push({ type: 'error', message: `raster band of ${y} rows exceeds yH <= 8 limit of clones` });
    if (dots !== undefined && width > dots)
      out.push({ type: 'error', message: `raster is ${width} dots wide; the paper has ${dots}` });
    out.push({
      type: 'raster',
      width: x * 8,
      height: y,
      bytesPerRow: x,
      data: b.slice(i + 8, i + len),
      scale: m,
      align: this.style.align,
    });
    return len;
  }
}
