/**
 * The output photo: crop the checked frame to the box the checks computed, scale to the spec's
 * pixel size, put the chosen backdrop colour behind the person, and encode a JPEG whose file size
 * lies within the spec's bounds. Uses sharp (libvips); nothing is written to disk.
 */
import sharp from 'sharp';
import type { PhotoBackdrop } from '@kiosk/contracts/photo';
import { replaceBackdrop } from './backdrop.js';
import type { PhotoSpec } from '@kiosk/kiosk-config';
import type { Rect } from './image-stats.js';

class PhotoOutputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PhotoOutputError';
  }
}

/** Decodes a JPEG to packed RGB. */
export async function decodeRgb(jpeg: Buffer): Promise<{ rgb: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(jpeg).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { rgb: data, width: info.width, height: info.height };
}

/** Largest quality first that fits under maxBytes; refuses a result under minBytes. */
async function encodeWithin(
  rgb: Buffer,
  width: number,
  height: number,
  spec: PhotoSpec,
): Promise<{ jpeg: Buffer; quality: number }> {
  let lo = 40;
  let hi = 95;
  let best: { jpeg: Buffer; quality: number } | null = null;
  const encode = (q: number) =>
    sharp(rgb, { raw: { width, height, channels: 3 } })
      .jpeg({ quality: q, chromaSubsampling: '4:4:4' })
      .toBuffer();
  const top = await encode(hi);
  if (top.length <= spec.maxBytes) best = { jpeg: top, quality: hi };
  else {
    while (lo <= hi) {
      const q = Math.floor((lo + hi) / 2);
      const j = await encode(q);
      if (j.length <= spec.maxBytes) {
        best = { jpeg: j, quality: q };
        lo = q + 1;
      } else hi = q - 1;
    }
  }
  if (!best) throw new PhotoOutputError(`cannot encode a ${spec.use} photo under ${spec.maxBytes} bytes`);
  if (best.jpeg.length < spec.minBytes) {
    const max = await encode(100);
    if (max.length < spec.minBytes)
      throw new PhotoOutputError(`a ${spec.use} photo is under ${spec.minBytes} bytes even at full quality`);
    return { jpeg: max, quality: 100 };
  }
  return best;
}

export interface PhotoOutput {
  jpeg: Buffer;
  width: number;
  height: number;
  quality: number;
}

export async function cropToSpec(
  frame: { rgb: Buffer; width: number; height: number },
  crop: Rect,
  spec: PhotoSpec,
  backdrop: PhotoBackdrop,
): Promise<PhotoOutput> {
  if (!spec.backdrops.includes(backdrop))
    throw new PhotoOutputError(`${spec.use} photos take ${spec.backdrops.join('/')} backdrops`);
  const left = Math.round(crop.left);
  const top = Math.round(crop.top);
  const width = Math.round(crop.width);
  const height = Math.round(crop.height);
  if (left < 0 || top < 0 || width < 1 || height < 1 || left + width > frame.width || top + height > frame.height) {
    throw new PhotoOutputError('the crop box is not inside the frame');
  }
  const scaled = await sharp(frame.rgb, { raw: { width: frame.width, height: frame.height, channels: 3 } })
    .extract({ left, top, width, height })
    .resize(spec.width, spec.height, { fit: 'fill', kernel: 'lanczos3' })
    .raw()
    .toBuffer();
  const replaced = replaceBackdrop(scaled, spec.width, spec.height, backdrop);
  const { jpeg, quality } = await encodeWithin(replaced, spec.width, spec.height, spec);
  return { jpeg, width: spec.width, height: spec.height, quality };
}
