/**
 * Pure JPEG helpers: validate a still (SOI/EOI, dimensions from the SOF segment) and split an
 * MJPEG byte stream into frames. Bytes in, values out; no I/O, no timers.
 *
 * The splitter walks marker segments by their length fields instead of searching for FF D9,
 * because header segments (an EXIF thumbnail in APP1, for instance) may contain a whole
 * embedded JPEG with its own EOI. Inside entropy-coded data 0xFF is always stuffed (FF 00) or a
 * restart marker (FF D0–D7), so the first other marker after SOS is real.
 */

interface JpegInfo {
  width: number;
  height: number;
  /** 1 = greyscale, 3 = YCbCr. */
  components: number;
  /** SOF2 (progressive) rather than baseline/extended sequential. */
  progressive: boolean;
  bytes: number;
}

export type JpegParseResult = ({ ok: true } & JpegInfo) | { ok: false; reason: string };

const SOI = 0xd8;
const EOI = 0xd9;
const SOS = 0xda;

/** Markers without a length field: TEM and the restart markers. */
function isStandalone(marker: number): boolean {
  return marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7);
}

/** SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC). */
function isSof(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

/**
 * Checks that `buf` is one complete JPEG image and reads its size from the frame header.
 * Entropy-coded data is not decoded; this catches truncated or foreign output, not bit rot.
 */
export function parseJpeg(buf: Uint8Array): JpegParseResult {
  if (buf.length < 4) return { ok: false, reason: `too short (${buf.length} bytes)` };
  if (buf[0] !== 0xff || buf[1] !== SOI) return { ok: false, reason: 'missing SOI marker (FF D8) at start' };
  if (buf[buf.length - 2] !== 0xff || buf[buf.length - 1] !== EOI) {
    return { ok: false, reason: 'missing EOI marker (FF D9) at end' };
  }
  let pos = 2;
  let info: Omit<JpegInfo, 'bytes'> | undefined;
  while (pos + 1 < buf.length) {
    if (buf[pos] !== 0xff) return { ok: false, reason: `expected a marker at offset ${pos}` };
    let marker = buf[pos + 1]!;
    // Any number of FF fill bytes may precede a marker.
    while (marker === 0xff && pos + 2 < buf.length) {
      pos += 1;
      marker = buf[pos + 1]!;
    }
    if (isStandalone(marker)) {
      pos += 2;
      continue;
    }
    if (marker === EOI || marker === SOI) return { ok: false, reason: `unexpected marker FF ${hex(marker)} before SOS` };
    if (pos + 4 > buf.length) return { ok: false, reason: 'truncated segment header' };
    const len = (buf[pos + 2]! << 8) | buf[pos + 3]!;
    if (len < 2 || pos + 2 + len > buf.length) return { ok: false, reason: `bad segment length ${len} at offset ${pos}` };
    if (isSof(marker)) {
      if (len < 8) return { ok: false, reason: 'SOF segment too short' };
      const height = (buf[pos + 5]! << 8) | buf[pos + 6]!;
      const width = (buf[pos + 7]! << 8) | buf[pos + 8]!;
      const components = buf[pos + 9]!;
      if (width === 0 || height === 0) return { ok: false, reason: `zero dimension ${width}x${height}` };
      info = { width, height, components, progressive: marker === 0xc2 };
    }
    if (marker === SOS) {
      if (!info) return { ok: false, reason: 'SOS before any SOF (no frame header)' };
      return { ok: true, ...info, bytes: buf.length };
    }
    pos += 2 + len;
  }
  return { ok: false, reason: 'no SOS segment (no image data)' };
}

function hex(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, '0');
}

export interface JpegSplitterOptions {
  /** A frame growing past this is dropped and the splitter resyncs (guards against a runaway stream). */
  maxFrameBytes?: number;
}

type SplitState = 'seekSoi' | 'segments' | 'entropy';

/**
 * Splits a concatenated MJPEG stream (ffmpeg `-f mjpeg`) into whole JPEG frames. Feed it chunks
 * as they arrive, in any sizes; it keeps its place between calls, skips junk before SOI, drops
 * malformed frames and resyncs on the next SOI. Never throws on bad input.
 */
export class JpegStreamSplitter {
  private buf: Buffer = Buffer.alloc(0);
  private state: SplitState = 'seekSoi';
  /** Next offset to look at within `buf`; the current frame (if any) starts at 0. */
  private pos = 0;
  private readonly maxFrameBytes: number;
  /** Bytes thrown away (junk between frames, malformed or oversized frames). */
  droppedBytes = 0;
  droppedFrames = 0;

  constructor(options: JpegSplitterOptions = {}) {
    this.maxFrameBytes = options.maxFrameBytes ?? 16 * 1024 * 1024;
  }

  push(chunk: Uint8Array): Buffer[] {
    this.buf = this.buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buf, chunk]);
    const frames: Buffer[] = [];
    for (;;) {
      if (this.state !== 'seekSoi' && this.pos > this.maxFrameBytes) this.dropFrame();
      const step = this.step();
      if (step instanceof Buffer) frames.push(step);
      else if (step === 'more') {
        // Everything buffered now belongs to the unfinished frame.
        if (this.state === 'seekSoi' || this.buf.length <= this.maxFrameBytes) break;
        this.dropFrame();
      }
    }
    return frames;
  }

  /** Bytes held for an unfinished frame. */
  get pending(): number {
    return this.buf.length;
  }

  reset(): void {
    this.buf = Buffer.alloc(0);
    this.state = 'seekSoi';
    this.pos = 0;
  }

  /** One parsing step: a finished frame, 'more' when it needs more input, or 'again'. */
  private step(): Buffer | 'more' | 'again' {
    const buf = this.buf;
    switch (this.state) {
      case 'seekSoi': {
        const at = findSoi(buf, 0);
        if (at < 0) {
          // Keep a trailing FF: it may be the first half of the next SOI.
          const keep = buf.length > 0 && buf[buf.length - 1] === 0xff ? 1 : 0;
          this.discard(buf.length - keep);
          return 'more';
        }
        this.discard(at);
        this.state = 'segments';
        this.pos = 2;
        return 'again';
      }
      case 'segments': {
        let p = this.pos;
        if (p + 2 > buf.length) return 'more';
        if (buf[p] !== 0xff) return this.resync();
        let marker = buf[p + 1]!;
        while (marker === 0xff) {
          p += 1;
          if (p + 2 > buf.length) {
            this.pos = p;
            return 'more';
          }
          marker = buf[p + 1]!;
        }
        if (isStandalone(marker)) {
          this.pos = p + 2;
          return 'again';
        }
        if (marker === EOI) return this.emit(p + 2);
        // A new SOI inside a frame: the previous frame was cut short; start over from here.
        if (marker === SOI) {
          this.droppedFrames += 1;
          this.discard(p);
          this.pos = 2;
          return 'again';
        }
        if (p + 4 > buf.length) {
          this.pos = p;
          return 'more';
        }
        const len = (buf[p + 2]! << 8) | buf[p + 3]!;
        if (len < 2) return this.resync();
        this.pos = p + 2 + len;
        if (marker === SOS) this.state = 'entropy';
        return this.pos > buf.length ? 'more' : 'again';
      }
      case 'entropy': {
        let i = this.pos;
        while (i < buf.length) {
          i = buf.indexOf(0xff, i);
          if (i < 0) {
            this.pos = buf.length;
            return 'more';
          }
          if (i + 1 >= buf.length) {
            this.pos = i;
            return 'more';
          }
          const b = buf[i + 1]!;
          if (b === 0x00 || (b >= 0xd0 && b <= 0xd7) || b === 0xff) {
            i += b === 0xff ? 1 : 2;
            continue;
          }
          this.pos = i;
          this.state = 'segments';
          return 'again';
        }
        this.pos = i;
        return 'more';
      }
    }
  }

  private emit(end: number): Buffer {
    const frame = Buffer.from(this.buf.subarray(0, end));
    this.buf = this.buf.subarray(end);
    this.state = 'seekSoi';
    this.pos = 0;
    return frame;
  }

  /** The current frame is malformed: drop its SOI and look for the next one. */
  private resync(): 'again' {
    this.droppedFrames += 1;
    this.discard(1);
    this.state = 'seekSoi';
    this.pos = 0;
    return 'again';
  }

  /** Too big to be a frame: give up on it; the SOI search skips its body (no FF D8 inside). */
  private dropFrame(): void {
    this.resync();
  }

  private discard(n: number): void {
    if (n <= 0) return;
    this.droppedBytes += n;
    this.buf = this.buf.subarray(n);
  }
}

function findSoi(buf: Buffer, from: number): number {
  let i = from;
  for (;;) {
    i = buf.indexOf(0xff, i);
    if (i < 0 || i + 1 >= buf.length) return -1;
    if (buf[i + 1] === SOI) return i;
    i += 1;
  }
}
