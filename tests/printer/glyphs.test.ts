import * as fontkit from 'fontkit';
import { afterEach, describe, expect, it } from 'vitest';
import { getPixel, type MonoImage } from '@kiosk/protocol-escpos';
import { inPrinterFont, toPrintable } from '@kiosk/protocol-escpos';
import { systemGlyphs } from '../../apps/agent/src/devices/printer/glyphs/font.js';
import { maskName } from '@kiosk/platform';
import { receipt } from '../../apps/agent/src/receipts/document.js';
import { renderReceipt } from '../../apps/agent/src/receipts/render.js';
import { EscPosDecoder } from '../../apps/simulators/src/printer/decoder.js';
import { registerProfile } from '../../apps/agent/src/devices/printer/profiles/index.js';
import { p58, p80, rig, waitFor, type Rig } from './helpers.js';

/** A 58 mm printer whose font has GB2312 only (many older clones). */
const gb2312 = () => registerProfile({ ...p58(), name: 'test-58mm-gb2312', fontCoverage: 'gb2312' });

/**
 * Issue 21 item 9: a citizen whose name has a character outside the printer font (㙟 U+365F,
 * CJK Extension A, 4 bytes in GB18030) still gets a slip, with the character printed as an image
 * of its glyph in line with the text — never dropped, never replaced.
 */

let r: Rig | undefined;
afterEach(async () => {
  await r?.close();
  r = undefined;
});

const rowsOf = (img: MonoImage): string[] => {
  const rows: string[] = [];
  for (let y = 0; y < img.height; y++) {
    let s = '';
    for (let x = 0; x < img.width; x++) s += getPixel(img, x, y) ? '#' : '.';
    rows.push(s);
  }
  return rows;
};

describe('printer font coverage', () => {
  it('tells GB2312, GBK and 2-byte GB18030 apart', () => {
    const cp = (c: string) => c.codePointAt(0)!;
    expect(['gb2312', 'gbk', 'gb18030-2byte'].map((c) => inPrinterFont(cp('张'), c as 'gbk'))).toEqual([true, true, true]);
    // 堃 (88 D2) is a GBK addition: not on a GB2312 font.
    expect(['gb2312', 'gbk', 'gb18030-2byte'].map((c) => inPrinterFont(cp('堃'), c as 'gbk'))).toEqual([false, true, true]);
    // 㙟 is 4 bytes in GB18030 (82 30 AD 31): on no printer font.
    expect(['gb2312', 'gbk', 'gb18030-2byte'].map((c) => inPrinterFont(cp('㙟'), c as 'gbk'))).toEqual([false, false, false]);
    expect(inPrinterFont(0x0a, 'gb18030-2byte')).toBe(false);
  });

  it('keeps characters outside the font for the glyph path instead of replacing them', () => {
    expect(toPrintable('㙟*明 ç', { coverage: 'gb2312', raster: true })).toBe('㙟*明 ç');
    // Documented look-alikes still apply: ¥ is a symbol, not part of a name.
    expect(toPrintable('¥5', { coverage: 'gb2312', raster: true })).toBe('￥5');
    expect(() => toPrintable('㙟', { coverage: 'gb2312', raster: false })).toThrow(/U\+365F/);
  });
});

describe('glyph images from the machine CJK font', () => {
  it('finds Noto Sans CJK and draws 㙟 where its outline is', () => {
    const g = systemGlyphs();
    expect(g, 'fonts-noto-cjk must be installed (scripts/ensure-system-deps.mjs)').toBeDefined();
    const img = g!.glyph('㙟', 24, 24)!;
    expect(img).toMatchObject({ width: 24, height: 24 });
    const rows = rowsOf(img);
    const ink =
      rows
        .join('')
        .split('')
        .filter((c) => c === '#').length /
      (24 * 24);
    expect(ink).toBeGreaterThan(0.15);
    expect(ink).toBeLessThan(0.6);
    // Independent check of the geometry: the black dots cover the outline's bounding box, taken
    // from fontkit directly (em box 1000 units, ideographic top 880).
    const font = fontkit.openSync(
      '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc',
      'NotoSansMonoCJKsc-Regular',
    ) as fontkit.Font;
    const bb = font.glyphForCodePoint(0x365f).path.bbox;
    const k = 24 / 1000;
    const cols = [...Array(24).keys()].filter((x) => rows.some((row) => row[x] === '#'));
    const lines = [...Array(24).keys()].filter((y) => rows[y]!.includes('#'));
    expect(Math.abs(cols[0]! - bb.minX * k)).toBeLessThanOrEqual(1.5);
    expect(Math.abs(cols.at(-1)! + 1 - bb.maxX * k)).toBeLessThanOrEqual(1.5);
    expect(Math.abs(lines[0]! - (880 - bb.maxY) * k)).toBeLessThanOrEqual(1.5);
    expect(Math.abs(lines.at(-1)! + 1 - (880 - bb.minY) * k)).toBeLessThanOrEqual(1.5);
    // A different character is a different picture.
    expect(rowsOf(g!.glyph('㙞', 24, 24)!)).not.toEqual(rows);
  });

  it('renders a name with 㙟 as text plus an inline ESC * glyph, and a tall line as one raster', () => {
    const doc = receipt('x')
      .title('㙟氏宗祠')
      .rows({ 姓名: maskName('㙟小明') })
      .build();
    const job = renderReceipt(doc, gb2312());
    const events = new EscPosDecoder({ dotsPerLine: 384 }).push(job.bytes);
    expect(events.filter((e) => e.type === 'error')).toEqual([]);
    const inline = events.filter((e) => e.type === 'bitImage');
    expect(inline).toHaveLength(1);
    expect(inline[0]).toMatchObject({ width: 24, height: 24 });
    // The double-size title prints as one raster line, 48 dots tall.
    const raster = events.filter((e) => e.type === 'raster');
    expect(raster.length).toBeGreaterThan(0);
    expect(raster.reduce((h, e) => h + (e.type === 'raster' ? e.height : 0), 0)).toBe(48);
  });
});

describe('a slip for a citizen whose name is outside the printer font', () => {
  for (const profile of [gb2312, p58, p80]) {
    it(`prints completely on ${profile().name}, the rare character as its glyph in line`, async () => {
      r = await rig({ profile: profile() });
      await waitFor(() => r!.driver.status().device === 'online', 'online');
      const name = maskName('㙟小明');
      expect(name).toBe('㙟*明');
      const doc = receipt('property', { ref: 'P-1' })
        .title('不动产登记信息')
        .rows({ 权利人: name, 坐落: '咸安区㙟村1号' })
        .footer('请妥善保管')
        .build();
      const res = await r.driver.print(doc);
      expect(res.outcome).toBe('printed');
      const slip = r.sim.receipts().at(-1)!;
      expect(slip.errors).toEqual([]);
      expect(slip.cut).not.toBeNull();
      const lines = slip.text.split('\n');
      // Every character is there: the glyph stands where 㙟 is (U+FFFC in the text), in line.
      expect(lines.find((l) => l.startsWith('权利人'))).toMatch(/^权利人 +\ufffc\*明$/);
      expect(lines.find((l) => l.startsWith('坐落'))).toMatch(/^坐落 +咸安区\ufffc村1号$/);
      const want = rowsOf(systemGlyphs()!.glyph('㙟', 24, 24)!);
      expect(slip.inlineImages).toHaveLength(2);
      for (const img of slip.inlineImages) expect(img.rows).toEqual(want);
    });
  }

  it('a GB2312-font printer shows a GBK-only character blank unless the profile says gb2312', async () => {
    r = await rig({ profile: p58(), personality: { font: 'gb2312' } });
    await waitFor(() => r!.driver.status().device === 'online', 'online');
    const doc = receipt('x').rows({ 姓名: '王*堃' }).build();
    // The profile claims GBK: the printer's GB2312 font cannot print 堃 (the simulator says so).
    expect((await r.driver.print(doc)).outcome).toBe('printed');
    expect(r.sim.receipts().at(-1)!.errors.join()).toMatch(/堃 \(88d2\) is not in this printer's GB2312 font/);
    // With the right profile the character comes out as its glyph.
    const right = await rig({ profile: gb2312(), personality: { font: 'gb2312' } });
    try {
      await waitFor(() => right.driver.status().device === 'online', 'online');
      expect((await right.driver.print(doc)).outcome).toBe('printed');
      const slip = right.sim.receipts().at(-1)!;
      expect(slip.errors).toEqual([]);
      expect(slip.text).toMatch(/王\*\ufffc/);
    } finally {
      await right.close();
    }
  });

  it('a GBK-only character prints as text on a GBK font and as a glyph on a GB2312 font', () => {
    expect([p58().fontCoverage, p80().fontCoverage]).toEqual(['gbk', 'gb18030-2byte']);
    const doc = receipt('x').text('王堃').build();
    const onGbk = new EscPosDecoder().push(renderReceipt(doc, p58()).bytes);
    expect(onGbk.some((e) => e.type === 'text' && e.text.includes('王堃'))).toBe(true);
    expect(onGbk.some((e) => e.type === 'bitImage')).toBe(false);
    const onGb2312 = new EscPosDecoder().push(renderReceipt(doc, gb2312()).bytes);
    expect(onGb2312.some((e) => e.type === 'bitImage')).toBe(true);
    expect(onGb2312.some((e) => e.type === 'text' && e.text.includes('堃'))).toBe(false);
  });
});
