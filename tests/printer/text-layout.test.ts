import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import { columnsFor, keyValueLines, layoutTable, pad, resolveWidths, wrapText } from '@kiosk/protocol-escpos';
import { qrVersionFor } from '@kiosk/protocol-escpos';
import { encodeText, textColumns, toPrintable, UnprintableTextError } from '@kiosk/protocol-escpos';

describe('GB18030 text', () => {
  it('encodes Hanzi as 2 bytes and ASCII as 1', () => {
    expect(Buffer.from(encodeText('中文A')).toString('hex')).toBe('d6d0cec441');
    expect(Buffer.from(encodeText('咸宁市')).length).toBe(6);
  });

  it('substitutes what would be 4-byte: ¥ • ™ © NBSP and compatibility forms', () => {
    expect(toPrintable('¥5•™©\u00a0²')).toBe('￥5·TM(C) 2');
    expect(toPrintable('ç')).toBe('c');
    // Characters GBK has stay as they are (pinyin vowels, €, —).
    expect(toPrintable('ǚé€—')).toBe('ǚé€—');
  });

  it('names every character that stays unprintable, without echoing the text', () => {
    try {
      toPrintable('姓名：张𠮷 🙂');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(UnprintableTextError);
      const e = err as UnprintableTextError;
      expect(e.chars.map((c) => c.codePoint)).toEqual(['U+20BB7', 'U+1F642']);
      expect(e.message).toContain('U+20BB7');
      expect(e.message).not.toContain('姓名');
    }
    expect(toPrintable('张𠮷', '?')).toBe('张?');
  });

  it('measures width: CJK double, ASCII single', () => {
    expect(textColumns('abc')).toBe(3);
    expect(textColumns('中文')).toBe(4);
    expect(textColumns('￥12.50')).toBe(7);
    expect(columnsFor(384)).toBe(32);
    expect(columnsFor(576)).toBe(48);
    expect(columnsFor(576, 2)).toBe(24);
  });
});

describe('layout', () => {
  it('wraps Chinese between characters and English at spaces', () => {
    const lines = wrapText('咸宁市政务服务中心 24小时自助服务区', 16);
    for (const l of lines) expect(textColumns(l)).toBeLessThanOrEqual(16);
    expect(lines).toEqual(['咸宁市政务服务中', '心 24小时自助服', '务区']);
    expect(wrapText('The quick brown fox jumps', 10)).toEqual(['The quick', 'brown fox', 'jumps']);
  });

  it('never starts a line with closing punctuation', () => {
    const lines = wrapText('一二三四五六七，八九', 14);
    for (const l of lines) expect(l.startsWith('，')).toBe(false);
    expect(lines.join('')).toBe('一二三四五六七，八九');
  });

  it('breaks words longer than a line', () => {
    const lines = wrapText('x'.repeat(25), 10);
    expect(lines).toEqual(['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(5)]);
  });

  it('pads by display width', () => {
    expect(pad('中', 4, 'right')).toBe('  中');
    expect(pad('中', 5, 'center')).toBe(' 中  ');
  });

  it('puts label and value on one line when they fit, else value right-aligned below', () => {
    expect(keyValueLines('金额', '￥50.00', 32)).toEqual(['金额' + ' '.repeat(32 - 4 - 7) + '￥50.00']);
    const long = keyValueLines('不动产单元号', '420102 001001 GB00001 F00010001', 32);
    expect(long[0]).toBe('不动产单元号');
    for (const l of long) expect(textColumns(l)).toBeLessThanOrEqual(32);
  });

  it('lays out tables with fixed and weighted columns in exact widths', () => {
    expect(resolveWidths(48, [{ weight: 3 }, { width: 4 }, { width: 8 }])).toEqual([34, 4, 8]);
    const rows = layoutTable(
      [['天然气充值 Gas top-up', '1', '￥50.00']],
      [{ weight: 3 }, { width: 4, align: 'right' }, { width: 8, align: 'right' }],
      32,
    );
    for (const l of rows[0]!) expect(textColumns(l)).toBeLessThanOrEqual(32);
    expect(rows[0]!.length).toBe(2);
    expect(() => resolveWidths(10, [{ width: 8 }, { width: 8 }])).toThrow(/columns/);
  });
});

describe('QR capacity table', () => {
  it('matches the qrcode package at version boundaries', () => {
    for (const level of ['L', 'M', 'Q', 'H'] as const) {
      for (const v of [1, 2, 3, 5, 7, 10, 15, 20, 27]) {
        // largest byte count for version v
        let cap = 1;
        while (qrVersionFor(cap + 1, level) === v || (qrVersionFor(cap + 1, level) ?? 99) < v) cap++;
        const at = QRCode.create([{ data: new Uint8Array(cap).fill(0x80), mode: 'byte' }], { errorCorrectionLevel: level });
        expect(at.version, `${level} v${v} at ${cap}`).toBe(v);
        const over = QRCode.create([{ data: new Uint8Array(cap + 1).fill(0x80), mode: 'byte' }], { errorCorrectionLevel: level });
        expect(over.version, `${level} v${v} at ${cap + 1}`).toBe(v + 1);
      }
    }
    expect(qrVersionFor(2954, 'L')).toBeUndefined();
  });
});
