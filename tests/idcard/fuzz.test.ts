import { expect, test } from 'vitest';
import { buildResponseFrame, parseResponseFrame, xorChecksum } from '@kiosk/protocol-sam';
import { createCommandParser, createResponseParser } from '@kiosk/protocol-sam';
import { decodeReadBase, decodeReadFull, encodeReadBase } from '@kiosk/protocol-sam';
import { decodeText, encodeText } from '@kiosk/protocol-sam';
import { HidReassembler, responseReports } from '@kiosk/protocol-sam';
import { syntheticCard } from './vectors.js';
import { mulberry32 } from '@kiosk/synthetic';

const SEED = 20261126;

test('100k mutated frames through the parser in random chunks: nothing escapes, every frame emitted is valid', () => {
  const rnd = mulberry32(SEED);
  const int = (n: number): number => Math.floor(rnd() * n);
  const bigRead = buildResponseFrame(0x90, encodeReadBase(encodeText(syntheticCard), Buffer.alloc(1024)));
  const templates = [
    buildResponseFrame(0x90),
    buildResponseFrame(0x9f, Buffer.alloc(4)),
    buildResponseFrame(0x90, Buffer.alloc(8)),
    buildResponseFrame(0x80),
    buildResponseFrame(0x41, Buffer.alloc(0), 0x12, 0x34),
    buildResponseFrame(0x90, Buffer.from('05000100 09B83201 05BE1200 ADC5B111', 'hex')),
  ];
  const parser = createResponseParser();
  let frames = 0;
  let errors = 0;
  let intact = 0;
  const N = 100_000;
  for (let i = 0; i < N; i++) {
    const base = i % 500 === 0 ? bigRead : templates[int(templates.length)]!;
    const f = Buffer.from(base);
    let mutated = true;
    switch (int(9)) {
      case 0: // flip a bit
        {
          const i = int(f.length);
          f[i] = f[i]! ^ (1 << int(8));
        }
        break;
      case 1: // corrupt the length
        f[5 + int(2)] = int(256);
        break;
      case 2: // truncate
        mutated = true;
        break;
      case 3: // random byte anywhere
        f[int(f.length)] = int(256);
        break;
      case 4: // checksum
        f[f.length - 1] = f[f.length - 1]! ^ 0x80;
        break;
      default:
        mutated = false;
    }
    let bytes: Buffer = f;
    if (mutated && rnd() < 0.3) bytes = f.subarray(0, int(f.length));
    if (rnd() < 0.2) {
      const junk = Buffer.alloc(int(12));
      for (let j = 0; j < junk.length; j++) junk[j] = rnd() < 0.3 ? 0xaa : int(256);
      bytes = Buffer.concat([junk, bytes]);
    }
    if (!mutated) intact++;
    let off = 0;
    while (off < bytes.length) {
      const n = 1 + int(Math.min(64, bytes.length - off));
      const events = parser.push(bytes.subarray(off, off + n));
      off += n;
      for (const e of events) {
        if (e.type === 'frame') {
          frames++;
          // Whatever came out is a well-formed frame.
          const raw = e.raw;
          expect(xorChecksum(raw, 5, raw.length - 1)).toBe(raw[raw.length - 1]);
          expect(raw.readUInt16BE(5) + 7).toBe(raw.length);
          expect(parseResponseFrame(raw).ok).toBe(true);
          if (e.frame.sw3 === 0x90 && e.frame.data.length > 1000) {
            // Decoders downstream must not throw on whatever a frame carries.
            const b = decodeReadBase(e.frame.data);
            if (b.ok) decodeText(b.value.text);
            decodeReadFull(e.frame.data);
          }
        } else {
          errors++;
        }
      }
    }
  }
  // Resyncing must not lose most intact frames (truncated neighbours can swallow a few).
  expect(frames).toBeGreaterThan(intact * 0.9);
  expect(errors).toBeGreaterThan(0);
});

test('random bytes into both parsers, text decoder and HID reassembler: no exception', () => {
  const rnd = mulberry32(SEED + 1);
  const rp = createResponseParser();
  const cp = createCommandParser();
  const hid = new HidReassembler();
  for (let i = 0; i < 20_000; i++) {
    const n = Math.floor(rnd() * 80);
    const b = Buffer.alloc(n);
    for (let j = 0; j < n; j++) b[j] = rnd() < 0.25 ? [0xaa, 0x96, 0x69, 0x00][Math.floor(rnd() * 4)]! : Math.floor(rnd() * 256);
    // A throw here fails the test; no expect() per call keeps 20k rounds fast.
    rp.push(b);
    cp.push(b);
    hid.push(b);
    const text = Buffer.alloc(256);
    for (let j = 0; j < 256; j++) text[j] = Math.floor(rnd() * 256);
    decodeText(text);
  }
  // And the reassembler still works afterwards.
  hid.reset();
  const frame = buildResponseFrame(0x90);
  const events = responseReports(frame, 1).flatMap((r) => hid.push(r));
  expect(events.filter((e) => e.type === 'message')).toHaveLength(1);
});
