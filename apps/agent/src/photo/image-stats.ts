/**
 * Pure pixel statistics for the photo checks (no I/O): luma plane, mean and spread of a region,
 * sharpness as the variance of the Laplacian (Pech-Pacheco et al. 2000).
 */

export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** ITU-R BT.601 luma of packed RGB. */
export function lumaPlane(rgb: Uint8Array, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height);
  for (let i = 0, j = 0; i < out.length; i++, j += 3) {
    out[i] = (299 * (rgb[j] as number) + 587 * (rgb[j + 1] as number) + 114 * (rgb[j + 2] as number)) / 1000;
  }
  return out;
}

/** The part of `r` inside a width×height image, with integer edges. */
export function clampRect(r: Rect, width: number, height: number): Rect {
  const left = Math.max(0, Math.floor(r.left));
  const top = Math.max(0, Math.floor(r.top));
  const right = Math.min(width, Math.ceil(r.left + r.width));
  const bottom = Math.min(height, Math.ceil(r.top + r.height));
  return { left, top, width: Math.max(0, right - left), height: Math.max(0, bottom - top) };
}

export function meanStd(luma: Uint8Array, width: number, height: number, rect: Rect): { mean: number; std: number; n: number } {
  const r = clampRect(rect, width, height);
  let sum = 0;
  let sq = 0;
  for (let y = r.top; y < r.top + r.height; y++) {
    for (let x = r.left; x < r.left + r.width; x++) {
      const v = luma[y * width + x] as number;
      sum += v;
      sq += v * v;
    }
  }
  const n = r.width * r.height;
  if (n === 0) return { mean: 0, std: 0, n: 0 };
  const mean = sum / n;
  return { mean, std: Math.sqrt(Math.max(0, sq / n - mean * mean)), n };
}

/** Variance of the 4-neighbour Laplacian inside `rect` (border pixels of the image skipped). */
export function laplacianVariance(luma: Uint8Array, width: number, height: number, rect: Rect): number {
  const r = clampRect(rect, width, height);
  const x0 = Math.max(1, r.left);
  const y0 = Math.max(1, r.top);
  const x1 = Math.min(width - 1, r.left + r.width);
  const y1 = Math.min(height - 1, r.top + r.height);
  let sum = 0;
  let sq = 0;
  let n = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = y * width + x;
      const v =
        (luma[i - 1] as number) +
        (luma[i + 1] as number) +
        (luma[i - width] as number) +
        (luma[i + width] as number) -
        4 * (luma[i] as number);
      sum += v;
      sq += v * v;
      n++;
    }
  }
  if (n === 0) return 0;
  const mean = sum / n;
  return sq / n - mean * mean;
}
