import { describe, expect, test } from 'vitest';
import {
  buildCommandFrame,
  buildResponseFrame,
  parseCommandFrame,
  parseResponseFrame,
  toHex,
  xorChecksum,
} from '@kiosk/protocol-sam';
import {
  commands,
  decodeFindCard,
  decodeNewestAddress,
  decodeReadBase,
  decodeReadFull,
  decodeSamId,
  decodeSelectCard,
  describeFingerprints,
  encodeReadBase,
  encodeReadFull,
  encodeSamId,
  identifyCommand,
  setBaudRateCommand,
  setMaxRfBytesCommand,
} from '@kiosk/protocol-sam';
import { allSw3, describeSw3, sw3Message } from '@kiosk/protocol-sam';
import { encodeText } from '@kiosk/protocol-sam';
import {
  baudVectors,
  commandVectors,
  hex,
  maxRfVector,
  responseVectors,
  samIdResponse,
  samIdText,
  syntheticCard,
  vendorCommandVector,
} from './vectors.js';

describe('command frames are byte-exact with the reference', () => {
  for (const [name, bytes] of Object.entries(commandVectors)) {
    test(name, () => {
      const cmd = commands[name as keyof typeof commands];
      expect(toHex(cmd.frame)).toBe(bytes);
      expect(identifyCommand(cmd.cmd, cmd.para)).toBe(name);
    });
  }
  for (const [rate, bytes] of baudVectors) {
    test(`set baud ${rate}`, () => {
      expect(toHex(setBaudRateCommand(rate as 9600).frame)).toBe(bytes);
    });
  }
  test('set max RF bytes 0x50', () => {
    expect(toHex(setMaxRfBytesCommand(0x50).frame)).toBe(maxRfVector);
    expect(() => setMaxRfBytesCommand(0)).toThrow(RangeError);
  });
  test('vendor extension frame uses the same framing', () => {
    expect(toHex(buildCommandFrame(0xdc, 0x01))).toBe(vendorCommandVector.toUpperCase());
  });
  test('checksum covers length, CMD, Para and data (worked example 00^03^20^01 = 22)', () => {
    expect(xorChecksum(Uint8Array.of(0x00, 0x03, 0x20, 0x01))).toBe(0x22);
  });
  test('command frames round-trip through the decoder', () => {
    const f = parseCommandFrame(setMaxRfBytesCommand(0x50).frame);
    expect(f).toEqual({ ok: true, value: { cmd: 0x61, para: 0xff, data: Buffer.from([0x50]) } });
  });
  test('builders reject values that are not bytes', () => {
    expect(() => buildCommandFrame(256, 0)).toThrow(RangeError);
    expect(() => buildResponseFrame(-1)).toThrow(RangeError);
  });
});

describe('response frames', () => {
  for (const [label, bytes, sw3] of responseVectors) {
    test(`${label} decodes and re-encodes byte-exact`, () => {
      const r = parseResponseFrame(hex(bytes));
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(r.value.sw3).toBe(sw3);
      expect(r.value.sw1).toBe(0);
      expect(r.value.sw2).toBe(0);
      expect(toHex(buildResponseFrame(r.value.sw3, r.value.data))).toBe(bytes);
    });
  }

  test('SAM ID decodes to 05.01-20101129-0001228293-0296863149 and encodes back', () => {
    const r = parseResponseFrame(hex(samIdResponse));
    if (!r.ok) throw new Error(r.error.message);
    expect(decodeSamId(r.value.data)).toEqual({ ok: true, value: samIdText });
    expect(toHex(buildResponseFrame(0x90, encodeSamId(samIdText)))).toBe(samIdResponse);
    expect(decodeSamId(Buffer.alloc(15)).ok).toBe(false);
  });

  test('find and select data', () => {
    expect(decodeFindCard(Buffer.alloc(4)).ok).toBe(true);
    expect(decodeFindCard(Buffer.alloc(3)).ok).toBe(false);
    expect(decodeSelectCard(Buffer.alloc(8)).ok).toBe(true);
    expect(decodeSelectCard(Buffer.alloc(9)).ok).toBe(false);
  });

  test('rejects a bad checksum, a wrong length and a missing preamble', () => {
    const bad = hex('AA AA AA 96 69 00 04 00 00 90 95');
    const r = parseResponseFrame(bad);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('checksum');
    const short = parseResponseFrame(hex('AA AA AA 96 69 00 03 00 00 93'));
    expect(!short.ok && short.error.code).toBe('length');
    const noPre = parseResponseFrame(hex('AB AA AA 96 69 00 04 00 00 90 94'));
    expect(!noPre.ok && noPre.error.code).toBe('malformed');
    const cut = parseResponseFrame(hex('AA AA AA 96 69 00 08 00 00 9F 00 00'));
    expect(!cut.ok && cut.error.code).toBe('length');
  });
});

describe('read responses (§6 synthetic vector)', () => {
  const text = encodeText(syntheticCard);
  const photo = Buffer.alloc(1024);

  test('text block starts 4B 6D D5 8B 20 00 (测试 + spaces)', () => {
    expect(toHex(text.subarray(0, 6))).toBe('4B 6D D5 8B 20 00');
  });

  test('30 01 → 1295 bytes, header AA AA AA 96 69 05 08 00 00 90 01 00 04 00, CHK 8B', () => {
    const f = buildResponseFrame(0x90, encodeReadBase(text, photo));
    expect(f.length).toBe(1295);
    expect(toHex(f.subarray(0, 14))).toBe('AA AA AA 96 69 05 08 00 00 90 01 00 04 00');
    expect(f[f.length - 1]).toBe(0x8b);
    const r = parseResponseFrame(f);
    if (!r.ok) throw new Error(r.error.message);
    const blocks = decodeReadBase(r.value.data);
    expect(blocks.ok && blocks.value.text.equals(text)).toBe(true);
    expect(blocks.ok && blocks.value.photo.equals(photo)).toBe(true);
  });

  test('30 10 without fingerprints → 1297 bytes, CHK 89', () => {
    const f = buildResponseFrame(0x90, encodeReadFull(text, photo, Buffer.alloc(0)));
    expect(f.length).toBe(1297);
    expect(toHex(f.subarray(0, 16))).toBe('AA AA AA 96 69 05 0A 00 00 90 01 00 04 00 00 00');
    expect(f[f.length - 1]).toBe(0x89);
  });

  test('30 10 with two zeroed templates → 2321 bytes, header 09 0A, CHK 81', () => {
    const f = buildResponseFrame(0x90, encodeReadFull(text, photo, Buffer.alloc(1024)));
    expect(f.length).toBe(2321);
    expect(toHex(f.subarray(5, 7))).toBe('09 0A');
    expect(f[f.length - 1]).toBe(0x81);
    const r = parseResponseFrame(f);
    if (!r.ok) throw new Error(r.error.message);
    const full = decodeReadFull(r.value.data);
    expect(full.ok && full.value.fingerprint.length).toBe(1024);
  });

  test('inconsistent block lengths are reported, not thrown', () => {
    const data = encodeReadBase(text, photo);
    expect(decodeReadBase(data.subarray(0, 1000)).ok).toBe(false);
    expect(decodeReadBase(encodeReadBase(text.subarray(0, 200), photo)).ok).toBe(false);
    expect(decodeReadFull(encodeReadFull(text, photo, Buffer.alloc(100))).ok).toBe(false);
    expect(decodeReadBase(Buffer.alloc(1)).ok).toBe(false);
  });

  test('fingerprint template headers', () => {
    const fp = Buffer.alloc(512);
    fp.set([0x43, 1, 2, 3, 1, 0x0b, 0x50]);
    expect(describeFingerprints(fp)).toEqual([
      { valid: true, algorithmVersion: 1, collectorCode: 2, vendorCode: 3, enrolment: 'ok', fingerCode: 0x0b, quality: 0x50 },
    ]);
  });

  test('30 03 newest address: AA AA AA 96 69 00 4A 00 00 90 + 70 bytes', () => {
    const addr = Buffer.alloc(70);
    for (let i = 0; i < 70; i += 2) addr[i] = 0x20;
    Buffer.from('湖北省咸宁市咸安区测试路2号', 'utf16le').copy(addr);
    const f = buildResponseFrame(0x90, addr);
    expect(toHex(f.subarray(0, 10))).toBe('AA AA AA 96 69 00 4A 00 00 90');
    const r = parseResponseFrame(f);
    if (!r.ok) throw new Error(r.error.message);
    expect(decodeNewestAddress(r.value.data)).toEqual({ ok: true, value: '湖北省咸宁市咸安区测试路2号' });
    expect(decodeNewestAddress(Buffer.alloc(68)).ok).toBe(false);
  });
});

describe('SW3 status table', () => {
  test('every code in the reference has zh-CN and English text', () => {
    const codes = [0x90, 0x91, 0x9f, 0x10, 0x11, 0x21, 0x23, 0x24, 0x31, 0x32, 0x33, 0x40, 0x41, 0x47, 0x60, 0x66, 0x80, 0x81];
    expect(allSw3.map((s) => s.code).sort()).toEqual(codes.sort());
    for (const c of codes) {
      const s = describeSw3(c);
      expect(s.zh).toMatch(/[\u4e00-\u9fff]/);
      expect(s.en.length).toBeGreaterThan(3);
    }
    expect(describeSw3(0x41).zh).toBe('读证/卡操作失败');
    expect(describeSw3(0x60).category).toBe('sam');
    expect(describeSw3(0x80).category).toBe('noCard');
    expect(sw3Message(0x41)).toContain('SW3=41');
  });
  test('unknown codes get a readable fallback', () => {
    expect(describeSw3(0x55)).toMatchObject({ category: 'unknown', name: 'unrecognised' });
    expect(describeSw3(0x55).en).toContain('0x55');
  });
});
