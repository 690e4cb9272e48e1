import { describe, expect, it } from 'vitest';
import { textColumns } from '@kiosk/protocol-escpos';
import { registerProfile } from '../../apps/agent/src/devices/printer/profiles/index.js';
import { receipt, ReceiptRenderError, renderReceipt, testPage } from '../../apps/agent/src/receipts/index.js';
import { PrinterEmulator } from '../../apps/simulators/src/printer/emulator.js';
import { receiptView } from '../../apps/simulators/src/printer/simulator.js';
import { p58, p80, smallIcon, stripedLogo } from './helpers.js';

function print(doc: Parameters<typeof renderReceipt>[0], profile = p80()) {
  const rendered = renderReceipt(doc, profile);
  const em = new PrinterEmulator(profile.dotsPerLine);
  em.receive(rendered.bytes);
  return { rendered, em, views: em.receipts().map((r) => receiptView(r, profile.dotsPerLine)) };
}

const serviceSlip = () =>
  receipt('property-query', { ref: 'PQ-0001' })
    .title('不动产登记信息查询结果', 'Property registration record')
    .rows({
      查询人: '张*三',
      身份证号: '4201**********1234',
      不动产单元号: '421202 001001 GB00001 F00010001',
      坐落: '咸宁市咸安区温泉路 88 号 某某小区 3 栋 2 单元 1201 室',
      抵押状态: '无抵押',
      查封状态: '无查封',
    })
    .table(
      [
        { title: '权利类型', weight: 2 },
        { title: '状态', width: 6 },
        { title: '日期', width: 10, align: 'right' },
      ],
      [
        ['国有建设用地使用权/房屋所有权', '有效', '2026-01-01'],
        ['抵押权', '无', '-'],
      ],
    )
    .qr('https://zwfw.example.cn/verify?c=PQ-0001&n=不动产', { caption: '扫码核验 / Scan to verify' })
    .barcode('PQ0001')
    .image(smallIcon())
    .footer('本查询结果仅供参考 / For reference only', '咸宁市政务服务中心')
    .build();

describe('receipt documents', () => {
  for (const profile of [p58(), p80()]) {
    it(`render to ${profile.paperWidthMm} mm without any line wider than the paper`, () => {
      const { em, views, rendered } = print(serviceSlip(), profile);
      expect(views).toHaveLength(1);
      const v = views[0]!;
      expect(v.errors).toEqual([]);
      expect(v.cut).toBe('partial');
      for (const line of v.text.split('\n')) expect(textColumns(line)).toBeLessThanOrEqual(profile.dotsPerLine / 12);
      expect(v.text.replace(/\n/g, '')).toContain('不动产登记信息查询结果');
      expect(v.text).toContain('4201**********1234');
      expect(v.barcodes).toEqual([{ symbology: 'CODE128', data: 'PQ0001' }]);
      if (profile.qr.native) expect(v.qr[0]!.data).toBe('https://zwfw.example.cn/verify?c=PQ-0001&n=不动产');
      else expect(v.images.length).toBe(2); // raster QR + icon
      expect(v.html).toContain('<svg');
      expect(em.counters.paperStatusRequests).toBe(1);
      expect(rendered.processedMarker).toBe(true);
      expect(Buffer.from(rendered.bytes.subarray(0, 5)).toString('hex')).toBe('1b401d6100'); // ESC @, GS a 0
      expect(Buffer.from(rendered.bytes.subarray(-3)).toString('hex')).toBe('1d7201'); // GS r 1
    });

    it(`the ${profile.paperWidthMm} mm test page has Chinese text, a QR code and a cut`, () => {
      const { views } = print(testPage(profile, { now: new Date(2026, 0, 2, 3, 4, 5) }), profile);
      const v = views[0]!;
      expect(v.errors).toEqual([]);
      expect(v.text.split('\n')[0]).toBe('测试页');
      expect(v.text).toContain('中文打印测试');
      expect(v.text).toContain('2026-01-02 03:04:05');
      expect(v.text).toContain('￥12.50 · TM'); // ¥ • ™ substituted
      expect(v.cut).toBe('partial');
      expect(v.qr.length + v.images.length).toBeGreaterThan(0);
    });
  }

  it('key-value rows right-align values', () => {
    const { views } = print(receipt('x').row('金额', '￥50.00').build());
    expect(views[0]!.text).toBe('金额' + ' '.repeat(48 - 4 - 7) + '￥50.00');
  });

  it('a cut block inside a document ends one slip and starts the next', () => {
    const { views } = print(receipt('x').text('市民联 / Citizen copy').cut().text('存根联 / Kiosk copy').build());
    expect(views.map((v) => v.text)).toEqual(['市民联 / Citizen copy', '存根联 / Kiosk copy']);
  });

  it('cut: false leaves the slip uncut', () => {
    const r = renderReceipt(receipt('x', { cut: false }).text('A').build(), p80());
    expect(Buffer.from(r.bytes).includes(Buffer.from([0x1d, 0x56]))).toBe(false);
  });

  it('scales a logo wider than the paper and says so', () => {
    const { views, rendered } = print(receipt('x').image(stripedLogo(800, 100)).build(), p58());
    expect(views[0]!.images[0]!.width).toBe(384);
    expect(rendered.warnings.join()).toMatch(/scaled from 800 to 384/);
  });

  it('rejects what cannot print with a clear reason', () => {
    // Outside the printer font and no glyph source: refused, naming the character.
    expect(() => renderReceipt(receipt('x').text('张𠮷').build(), p80(), { glyphs: null })).toThrow(ReceiptRenderError);
    expect(() => renderReceipt(receipt('x').text('张𠮷').build(), p80(), { glyphs: null })).toThrow(/U\+20BB7/);
    // With the machine's CJK font it prints (as a glyph image); a character no font has is still refused.
    expect(() => renderReceipt(receipt('x').text('张𠮷').build(), p80())).not.toThrow();
    expect(() => renderReceipt(receipt('x').text('张🙂').build(), p80())).toThrow(/no glyph.*U\+1F642/);
    expect(() => renderReceipt(receipt('x').barcode('ABCDEFGHIJKLMNOPQRSTUVWXYZ').build(), p58())).toThrow(/barcode.*dots wide/);
    expect(() => renderReceipt(receipt('x').qr('x'.repeat(3000)).build(), p80())).toThrow(/too long/);
    expect(() =>
      renderReceipt(
        receipt('x')
          .table(
            [
              { title: 'a', width: 30 },
              { title: 'b', width: 30 },
            ],
            [],
          )
          .build(),
        p58(),
      ),
    ).toThrow(/does not fit/);
  });

  it('native vs raster QR follows the profile', () => {
    const doc = receipt('x').qr('https://x.cn/a').build();
    const native = print(doc, p80()).views[0]!;
    expect(native.qr).toHaveLength(1);
    expect(native.images).toHaveLength(0);
    const raster = print(doc, p58()).views[0]!;
    expect(raster.qr).toHaveLength(0);
    expect(raster.images).toHaveLength(1);
  });

  it('profiles are validated data', () => {
    expect(() => registerProfile({ name: 'Bad Name' })).toThrow(/invalid printer profile/);
    const p = registerProfile({ ...p80(), name: 'vendor-test-80', cutter: 'none' });
    const r = renderReceipt(receipt('x').text('A').build(), p);
    expect(Buffer.from(r.bytes).includes(Buffer.from([0x1d, 0x56]))).toBe(false);
  });
});
