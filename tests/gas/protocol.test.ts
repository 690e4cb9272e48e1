import { describe, expect, it } from 'vitest';
import {
  CMD,
  CodecError,
  STATUS,
  decodeReadReply,
  decodeStatusReply,
  decodeWriteReply,
  decodeWriteRequest,
  encodeReadReply,
  encodeStatusReply,
  encodeWriteReply,
  encodeWriteRequest,
} from '@kiosk/protocol-gascard';
import { bcc, createFrameParser, encodeFrame, type ParseEvent } from '@kiosk/protocol-gascard';
import { mulberry32 } from '@kiosk/synthetic';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();
const frames = (evs: ParseEvent[]) => evs.filter((e) => e.type === 'frame').map((e) => (e.type === 'frame' ? e.frame : null));

describe('gas card frames', () => {
  it('encodes byte-exact', () => {
    // STATUS request, seq 1: 02 | 00 02 | 01 | 01 | bcc(00 02 01 01) = 02 | 03
    expect(hex(encodeFrame({ seq: 1, cmd: CMD.status, data: new Uint8Array(0) }))).toBe('02000201010203');
    // STATUS reply "card present", seq 1: LEN 4, data 00 01.
    const reply = encodeFrame({ seq: 1, cmd: CMD.status | 0x80, data: encodeStatusReply(true) });
    expect(hex(reply)).toBe('020004018100018503');
    expect(bcc(Buffer.from([0x00, 0x04, 0x01, 0x81, 0x00, 0x01]))).toBe(0x85);
  });

  it('parses frames split at every byte and surrounded by noise', () => {
    const a = encodeFrame({ seq: 7, cmd: 0x82, data: Buffer.from('hello') });
    const b = encodeFrame({ seq: 8, cmd: 0x83, data: Buffer.from([0, 0, 8]) });
    const stream = Buffer.concat([Buffer.from([0xff, 0x13]), a, Buffer.from([0x00]), b]);
    const p = createFrameParser();
    const got: ParseEvent[] = [];
    for (const byte of stream) got.push(...p.push(Buffer.from([byte])));
    expect(frames(got)).toEqual([
      { seq: 7, cmd: 0x82, data: Buffer.from('hello') },
      { seq: 8, cmd: 0x83, data: Buffer.from([0, 0, 8]) },
    ]);
    expect(p.buffered).toBe(0);
  });

  it('reports a bad checksum, a missing ETX and an impossible length, and resynchronises', () => {
    const good = encodeFrame({ seq: 3, cmd: 0x81, data: Buffer.from([0, 1]) });
    const badSum = Buffer.from(good);
    badSum.writeUInt8(badSum.readUInt8(badSum.length - 2) ^ 0xff, badSum.length - 2);
    const badEtx = Buffer.from(good);
    badEtx[badEtx.length - 1] = 0x00;
    const badLen = Buffer.from([0x02, 0xff, 0xff]);
    const p = createFrameParser();
    const evs = p.push(Buffer.concat([badSum, badEtx, badLen, good]));
    const errors = evs.filter((e) => e.type === 'error').map((e) => (e.type === 'error' ? e.error.code : ''));
    expect(errors).toEqual(expect.arrayContaining(['checksum', 'terminator', 'length']));
    expect(frames(evs)).toEqual([{ seq: 3, cmd: 0x81, data: Buffer.from([0, 1]) }]);
  });

  it('refuses to encode what it could not parse', () => {
    expect(() => encodeFrame({ seq: 256, cmd: 1, data: new Uint8Array(0) })).toThrow(RangeError);
    expect(() => encodeFrame({ seq: 1, cmd: 1, data: new Uint8Array(511) })).toThrow(RangeError);
    expect(() => encodeFrame({ seq: 1, cmd: 1, data: new Uint8Array(510) })).not.toThrow();
  });

  it('fuzz: random noise never throws, and frames hidden in noise all come out', () => {
    const rnd = mulberry32(0x6a5c);
    for (let round = 0; round < 200; round++) {
      const p = createFrameParser();
      const want: { seq: number; cmd: number; data: Buffer }[] = [];
      const parts: Buffer[] = [];
      for (let i = 0; i < 5; i++) {
        // Noise without STX so the frames stay findable; the parser may still see partial junk.
        const noise = Buffer.from(Array.from({ length: Math.floor(rnd() * 20) }, () => 0x04 + Math.floor(rnd() * 250)));
        const data = Buffer.from(Array.from({ length: Math.floor(rnd() * 40) }, () => Math.floor(rnd() * 256)));
        const f = { seq: Math.floor(rnd() * 256), cmd: Math.floor(rnd() * 256), data };
        want.push(f);
        parts.push(noise, encodeFrame(f));
      }
      const all = Buffer.concat(parts);
      const got: ParseEvent[] = [];
      for (let at = 0; at < all.length;) {
        const n = 1 + Math.floor(rnd() * 17);
        got.push(...p.push(all.subarray(at, at + n)));
        at += n;
      }
      expect(frames(got)).toEqual(want);
    }
    for (let round = 0; round < 200; round++) {
      const p = createFrameParser();
      const junk = Buffer.from(Array.from({ length: 300 }, () => Math.floor(rnd() * 256)));
      expect(() => p.push(junk)).not.toThrow();
    }
  });
});

describe('gas card commands', () => {
  const write = {
    cardNo: '9100000000200001',
    purchaseCount: 8,
    amountFen: 5000,
    volumeM3: 17.36,
    mac: '0123456789ABCDEF',
    serialNo: 'GT20260630120000ABC123',
  };

  it('round-trips a write request byte-exact', () => {
    const b = encodeWriteRequest(write);
    expect(hex(b)).toBe(
      '10' +
        hex(Buffer.from(write.cardNo)) +
        '0008' +
        '00001388' +
        '000006C8' +
        '0123456789ABCDEF' +
        '16' +
        hex(Buffer.from(write.serialNo)),
    );
    expect(decodeWriteRequest(b)).toEqual(write);
  });

  it('round-trips read replies with and without a stored purchase', () => {
    const card = { cardNo: '9100000000200001', accountNo: '8800200001', purchaseCount: 7, storedPurchase: null };
    expect(decodeReadReply(encodeReadReply(card))).toEqual(card);
    const stored = { ...card, storedPurchase: { amountFen: 5000, volumeM3: 17.36 } };
    expect(decodeReadReply(encodeReadReply(stored))).toEqual(stored);
  });

  it('decodes status and write replies and rejects truncated or trailing bytes', () => {
    expect(decodeStatusReply(encodeStatusReply(false))).toEqual({ present: false });
    expect(decodeWriteReply(encodeWriteReply(STATUS.counterMismatch, 9))).toEqual({
      status: STATUS.counterMismatch,
      purchaseCount: 9,
    });
    expect(() =>
      decodeReadReply(encodeReadReply({ cardNo: '1', accountNo: '2', purchaseCount: 1, storedPurchase: null }).subarray(0, 5)),
    ).toThrow(CodecError);
    expect(() => decodeWriteReply(Buffer.from([0, 0, 1, 9]))).toThrow(CodecError);
    expect(() => encodeWriteRequest({ ...write, mac: 'XYZ' })).toThrow(CodecError);
    expect(() => encodeWriteRequest({ ...write, purchaseCount: 70_000 })).toThrow(CodecError);
  });
});
