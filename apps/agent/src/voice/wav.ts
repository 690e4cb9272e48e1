/**
 * Pure WAV (RIFF, PCM 16-bit) reading: enough to tell silence from speech. Bytes in, values out.
 */

export interface WavInfo {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** The PCM bytes of the `data` chunk. */
  data: Buffer;
}

/** Parses a RIFF/WAVE buffer; throws on anything else. */
export function parseWav(buf: Buffer): WavInfo {
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error('not a RIFF/WAVE file');
  }
  let fmt: Omit<WavInfo, 'data'> | undefined;
  let offset = 12;
  while (offset + 8 <= buf.length) {
    const id = buf.toString('ascii', offset, offset + 4);
    let size = buf.readUInt32LE(offset + 4);
    const body = offset + 8;
    // espeak-ng writes 0x7ffff… sizes when it streams to stdout: the chunk runs to the end.
    if (body + size > buf.length) size = buf.length - body;
    if (id === 'fmt ') {
      fmt = {
        channels: buf.readUInt16LE(body + 2),
        sampleRate: buf.readUInt32LE(body + 4),
        bitsPerSample: buf.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (!fmt) throw new Error('WAVE data before fmt chunk');
      return { ...fmt, data: buf.subarray(body, body + size) };
    }
    offset = body + size + (size % 2);
  }
  throw new Error('WAVE without data chunk');
}

/** Root mean square of 16-bit PCM, 0 (silence) … 1 (full scale). */
export function rms16(pcm: Buffer): number {
  const n = Math.floor(pcm.length / 2);
  if (n === 0) return 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = pcm.readInt16LE(i * 2) / 32768;
    sum += v * v;
  }
  return Math.sqrt(sum / n);
}

/** Seconds of audio in a parsed WAV. */
export function durationSeconds(w: WavInfo): number {
  const frame = (w.bitsPerSample / 8) * w.channels;
  return frame > 0 && w.sampleRate > 0 ? w.data.length / frame / w.sampleRate : 0;
}

/**
 * espeak-ng streaming to stdout cannot know the length and writes 0x7ffff000 as the RIFF and data
 * sizes; browsers' decoders differ in how they take that. Rewrites both sizes to the real ones.
 */
export function fixWavSizes(buf: Buffer): Buffer {
  const out = Buffer.from(buf);
  if (out.length < 12 || out.toString('ascii', 0, 4) !== 'RIFF') return out;
  out.writeUInt32LE(out.length - 8, 4);
  let offset = 12;
  while (offset + 8 <= out.length) {
    const id = out.toString('ascii', offset, offset + 4);
    const size = out.readUInt32LE(offset + 4);
    if (id === 'data') {
      out.writeUInt32LE(out.length - offset - 8, offset + 4);
      break;
    }
    offset += 8 + size + (size % 2);
  }
  return out;
}
