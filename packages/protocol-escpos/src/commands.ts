/**
 * ESC/POS command bytes, one pure function per command. Byte values follow the Epson ESC/POS
 * command reference as summarised (and cross-checked) in shared/reference/escpos.md; the tests
 * compare every builder here against those bytes.
 */

export const ESC = 0x1b;
export const GS = 0x1d;
export const FS = 0x1c;
export const DLE = 0x10;
export const EOT = 0x04;
export const LF = 0x0a;

export type Align = 'left' | 'center' | 'right';
export type QrErrorLevel = 'L' | 'M' | 'Q' | 'H';
export type Underline = 0 | 1 | 2;

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);

function checkByte(name: string, n: number, min = 0, max = 255): void {
  if (!Number.isInteger(n) || n < min || n > max) throw new RangeError(`${name} must be an integer ${min}..${max}, got ${n}`);
}

/** ESC @ — clears the buffer and resets every mode (Chinese mode included; send FS & again). */
export const initialize = (): Uint8Array => bytes(ESC, 0x40);

export const lineFeed = (): Uint8Array => bytes(LF);

/** ESC d n — print the buffer and feed n lines. */
export function feedLines(n: number): Uint8Array {
  checkByte('feed lines', n);
  return bytes(ESC, 0x64, n);
}

/** ESC J n — print the buffer and feed n dots (motion units). */
export function feedDots(n: number): Uint8Array {
  checkByte('feed dots', n);
  return bytes(ESC, 0x4a, n);
}

/** ESC 2 (default spacing) or ESC 3 n (n dots). */
export function lineSpacing(dots?: number): Uint8Array {
  if (dots === undefined) return bytes(ESC, 0x32);
  checkByte('line spacing', dots);
  return bytes(ESC, 0x33, dots);
}

const alignCode: Record<Align, number> = { left: 0, center: 1, right: 2 };
/** ESC a n — applies to text, barcodes, QR codes and raster images. */
export const align = (a: Align): Uint8Array => bytes(ESC, 0x61, alignCode[a]);

/** ESC E n. Used instead of ESC ! because ESC ! overwrites bold/underline. */
export const bold = (on: boolean): Uint8Array => bytes(ESC, 0x45, on ? 1 : 0);

/** ESC - n, n = 0 off, 1 one dot, 2 two dots. */
export function underline(n: Underline): Uint8Array {
  checkByte('underline', n, 0, 2);
  return bytes(ESC, 0x2d, n);
}

/** GS ! n — width and height multipliers 1..8 (high nibble width−1, low nibble height−1). */
export function charSize(width: number, height: number): Uint8Array {
  checkByte('character width', width, 1, 8);
  checkByte('character height', height, 1, 8);
  return bytes(GS, 0x21, ((width - 1) << 4) | (height - 1));
}

/** FS & — Chinese (Kanji) mode: a byte >= 0x81 starts a two-byte GB character. */
export const chineseOn = (): Uint8Array => bytes(FS, 0x26);
/** FS . — back to single-byte code-page characters. */
export const chineseOff = (): Uint8Array => bytes(FS, 0x2e);

/** ESC t n — single-byte code table. */
export function codeTable(n: number): Uint8Array {
  checkByte('code table', n);
  return bytes(ESC, 0x74, n);
}

// ---------------------------------------------------------------- QR code: GS ( k, cn = 49

/** Maximum data bytes for GS ( k fn 180 (Epson). */
export const QR_MAX_BYTES = 7092;

/** fn 165: model 1 (0x31) or 2 (0x32). */
export const qrModel = (model: 1 | 2): Uint8Array => bytes(GS, 0x28, 0x6b, 0x04, 0x00, 0x31, 0x41, 0x30 + model, 0x00);

/** fn 167: module size in dots (Epson 1..16; many clones only 1..8). */
export function qrModuleSize(dots: number): Uint8Array {
  checkByte('QR module size', dots, 1, 16);
  return bytes(GS, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x43, dots);
}

const qrLevelCode: Record<QrErrorLevel, number> = { L: 0x30, M: 0x31, Q: 0x32, H: 0x33 };
/** fn 169: error correction level. */
export const qrErrorLevel = (level: QrErrorLevel): Uint8Array =>
  bytes(GS, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x45, qrLevelCode[level]);

/**
 * fn 180: store data. pL + pH·256 = k + 3 where k is the number of *bytes* (UTF-8 for text),
 * not the JS string length — the bug the npm libraries have.
 */
export function qrStore(data: Uint8Array): Uint8Array {
  const k = data.length;
  if (k < 1 || k > QR_MAX_BYTES) throw new RangeError(`QR data must be 1..${QR_MAX_BYTES} bytes, got ${k}`);
  const len = k + 3;
  const out = new Uint8Array(8 + k);
  out.set([GS, 0x28, 0x6b, len & 0xff, len >> 8, 0x31, 0x50, 0x30]);
  out.set(data, 8);
  return out;
}

/** fn 181: print the stored symbol. */
export const qrPrint = (): Uint8Array => bytes(GS, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x51, 0x30);

// ---------------------------------------------------------------- Barcodes: GS k

export type HriPosition = 'none' | 'above' | 'below' | 'both';
const hriCode: Record<HriPosition, number> = { none: 0, above: 1, below: 2, both: 3 };

/** GS h n — bar height in dots. */
export function barcodeHeight(dots: number): Uint8Array {
  checkByte('barcode height', dots, 1, 255);
  return bytes(GS, 0x68, dots);
}

/** GS w n — module width 2..6 dots. */
export function barcodeModuleWidth(dots: number): Uint8Array {
  checkByte('barcode module width', dots, 2, 6);
  return bytes(GS, 0x77, dots);
}

/** GS H n — where the human-readable text goes. */
export const barcodeHri = (pos: HriPosition): Uint8Array => bytes(GS, 0x48, hriCode[pos]);

/**
 * GS k 73 n d… — CODE128 in format B. `data` already starts with a code-set selector
 * (`{A`, `{B`, `{C`); see code128Data() for building it from text.
 */
export function barcode128(data: Uint8Array): Uint8Array {
  if (data.length < 2 || data.length > 255) throw new RangeError(`CODE128 data must be 2..255 bytes, got ${data.length}`);
  const out = new Uint8Array(4 + data.length);
  out.set([GS, 0x6b, 73, data.length]);
  out.set(data, 4);
  return out;
}

/**
 * CODE128 bytes for ESC/POS: code set C (two digits per byte, values 0..99) for an even run of
 * at least 4 digits, which halves the symbol width; otherwise code set B with `{` escaped as `{{`.
 */
export function code128Data(text: string): Uint8Array {
  if (text.length === 0) throw new RangeError('barcode text is empty');
  if (/^\d+$/.test(text) && text.length % 2 === 0 && text.length >= 4) {
    const out = [0x7b, 0x43];
    for (let i = 0; i < text.length; i += 2) out.push(Number(text.slice(i, i + 2)));
    const setC = Uint8Array.from(out);
    // "160401" would put DLE EOT 1 on the wire, which the printer executes as a status request.
    if (findRealtimeSequence(setC) < 0) return setC;
  }
  const out = [0x7b, 0x42];
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    if (c < 0x20 || c > 0x7e) {
      throw new RangeError(
        `CODE128 code set B takes printable ASCII only; ${JSON.stringify(ch)} (U+${c.toString(16).toUpperCase().padStart(4, '0')}) is not`,
      );
    }
    out.push(c);
    if (c === 0x7b) out.push(0x7b);
  }
  return Uint8Array.from(out);
}

/** Number of CODE128 symbol characters (data only) the bytes from code128Data() produce. */
export function code128Symbols(data: Uint8Array): number {
  let n = 0;
  for (let i = 2; i < data.length; i++) {
    n++;
    if (data[1] === 0x42 && data[i] === 0x7b) i++; // `{{` is one symbol
  }
  return n;
}

/** Width of a CODE128 symbol in modules: start 11 + 11 per char + check 11 + stop 13 + quiet 2×10. */
export const code128Modules = (symbols: number): number => 11 * symbols + 35 + 20;

// ---------------------------------------------------------------- Raster: GS v 0

export type RasterScale = 'normal' | 'doubleWidth' | 'doubleHeight' | 'quadruple';
const rasterMode: Record<RasterScale, number> = { normal: 0, doubleWidth: 1, doubleHeight: 2, quadruple: 3 };

/**
 * GS v 0 m xL xH yL yH d… — one raster band. `bytesPerRow` = ceil(width/8); MSB = left-most dot,
 * 1 = black. Callers split tall images into bands (see image.ts).
 */
export function rasterBand(bytesPerRow: number, rows: number, data: Uint8Array, scale: RasterScale = 'normal'): Uint8Array {
  checkByte('raster bytes per row', bytesPerRow, 1, 0xffff);
  checkByte('raster rows', rows, 1, 2303);
  if (data.length !== bytesPerRow * rows) {
    throw new RangeError(`raster data is ${data.length} bytes, expected ${bytesPerRow}×${rows} = ${bytesPerRow * rows}`);
  }
  const out = new Uint8Array(8 + data.length);
  out.set([GS, 0x76, 0x30, rasterMode[scale], bytesPerRow & 0xff, bytesPerRow >> 8, rows & 0xff, rows >> 8]);
  out.set(data, 8);
  return out;
}

// ---------------------------------------------------------------- Cut: GS V

/** GS V 0 / GS V 1 — cut at the current position. */
export const cut = (partial: boolean): Uint8Array => bytes(GS, 0x56, partial ? 1 : 0);

/** GS V 65/66 n — feed to the cutter plus n motion units, then cut (the portable "feed and cut"). */
export function feedAndCut(partial: boolean, n = 0): Uint8Array {
  checkByte('cut feed', n);
  return bytes(GS, 0x56, partial ? 0x42 : 0x41, n);
}

// ---------------------------------------------------------------- Status

/** DLE EOT n — real-time status, n = 1 printer, 2 offline cause, 3 error cause, 4 paper sensor. */
export function realtimeStatus(n: 1 | 2 | 3 | 4): Uint8Array {
  checkByte('DLE EOT n', n, 1, 4);
  return bytes(DLE, EOT, n);
}

/** GS a n — Automatic Status Back enable bits; 0 turns it off. */
export function automaticStatusBack(n: number): Uint8Array {
  checkByte('ASB bits', n);
  return bytes(GS, 0x61, n);
}

/**
 * GS r 1 — paper sensor status, answered only when the receive buffer reaches it, so at the end
 * of a job its reply means "everything before this was processed".
 */
export const transmitPaperStatus = (): Uint8Array => bytes(GS, 0x72, 0x01);

/**
 * DLE DC4 fn=8 d1..d7 — real-time "clear buffers" (Epson TM-T81/T88IV+, Citizen CT-S300 …):
 * empties the receive and print buffers, also while offline (serial), and answers CLEAR_RESPONSE.
 * Nothing else may be sent until that answer arrives.
 */
export const clearBuffers = (): Uint8Array => bytes(DLE, 0x14, 0x08, 0x01, 0x03, 0x14, 0x01, 0x06, 0x02, 0x08);
/** The answer to DLE DC4 fn=8: header 37H, identifier 25H, NUL. */
export const CLEAR_RESPONSE: readonly number[] = [0x37, 0x25, 0x00];

/**
 * ESC * 33 nL nH d… — a 24-dot-tall bit image (double density) placed in the current line like a
 * character: how a glyph the printer's font lacks prints in line with the text. Data is column
 * by column, 3 bytes per column, MSB = top dot. Not affected by GS ! (scale the image instead).
 */
export function bitImage24(width: number, columns: Uint8Array): Uint8Array {
  if (!Number.isInteger(width) || width < 1 || width > 1023)
    throw new RangeError(`bit image width must be 1..1023 dots, got ${width}`);
  if (columns.length !== width * 3) throw new RangeError(`ESC * 33 needs ${width * 3} data bytes, got ${columns.length}`);
  const out = new Uint8Array(5 + columns.length);
  out.set([ESC, 0x2a, 33, width & 0xff, width >> 8]);
  out.set(columns, 5);
  return out;
}

/** Offset of the job's closing cut (GS V) at a command boundary, or -1: see PrinterLink.sendJob. */
export function closingCutOffset(data: Uint8Array, boundaries: readonly number[]): number {
  for (let k = boundaries.length - 1; k >= 0; k--) {
    const at = k === 0 ? 0 : boundaries[k - 1]!;
    if (data[at] === GS && data[at + 1] === 0x56) return at;
  }
  return -1;
}

/** Byte pairs that a printer executes as real-time commands wherever they appear in the stream. */
export function isRealtimeSequence(b0: number, b1: number | undefined, b2: number | undefined): boolean {
  if (b0 !== DLE || b1 === undefined || b2 === undefined) return false;
  if (b1 === EOT) return b2 >= 1 && b2 <= 4; // DLE EOT n
  if (b1 === 0x05) return b2 >= 1 && b2 <= 2; // DLE ENQ n
  if (b1 === 0x14) return b2 >= 1 && b2 <= 8; // DLE DC4 fn (pulse, power-off, clear buffer …)
  return false;
}

/** Index of the first real-time sequence in `data`, or −1. */
export function findRealtimeSequence(data: Uint8Array): number {
  let i = data.indexOf(DLE);
  while (i >= 0 && i < data.length - 2) {
    if (isRealtimeSequence(data[i]!, data[i + 1], data[i + 2])) return i;
    i = data.indexOf(DLE, i + 1);
  }
  return -1;
}
