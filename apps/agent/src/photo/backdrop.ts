/**
 * Backdrop replacement for the output photo (pure: RGB in, RGB out). The kiosk stands before a
 * plain light backdrop, so the backdrop is what is connected to the photo's border and close in
 * colour to it: a flood fill from the border finds it, a small feather softens the edge (hair),
 * and the chosen colour is blended in.
 */
import type { PhotoBackdrop } from '@kiosk/contracts/photo';

const BACKDROP_RGB: Record<PhotoBackdrop, [number, number, number]> = {
  white: [255, 255, 255],
  blue: [67, 142, 219],
  red: [255, 0, 0],
};

/** Colour distance (RGB Euclidean) within which a pixel counts as backdrop. */
const TOLERANCE = 40;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

/** The backdrop colour, from the two top corners (the head never reaches them in a framed photo). */
export function estimateBackdrop(rgb: Uint8Array, width: number, height: number): [number, number, number] {
  const patch = Math.max(2, Math.round(Math.min(width, height) * 0.04));
  const r: number[] = [];
  const g: number[] = [];
  const b: number[] = [];
  for (const x0 of [0, width - patch]) {
    for (let y = 0; y < Math.min(patch, height); y++) {
      for (let x = x0; x < x0 + patch; x++) {
        const i = (y * width + x) * 3;
        r.push(rgb[i] as number);
        g.push(rgb[i + 1] as number);
        b.push(rgb[i + 2] as number);
      }
    }
  }
  return [median(r), median(g), median(b)];
}

/** 0..255 per pixel: 255 where the backdrop is, feathered at its edge. */
export function backdropMask(rgb: Uint8Array, width: number, height: number, colour: [number, number, number]): Uint8Array {
  const n = width * height;
  const near = (p: number): boolean => {
    const i = p * 3;
    const dr = (rgb[i] as number) - colour[0];
    const dg = (rgb[i + 1] as number) - colour[1];
    const db = (rgb[i + 2] as number) - colour[2];
    return dr * dr + dg * dg + db * db <= TOLERANCE * TOLERANCE;
  };
  const mask = new Uint8Array(n);
  const stack: number[] = [];
  const seed = (p: number): void => {
    if (mask[p] === 0 && near(p)) {
      mask[p] = 255;
      stack.push(p);
    }
  };
  for (let x = 0; x < width; x++) {
    seed(x);
    seed((height - 1) * width + x);
  }
  for (let y = 0; y < height; y++) {
    seed(y * width);
    seed(y * width + width - 1);
  }
  while (stack.length > 0) {
    const p = stack.pop() as number;
    const x = p % width;
    if (x > 0) seed(p - 1);
    if (x < width - 1) seed(p + 1);
    if (p >= width) seed(p - width);
    if (p < n - width) seed(p + width);
  }
  return feather(mask, width, height);
}

/** Two passes of a 3×3 box blur: a 2-pixel soft edge. */
function feather(mask: Uint8Array, width: number, height: number): Uint8Array {
  let src = mask;
  for (let pass = 0; pass < 2; pass++) {
    const out = new Uint8Array(src.length);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let sum = 0;
        let cnt = 0;
        for (let dy = -1; dy <= 1; dy++) {
          const yy = y + dy;
          if (yy < 0 || yy >= height) continue;
          for (let dx = -1; dx <= 1; dx++) {
            const xx = x + dx;
            if (xx < 0 || xx >= width) continue;
            sum += src[yy * width + xx] as number;
            cnt++;
          }
        }
        out[y * width + x] = Math.round(sum / cnt);
      }
    }
    src = out;
  }
  return src;
}

/** Blends `target` into the backdrop (in place on a copy). */
export function replaceBackdrop(rgb: Uint8Array, width: number, height: number, target: PhotoBackdrop): Buffer {
  const colour = estimateBackdrop(rgb, width, height);
  const mask = backdropMask(rgb, width, height, colour);
  const to = BACKDROP_RGB[target];
  const out = Buffer.from(rgb);
  for (let p = 0; p < width * height; p++) {
    const a = (mask[p] as number) / 255;
    if (a === 0) continue;
    for (let c = 0; c < 3; c++) out[p * 3 + c] = Math.round((out[p * 3 + c] as number) * (1 - a) + (to[c] as number) * a);
  }
  return out;
}
