import { describe, expect, test } from 'vitest';
import { buildResponseFrame, fromHex, parseResponseFrame } from '@kiosk/protocol-sam';
import { encodeReadBase, encodeReadFull } from '@kiosk/protocol-sam';
import { createCommandParser, createResponseParser, type ParserEvent } from '@kiosk/protocol-sam';
import type { ResponseFrame } from '@kiosk/protocol-sam';
import { encodeText } from '@kiosk/protocol-sam';
import {
  baudVectors,
  commandVectors,
  maxRfVector,
  noisySelect,
  responseVectors,
  syntheticCard,
  vendorCommandVector,
} from './vectors.js';

const text = encodeText(syntheticCard);
const photo = Buffer.alloc(1024);
/** Every response example in the reference, including the long read frames of §6. */
const responseExamples: Array<[string, Buffer]> = [
  ...responseVectors.map(([label, hex]): [string, Buffer] => [label, fromHex(hex)]),
  ['read 1295', buildResponseFrame(0x90, encodeReadBase(text, photo))],
  ['read+fp 1297', buildResponseFrame(0x90, encodeReadFull(text, photo, Buffer.alloc(0)))],
  ['read+fp 2321', buildResponseFrame(0x90, encodeReadFull(text, photo, Buffer.alloc(1024)))],
];
const commandExamples: Buffer[] = [
  ...Object.values(commandVectors).map((h) => fromHex(h)),
  ...baudVectors.map(([, h]) => fromHex(h)),
  fromHex(maxRfVector),
  fromHex(vendorCommandVector),
];

function frames<T>(events: ParserEvent<T>[]): T[] {
  return events.flatMap((e) => (e.type === 'frame' ? [e.frame] : []));
}
function errors<T>(events: ParserEvent<T>[]): string[] {
  return events.flatMap((e) => (e.type === 'error' ? [e.error.code] : []));
}

describe('response parser: every reference example split at every byte boundary', () => {
  for (const [label, bytes] of responseExamples) {
    test(label, () => {
      const expected = parseResponseFrame(bytes);
      if (!expected.ok) throw new Error(`vector ${label} is invalid: ${expected.error.message}`);
      const bad: string[] = [];
      for (let cut = 0; cut <= bytes.length; cut++) {
        const p = createResponseParser();
        const first = p.push(bytes.subarray(0, cut));
        const events = [...first, ...p.push(bytes.subarray(cut))];
        const got = frames(events);
        const same =
          got.length === 1 &&
          got[0]!.sw3 === expected.value.sw3 &&
          got[0]!.sw1 === expected.value.sw1 &&
          got[0]!.data.equals(expected.value.data);
        // Plain checks in the loop (expect() per cut makes 2321-byte frames slow).
        if (errors(events).length || !same || p.pending !== 0 || frames(first).length !== (cut === bytes.length ? 1 : 0)) {
          bad.push(`cut ${cut}: errors ${errors(events).join(',')}, frames ${got.length}, pending ${p.pending}`);
        }
      }
      expect(bad).toEqual([]);
    });
  }

  test('one byte at a time, all examples back to back', () => {
    const stream = Buffer.concat(responseExamples.map(([, b]) => b));
    const p = createResponseParser();
    const got: ResponseFrame[] = [];
    for (const byte of stream) {
      const ev = p.push(Uint8Array.of(byte));
      expect(errors(ev)).toEqual([]);
      got.push(...frames(ev));
    }
    expect(got.map((f) => f.sw3)).toEqual(responseExamples.map(([, b]) => b[9]));
  });

  test('all examples back to back, split at every boundary into two pieces', () => {
    const small = responseExamples.filter(([, b]) => b.length < 100);
    const stream = Buffer.concat(small.map(([, b]) => b));
    for (let cut = 0; cut <= stream.length; cut++) {
      const p = createResponseParser();
      const events = [...p.push(stream.subarray(0, cut)), ...p.push(stream.subarray(cut))];
      expect(frames(events).length).toBe(small.length);
      expect(errors(events)).toEqual([]);
    }
  });
});

describe('command parser: every command example split at every byte boundary', () => {
  for (const bytes of commandExamples) {
    test(bytes.toString('hex'), () => {
      for (let cut = 0; cut <= bytes.length; cut++) {
        const p = createCommandParser();
        const events = [...p.push(bytes.subarray(0, cut)), ...p.push(bytes.subarray(cut))];
        expect(errors(events)).toEqual([]);
        const got = frames(events);
        expect(got).toHaveLength(1);
        expect(got[0]!.cmd).toBe(bytes[7]);
        expect(got[0]!.para).toBe(bytes[8]);
      }
    });
  }
});

describe('resync and rejection', () => {
  const find = fromHex('AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97');
  const ok = fromHex('AA AA AA 96 69 00 04 00 00 90 94');

  test('junk before a frame is skipped and reported', () => {
    const p = createResponseParser();
    const events = p.push(Buffer.concat([fromHex('00 13 AA 55 AA AA 96'), find]));
    expect(frames(events).map((f) => f.sw3)).toEqual([0x9f]);
    expect(errors(events)).toEqual(['junk']);
  });

  test('the noisy Qt select reply (broken preamble, truncated) is dropped as junk; the next frames survive', () => {
    const p = createResponseParser();
    const events = [...p.push(fromHex(noisySelect)), ...p.push(ok), ...p.push(find)];
    expect(frames(events).map((f) => f.sw3)).toEqual([0x90, 0x9f]);
    expect(errors(events)).toEqual(['junk']);
  });

  test('a truncated frame followed by a good one: checksum error, then the good one parses', () => {
    const truncated = fromHex('AA AA AA 96 69 00 08 00 00 9F 00 00');
    const p = createResponseParser();
    const events = [...p.push(truncated), ...p.push(ok), ...p.push(find)];
    expect(errors(events)).toContain('checksum');
    expect(frames(events).map((f) => f.sw3)).toEqual([0x90, 0x9f]);
  });

  test('a truncated stale read reply (announces 1295 bytes) does not swallow the replies after it', () => {
    const staleRead = Buffer.concat([fromHex('AA AA AA 96 69 05 08 00 00 90 01 00 04 00'), Buffer.alloc(40, 0x20)]);
    const p = createResponseParser();
    const first = p.push(Buffer.concat([staleRead, find]));
    expect(frames(first).map((f) => f.sw3)).toEqual([0x9f]);
    expect(errors(first)).toEqual(['junk']);
    // Split anywhere, the reply still comes out as soon as its last byte is in.
    for (let cut = 1; cut < staleRead.length + find.length; cut++) {
      const q = createResponseParser();
      const stream = Buffer.concat([staleRead, find, ok]);
      const events = [...q.push(stream.subarray(0, cut)), ...q.push(stream.subarray(cut))];
      expect(frames(events).map((f) => f.sw3)).toEqual([0x9f, 0x90]);
      expect(q.pending).toBe(0);
    }
  });

  test('a bad checksum drops the frame, the next frame parses', () => {
    const bad = Buffer.from(ok);
    bad[bad.length - 1] = bad[bad.length - 1]! ^ 0xff;
    const p = createResponseParser();
    const events = p.push(Buffer.concat([bad, find]));
    expect(errors(events)).toContain('checksum');
    expect(frames(events).map((f) => f.sw3)).toEqual([0x9f]);
  });

  test('impossible lengths (too short, too long) are rejected without waiting for them', () => {
    for (const len of ['00 00', '00 03', '09 0B', 'FF FF']) {
      const p = createResponseParser();
      const events = p.push(Buffer.concat([fromHex(`AA AA AA 96 69 ${len}`), find]));
      expect(errors(events)).toContain('length');
      expect(frames(events).map((f) => f.sw3)).toEqual([0x9f]);
    }
  });

  test('a command parser accepts Len 3, a response parser does not', () => {
    const cmd = fromHex('AA AA AA 96 69 00 03 20 01 22');
    expect(frames(createCommandParser().push(cmd))).toHaveLength(1);
    expect(errors(createResponseParser().push(cmd))).toContain('length');
  });

  test('a partial preamble at the end of a chunk is kept', () => {
    const p = createResponseParser();
    expect(frames(p.push(fromHex('11 22 AA AA')))).toEqual([]);
    expect(p.pending).toBe(2);
    expect(frames(p.push(find.subarray(2)))).toHaveLength(1);
  });

  test('reset drops a half frame', () => {
    const p = createResponseParser();
    p.push(find.subarray(0, 9));
    p.reset();
    expect(p.pending).toBe(0);
    expect(frames(p.push(ok))).toHaveLength(1);
  });

  test('the caller may reuse its chunk buffer', () => {
    const p = createResponseParser();
    const chunk = Buffer.from(find.subarray(0, 8));
    p.push(chunk);
    chunk.fill(0);
    expect(frames(p.push(find.subarray(8)))).toHaveLength(1);
  });

  test('odd input types do not throw', () => {
    const p = createResponseParser();
    expect(() => p.push(new Uint8Array(0))).not.toThrow();
    expect(() => p.push(new Uint8Array(new ArrayBuffer(16), 4, 8))).not.toThrow();
  });
});
