import { describe, expect, it } from 'vitest';
import { EscPosEncoder } from '@kiosk/protocol-escpos';
import { monoImage, qrImage } from '@kiosk/protocol-escpos';
import { PrinterEmulator } from '../../apps/simulators/src/printer/emulator.js';
import { EscPosDecoder } from '../../apps/simulators/src/printer/decoder.js';
import { receiptView } from '../../apps/simulators/src/printer/simulator.js';

/** Feeds bytes to a fresh emulator in awkward chunk sizes and returns the decoded receipts. */
function roundTrip(bytes: Uint8Array, chunk = 7, dots = 576) {
  const em = new PrinterEmulator(dots);
  const replies: number[] = [];
  em.on('reply', (b) => replies.push(...b));
  for (let i = 0; i < bytes.length; i += chunk) em.receive(bytes.subarray(i, i + chunk));
  return { em, replies, receipts: em.receipts().map((r) => receiptView(r, dots, false)), raw: em.receipts() };
}

function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a * 1664525 + 1013904223) >>> 0;
    return a / 2 ** 32;
  };
}

describe('encoder → simulator decoder round trips', () => {
  it('Chinese text in Chinese mode, with styles', () => {
    const lines = ['咸宁市政务服务中心', '不动产查询 ￥0.00', 'ASCII 0123 abc', '“不打烊”——湖北政务服务网…'];
    const enc = new EscPosEncoder().init();
    enc
      .bold(true)
      .line(lines[0])
      .bold(false)
      .size(2, 2)
      .line(lines[1])
      .size(1, 1)
      .line(lines[2])
      .align('center')
      .line(lines[3])
      .cut();
    for (const chunk of [1, 2, 3, 7, 64]) {
      const { receipts, raw } = roundTrip(enc.build().bytes, chunk);
      expect(receipts).toHaveLength(1);
      expect(receipts[0]!.text).toBe(lines.join('\n'));
      expect(receipts[0]!.errors).toEqual([]);
      const items = raw[0]!.items.filter((i) => i.kind === 'line');
      expect(items[0]).toMatchObject({ segments: [{ bold: true, width: 1 }] });
      expect(items[1]).toMatchObject({ segments: [{ bold: false, width: 2, height: 2 }] });
      expect(items[3]).toMatchObject({ align: 'center' });
    }
  });

  it('flags text that would print as garbage', () => {
    // GB18030 bytes without FS &: a real printer prints code-page junk.
    const noFs = Uint8Array.from([0x1b, 0x40, 0xd6, 0xd0, 0x0a, 0x1d, 0x56, 0x00]);
    expect(roundTrip(noFs).receipts[0]!.errors.join()).toMatch(/outside Chinese mode/);
    // 4-byte ¥ (81 30 84 36) in Chinese mode.
    const fourByte = Uint8Array.from([0x1b, 0x40, 0x1c, 0x26, 0x81, 0x30, 0x84, 0x36, 0x0a, 0x1d, 0x56, 0x00]);
    expect(roundTrip(fourByte).receipts[0]!.errors.join()).toMatch(/4-byte GB18030/);
  });

  it('QR codes, including Chinese payloads, with declared lengths checked', () => {
    const payloads = [
      'https://zwfw.example.cn/verify?code=A1',
      '支付 https://x.cn',
      '不动产权证书 鄂(2026)咸宁市不动产权第0001234号',
      'x'.repeat(700),
    ];
    const enc = new EscPosEncoder().init();
    for (const p of payloads) enc.qr(p, { moduleSize: 4, level: 'M' });
    enc.cut();
    const { receipts } = roundTrip(enc.build().bytes, 13);
    expect(receipts[0]!.qr.map((q) => q.data)).toEqual(payloads);
    for (const [i, q] of receipts[0]!.qr.entries()) {
      expect(q.ok).toBe(true);
      expect(q.declaredLength).toBe(Buffer.byteLength(payloads[i]!));
      expect(q.moduleSize).toBe(4);
      expect(q.level).toBe('M');
    }
  });

  it('detects the JS-string-length QR bug the npm libraries have', () => {
    const text = '支付 https://x.cn';
    const data = Buffer.from(text, 'utf8');
    const wrong = text.length + 3; // 18 instead of 22
    const bytes = Buffer.concat([
      Buffer.from([0x1b, 0x40]),
      Buffer.from([0x1d, 0x28, 0x6b, wrong, 0x00, 0x31, 0x50, 0x30]),
      data,
      Buffer.from([0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x51, 0x30, 0x1d, 0x56, 0x00]),
    ]);
    const { receipts } = roundTrip(bytes);
    const r = receipts[0]!;
    expect(r.qr.filter((q) => q.ok)).toHaveLength(0);
    expect(r.errors.join(' ')).toMatch(/declared/);
  });

  it('CODE128 barcodes in code sets B and C', () => {
    const codes = ['GT-20260101-0001', '12345678', 'a{b}', '160401'];
    const enc = new EscPosEncoder().init();
    for (const c of codes) enc.barcode128(c, { height: 60, moduleWidth: 2, hri: 'below' });
    enc.cut();
    const { receipts, raw, em } = roundTrip(enc.build().bytes, 5);
    expect(receipts[0]!.barcodes).toEqual(codes.map((data) => ({ symbology: 'CODE128', data })));
    expect(raw[0]!.items.find((i) => i.kind === 'barcode')).toMatchObject({ height: 60, moduleWidth: 2, hri: 2 });
    expect(em.counters.realtimeRequests).toBe(0);
  });

  it('raster images arrive with the right dimensions and data, in bands', () => {
    const rnd = seeded(42);
    const img = monoImage(200, 130);
    for (let i = 0; i < img.data.length; i++) img.data[i] = Math.floor(rnd() * 256);
    const enc = new EscPosEncoder().init().image(img, 24).cut();
    const job = enc.build();
    const { raw, receipts, em } = roundTrip(job.bytes, 100);
    expect(receipts[0]!.images).toEqual([{ width: 200, height: 130, bands: 6 }]);
    const got = (raw[0]!.items.find((i) => i.kind === 'image') as { data: Uint8Array }).data;
    expect(got.length).toBe(img.data.length);
    // Identical except where the encoder broke a real-time sequence (0x10 → 0x18).
    let diffs = 0;
    for (let i = 0; i < got.length; i++) {
      if (got[i] !== img.data[i]) {
        diffs++;
        expect([img.data[i], got[i]]).toEqual([0x10, 0x18]);
      }
    }
    expect(diffs).toBeLessThan(10);
    // …and the printer never saw a status request inside the image.
    expect(em.counters.realtimeRequests).toBe(0);
  });

  it('a raster QR decodes to the same modules the qrcode package made', () => {
    const data = new TextEncoder().encode('咸宁 https://x.cn/q');
    const img = qrImage(data, 'M', 3);
    const { raw } = roundTrip(new EscPosEncoder().init().image(img).cut().build().bytes);
    const got = raw[0]!.items.find((i) => i.kind === 'image') as { width: number; height: number; data: Uint8Array };
    expect(got.height).toBe(img.height);
    expect(Buffer.from(got.data).equals(Buffer.from(img.data))).toBe(true);
  });

  it('flags raster wider than the paper and answers DLE EOT embedded anywhere', () => {
    const wide = monoImage(640, 2);
    const { receipts } = roundTrip(new EscPosEncoder().init().image(wide).cut().build().bytes, 50, 576);
    expect(receipts[0]!.errors.join()).toMatch(/640 dots wide; the paper has 576/);
    const em = new PrinterEmulator();
    const replies: number[] = [];
    em.on('reply', (b) => replies.push(...b));
    em.receive(Uint8Array.from([0x10]));
    em.receive(Uint8Array.from([0x04]));
    em.receive(Uint8Array.from([0x04, 0x10, 0x04, 0x01]));
    expect(replies).toEqual([0x12, 0x12]);
  });

  it('decoder holds back incomplete commands until the rest arrives', () => {
    const d = new EscPosDecoder();
    expect(d.push(Uint8Array.from([0x1d, 0x76, 0x30, 0x00, 0x01, 0x00]))).toEqual([]);
    expect(d.pendingBytes).toBe(6);
    const ev = d.push(Uint8Array.from([0x02, 0x00, 0xff, 0x81]));
    expect(ev).toMatchObject([{ type: 'raster', width: 8, height: 2 }]);
  });
});
