import { describe, expect, it } from 'vitest';
import { JpegStreamSplitter, parseJpeg } from '../../apps/agent/src/devices/camera/jpeg.js';

// Hand-built JPEGs: only the marker structure matters to these helpers, not decodable pixels.
const seg = (marker: number, payload: number[]): number[] => {
  const len = payload.length + 2;
  return [0xff, marker, len >> 8, len & 0xff, ...payload];
};
const sof = (marker: number, width: number, height: number): number[] =>
  seg(marker, [8, height >> 8, height & 0xff, width >> 8, width & 0xff, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
const app0 = seg(0xe0, [0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
const dqt = seg(0xdb, [0, ...Array.from({ length: 64 }, (_, i) => i + 1)]);
const sosHeader = seg(0xda, [3, 1, 0, 2, 0x11, 3, 0x11, 0, 63, 0]);
// Entropy data with the traps: stuffed FF 00, a restart marker, FF fill before a restart.
const entropy = [0x12, 0xff, 0x00, 0x34, 0xff, 0xd3, 0x56, 0xff, 0x00, 0xff, 0xff, 0xd4, 0x78];

function jpeg(width: number, height: number, opts: { sofMarker?: number; extra?: number[]; body?: number[] } = {}): Buffer {
  return Buffer.from([
    0xff,
    0xd8,
    ...app0,
    ...(opts.extra ?? []),
    ...dqt,
    ...sof(opts.sofMarker ?? 0xc0, width, height),
    ...sosHeader,
    ...(opts.body ?? entropy),
    0xff,
    0xd9,
  ]);
}

/** APP1 holding a whole embedded JPEG (like an EXIF thumbnail), EOI included. */
const exifWithThumbnail = seg(0xe1, [0x45, 0x78, 0x69, 0x66, 0, 0, ...jpeg(16, 16)]);

describe('parseJpeg', () => {
  it('reads width and height from SOF0', () => {
    const r = parseJpeg(jpeg(640, 480));
    expect(r).toMatchObject({ ok: true, width: 640, height: 480, components: 3, progressive: false });
  });

  it('reads large dimensions big-endian and flags progressive SOF2', () => {
    const r = parseJpeg(jpeg(4096, 2304, { sofMarker: 0xc2 }));
    expect(r).toMatchObject({ ok: true, width: 4096, height: 2304, progressive: true });
  });

  it('skips header segments that contain an embedded JPEG', () => {
    expect(parseJpeg(jpeg(320, 240, { extra: exifWithThumbnail }))).toMatchObject({ ok: true, width: 320, height: 240 });
  });

  it('rejects a buffer without SOI', () => {
    const b = jpeg(64, 48);
    b[1] = 0xd9;
    expect(parseJpeg(b)).toEqual({ ok: false, reason: expect.stringContaining('SOI') });
  });

  it('rejects a truncated image (no EOI)', () => {
    const b = jpeg(64, 48);
    expect(parseJpeg(b.subarray(0, b.length - 5))).toEqual({ ok: false, reason: expect.stringContaining('EOI') });
  });

  it('rejects image data before any frame header', () => {
    const b = Buffer.from([0xff, 0xd8, ...app0, ...sosHeader, ...entropy, 0xff, 0xd9]);
    expect(parseJpeg(b)).toEqual({ ok: false, reason: expect.stringContaining('SOF') });
  });

  it('rejects zero dimensions and impossible segment lengths', () => {
    expect(parseJpeg(jpeg(0, 48)).ok).toBe(false);
    const bad = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0xff, 0xf0, 0x00, 0xff, 0xd9]);
    expect(parseJpeg(bad)).toEqual({ ok: false, reason: expect.stringContaining('segment length') });
    expect(parseJpeg(Buffer.from([0xff, 0xd8]))).toEqual({ ok: false, reason: expect.stringContaining('too short') });
  });

  it('rejects text that happens to start and end like a JPEG', () => {
    expect(parseJpeg(Buffer.from([0xff, 0xd8, 0x41, 0x42, 0xff, 0xd9])).ok).toBe(false);
  });
});

describe('JpegStreamSplitter', () => {
  const a = jpeg(640, 480);
  const b = jpeg(320, 240, { extra: exifWithThumbnail });
  const c = jpeg(160, 120, { sofMarker: 0xc2 });
  const junk = Buffer.from([0x00, 0xff, 0x12, 0xff]);
  const stream = Buffer.concat([junk, a, b, junk, c]);

  it('splits concatenated frames, skipping junk between them', () => {
    const s = new JpegStreamSplitter();
    const frames = s.push(stream);
    expect(frames).toEqual([a, b, c]);
    expect(s.pending).toBe(0);
    expect(s.droppedBytes).toBe(junk.length * 2);
  });

  it('gives the same frames however the stream is cut into two chunks', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const s = new JpegStreamSplitter();
      const frames = [...s.push(stream.subarray(0, cut)), ...s.push(stream.subarray(cut))];
      expect(frames, `cut at ${cut}`).toEqual([a, b, c]);
    }
  });

  it('gives the same frames fed one byte at a time', () => {
    const s = new JpegStreamSplitter();
    const frames: Buffer[] = [];
    for (const byte of stream) frames.push(...s.push(Buffer.from([byte])));
    expect(frames).toEqual([a, b, c]);
  });

  it('does not end a frame at an EOI inside an embedded thumbnail', () => {
    const frames = new JpegStreamSplitter().push(b);
    expect(frames).toHaveLength(1);
    expect(frames[0]!.length).toBe(b.length);
  });

  it('drops a frame cut short by a new SOI and recovers with the next', () => {
    const cutShort = a.subarray(0, a.length - 6);
    const s = new JpegStreamSplitter();
    expect(s.push(Buffer.concat([cutShort, c]))).toEqual([c]);
    expect(s.droppedFrames).toBe(1);
  });

  it('drops a frame whose header is corrupt and resyncs on the next SOI', () => {
    const corrupt = Buffer.from(a);
    corrupt[2] = 0x00; // where the APP0 marker's FF should be
    const s = new JpegStreamSplitter();
    expect(s.push(Buffer.concat([corrupt, b]))).toEqual([b]);
    expect(s.droppedFrames).toBeGreaterThanOrEqual(1);
  });

  it('drops a runaway frame larger than maxFrameBytes', () => {
    const s = new JpegStreamSplitter({ maxFrameBytes: 200 });
    const huge = jpeg(64, 64, { body: Array.from({ length: 1000 }, (_, i) => i % 200) });
    expect(s.push(huge)).toEqual([]);
    expect(s.droppedFrames).toBe(1);
    expect(s.push(c)).toEqual([c]);
  });

  it('never throws on mutated streams, and everything it emits is SOI…EOI', () => {
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let round = 0; round < 2000; round++) {
      const m = Buffer.from(stream);
      for (let k = rand(6); k >= 0; k--) m[rand(m.length)] = rand(4) === 0 ? 0xff : rand(256);
      const s = new JpegStreamSplitter({ maxFrameBytes: 4096 });
      let at = 0;
      const out: Buffer[] = [];
      while (at < m.length) {
        const n = 1 + rand(64);
        out.push(...s.push(m.subarray(at, at + n)));
        at += n;
      }
      for (const f of out) {
        expect(f[0]).toBe(0xff);
        expect(f[1]).toBe(0xd8);
        expect(f[f.length - 2]).toBe(0xff);
        expect(f[f.length - 1]).toBe(0xd9);
      }
    }
  });
});
