import { describe, expect, it } from 'vitest';
import * as c from '@kiosk/protocol-escpos';
import { EscPosEncoder, RealtimeSequenceError } from '@kiosk/protocol-escpos';
import { imageFromRows, monoImage, rasterBands, sanitizeRaster } from '@kiosk/protocol-escpos';
import { UnprintableTextError } from '@kiosk/protocol-escpos';

const hex = (b: Uint8Array): string =>
  Buffer.from(b)
    .toString('hex')
    .toUpperCase()
    .replace(/(..)(?!$)/g, '$1 ');

describe('ESC/POS command bytes (reference §1)', () => {
  it('init, feeds, spacing', () => {
    expect(hex(c.initialize())).toBe('1B 40');
    expect(hex(c.lineFeed())).toBe('0A');
    expect(hex(c.feedLines(3))).toBe('1B 64 03');
    expect(hex(c.feedDots(24))).toBe('1B 4A 18');
    expect(hex(c.lineSpacing())).toBe('1B 32');
    expect(hex(c.lineSpacing(30))).toBe('1B 33 1E');
  });

  it('alignment, bold, underline', () => {
    expect(hex(c.align('left'))).toBe('1B 61 00');
    expect(hex(c.align('center'))).toBe('1B 61 01');
    expect(hex(c.align('right'))).toBe('1B 61 02');
    expect(hex(c.bold(true))).toBe('1B 45 01');
    expect(hex(c.bold(false))).toBe('1B 45 00');
    expect(hex(c.underline(0))).toBe('1B 2D 00');
    expect(hex(c.underline(1))).toBe('1B 2D 01');
    expect(hex(c.underline(2))).toBe('1B 2D 02');
  });

  it('GS ! sizes: high nibble width−1, low nibble height−1', () => {
    expect(hex(c.charSize(1, 1))).toBe('1D 21 00');
    expect(hex(c.charSize(2, 2))).toBe('1D 21 11');
    expect(hex(c.charSize(2, 1))).toBe('1D 21 10');
    expect(hex(c.charSize(1, 2))).toBe('1D 21 01');
    expect(hex(c.charSize(8, 8))).toBe('1D 21 77');
    expect(() => c.charSize(9, 1)).toThrow(RangeError);
    expect(() => c.charSize(0, 1)).toThrow(RangeError);
  });

  it('Chinese mode and code table', () => {
    expect(hex(c.chineseOn())).toBe('1C 26');
    expect(hex(c.chineseOff())).toBe('1C 2E');
    expect(hex(c.codeTable(0))).toBe('1B 74 00');
  });

  it('QR GS ( k functions 165/167/169/180/181', () => {
    expect(hex(c.qrModel(2))).toBe('1D 28 6B 04 00 31 41 32 00');
    expect(hex(c.qrModel(1))).toBe('1D 28 6B 04 00 31 41 31 00');
    expect(hex(c.qrModuleSize(6))).toBe('1D 28 6B 03 00 31 43 06');
    expect(hex(c.qrErrorLevel('L'))).toBe('1D 28 6B 03 00 31 45 30');
    expect(hex(c.qrErrorLevel('M'))).toBe('1D 28 6B 03 00 31 45 31');
    expect(hex(c.qrErrorLevel('Q'))).toBe('1D 28 6B 03 00 31 45 32');
    expect(hex(c.qrErrorLevel('H'))).toBe('1D 28 6B 03 00 31 45 33');
    expect(hex(c.qrPrint())).toBe('1D 28 6B 03 00 31 51 30');
  });

  it('QR store declares the UTF-8 byte count + 3, not the string length', () => {
    const text = '支付 https://x.cn';
    expect(text.length).toBe(15);
    const data = new TextEncoder().encode(text);
    expect(data.length).toBe(19);
    const store = c.qrStore(data);
    expect(hex(store.subarray(0, 8))).toBe('1D 28 6B 16 00 31 50 30'); // 19 + 3 = 22 = 0x16
    expect(Buffer.from(store.subarray(8)).toString('utf8')).toBe(text);
    const long = c.qrStore(new Uint8Array(300).fill(0x41));
    expect(hex(long.subarray(0, 5))).toBe('1D 28 6B 2F 01'); // 303 = 0x012F
    expect(() => c.qrStore(new Uint8Array(0))).toThrow(RangeError);
    expect(() => c.qrStore(new Uint8Array(7093))).toThrow(RangeError);
  });

  it('barcode setup and CODE128 (GS k 73 n {B …)', () => {
    expect(hex(c.barcodeHeight(80))).toBe('1D 68 50');
    expect(hex(c.barcodeModuleWidth(2))).toBe('1D 77 02');
    expect(hex(c.barcodeHri('none'))).toBe('1D 48 00');
    expect(hex(c.barcodeHri('below'))).toBe('1D 48 02');
    expect(hex(c.barcodeHri('both'))).toBe('1D 48 03');
    expect(hex(c.barcode128(c.code128Data('ABC-123')))).toBe('1D 6B 49 09 7B 42 41 42 43 2D 31 32 33');
  });

  it('CODE128 data: code set C for even digit runs, B otherwise, { escaped', () => {
    expect(hex(c.code128Data('12345678'))).toBe('7B 43 0C 22 38 4E');
    expect(hex(c.code128Data('123'))).toBe('7B 42 31 32 33');
    expect(hex(c.code128Data('a{b'))).toBe('7B 42 61 7B 7B 62');
    // "160401" in set C would be 10 04 01 = DLE EOT 1 on the wire; falls back to set B.
    expect(hex(c.code128Data('160401'))).toBe('7B 42 31 36 30 34 30 31');
    expect(() => c.code128Data('支付')).toThrow(/printable ASCII/);
    expect(() => c.code128Data('')).toThrow(RangeError);
    expect(c.code128Symbols(c.code128Data('a{b'))).toBe(3);
    expect(c.code128Symbols(c.code128Data('12345678'))).toBe(4);
  });

  it('raster GS v 0: bytes per row and rows, little-endian', () => {
    const data = Uint8Array.from([0xff, 0x00, 0x0f, 0xf0, 0xaa, 0x55]);
    expect(hex(c.rasterBand(2, 3, data))).toBe('1D 76 30 00 02 00 03 00 FF 00 0F F0 AA 55');
    expect(hex(c.rasterBand(2, 3, data, 'quadruple').subarray(0, 4))).toBe('1D 76 30 03');
    expect(hex(c.rasterBand(72, 300, new Uint8Array(72 * 300)).subarray(0, 8))).toBe('1D 76 30 00 48 00 2C 01');
    expect(() => c.rasterBand(2, 3, data.subarray(0, 5))).toThrow(/expected 2×3/);
  });

  it('cuts GS V', () => {
    expect(hex(c.cut(false))).toBe('1D 56 00');
    expect(hex(c.cut(true))).toBe('1D 56 01');
    expect(hex(c.feedAndCut(false, 5))).toBe('1D 56 41 05');
    expect(hex(c.feedAndCut(true, 0))).toBe('1D 56 42 00');
  });

  it('status requests', () => {
    for (const n of [1, 2, 3, 4] as const) expect(hex(c.realtimeStatus(n))).toBe(`10 04 0${n}`);
    expect(hex(c.automaticStatusBack(0))).toBe('1D 61 00');
    expect(hex(c.transmitPaperStatus())).toBe('1D 72 01');
  });

  it('finds real-time sequences', () => {
    expect(c.findRealtimeSequence(Uint8Array.from([0x41, 0x10, 0x04, 0x02]))).toBe(1);
    expect(c.findRealtimeSequence(Uint8Array.from([0x10, 0x14, 0x08]))).toBe(0);
    expect(c.findRealtimeSequence(Uint8Array.from([0x10, 0x04, 0x05]))).toBe(-1);
    expect(c.findRealtimeSequence(Uint8Array.from([0x10, 0x04]))).toBe(-1);
  });
});

describe('EscPosEncoder', () => {
  it('enters Chinese mode (FS &) only when text needs it, and again after ESC @', () => {
    const job = new EscPosEncoder().init().text('ABC').text('中').init().text('文').build();
    expect(hex(job.bytes)).toBe('1B 40 41 42 43 1C 26 D6 D0 1B 40 1C 26 CE C4');
    const twice = new EscPosEncoder().init().text('中').text('文').build();
    expect(hex(twice.bytes)).toBe('1B 40 1C 26 D6 D0 CE C4');
  });

  it('substitutes 4-byte GB18030 characters: ¥ → ￥ (A3 A4), • → ·, ™ → TM', () => {
    expect(hex(new EscPosEncoder().text('¥12').build().bytes)).toBe('1C 26 A3 A4 31 32');
    expect(hex(new EscPosEncoder().text('•').build().bytes)).toBe('1C 26 A1 A4');
    expect(hex(new EscPosEncoder().text('™').build().bytes)).toBe('54 4D');
  });

  it('refuses characters that remain 4-byte, and control characters, naming them', () => {
    expect(() => new EscPosEncoder().text('张𠮷')).toThrow(UnprintableTextError);
    expect(() => new EscPosEncoder().text('张𠮷')).toThrow(/U\+20BB7/);
    expect(() => new EscPosEncoder().text('鿏')).toThrow(/U\+9FCF/);
    expect(() => new EscPosEncoder().text('a\x1b@')).toThrow(/U\+001B/);
    expect(() => new EscPosEncoder().text('😀')).toThrow(UnprintableTextError);
  });

  it('line() splits on newlines', () => {
    expect(hex(new EscPosEncoder().line('A\nB').build().bytes)).toBe('41 0A 42 0A');
  });

  it('qr() emits model 2, size, level, store, print', () => {
    const b = new EscPosEncoder().qr('支付', { moduleSize: 4, level: 'Q' }).build().bytes;
    expect(hex(b)).toBe(
      '1D 28 6B 04 00 31 41 32 00 1D 28 6B 03 00 31 43 04 1D 28 6B 03 00 31 45 32 1D 28 6B 09 00 31 50 30 E6 94 AF E4 BB 98 1D 28 6B 03 00 31 51 30',
    );
  });

  it('image() sends bands of at most bandRows rows', () => {
    const img = monoImage(16, 50);
    img.data.fill(0xff);
    const job = new EscPosEncoder().image(img, 24).build();
    // 3 bands: 24 + 24 + 2 rows of 2 bytes
    expect(job.bytes.length).toBe(3 * 8 + (16 / 8) * 50);
    expect(hex(job.bytes.subarray(0, 8))).toBe('1D 76 30 00 02 00 18 00');
    expect(hex(job.bytes.subarray(8 + 48, 8 + 48 + 8))).toBe('1D 76 30 00 02 00 18 00');
    expect(hex(job.bytes.subarray(2 * (8 + 48), 2 * (8 + 48) + 8))).toBe('1D 76 30 00 02 00 02 00');
    expect(job.boundaries).toEqual([56, 112, 124]);
  });

  it('breaks DLE EOT/ENQ/DC4 sequences that occur in raster data', () => {
    const img = monoImage(24, 1, Uint8Array.from([0x10, 0x04, 0x01]));
    const bands = rasterBands(img);
    expect(hex(bands[0]!.subarray(8))).toBe('18 04 01');
    expect(c.findRealtimeSequence(bands[0]!)).toBe(-1);
    const d = Uint8Array.from([0x10, 0x14, 0x08, 0x10, 0x05, 0x02, 0x10, 0x04, 0x09]);
    expect(sanitizeRaster(d)).toBe(2);
    expect(hex(d)).toBe('18 14 08 18 05 02 10 04 09');
  });

  it('refuses to build a job containing a real-time sequence', () => {
    expect(() => new EscPosEncoder().raw(Uint8Array.from([0x10, 0x04, 0x04])).build()).toThrow(RealtimeSequenceError);
  });

  it('records command boundaries', () => {
    const job = new EscPosEncoder().init().text('A').newline().cut().build();
    expect(job.boundaries).toEqual([2, 3, 4, 8]);
    expect(job.boundaries.at(-1)).toBe(job.bytes.length);
  });

  it('imageFromRows builds MSB-first rows', () => {
    const img = imageFromRows(['#.......#', '........#']);
    expect(img.width).toBe(9);
    expect(hex(img.data)).toBe('80 80 00 80');
  });
});
