import { DLE, isRealtimeSequence, rasterBand, type RasterScale } from './commands.js';

/**
 * A 1-bit image as GS v 0 wants it: rows of ceil(width/8) bytes, most significant bit = left-most
 * dot, 1 = black.
 */
export interface MonoImage {
  width: number;
  height: number;
  data: Uint8Array;
}

export const bytesPerRow = (width: number): number => Math.ceil(width / 8);

export function monoImage(width: number, height: number, data?: Uint8Array): MonoImage {
  if (!Number.isInteger(width) || width < 1 || !Number.isInteger(height) || height < 1) {
    throw new RangeError(`image size must be positive integers, got ${width}×${height}`);
  }
  const len = bytesPerRow(width) * height;
  if (data && data.length !== len) throw new RangeError(`image data is ${data.length} bytes, ${width}×${height} needs ${len}`);
  return { width, height, data: data ?? new Uint8Array(len) };
}

export function getPixel(img: MonoImage, x: number, y: number): boolean {
  const b = img.data[y * bytesPerRow(img.width) + (x >> 3)] ?? 0;
  return (b & (0x80 >> (x & 7))) !== 0;
}

export function setPixel(img: MonoImage, x: number, y: number, black = true): void {
  const i = y * bytesPerRow(img.width) + (x >> 3);
  const mask = 0x80 >> (x & 7);
  img.data[i] = black ? img.data[i]! | mask : img.data[i]! & ~mask;
}

/** From text art: one string per row, `black` characters are dots. Handy for tests and small icons. */
export function imageFromRows(rows: readonly string[], black = '#'): MonoImage {
  const width = Math.max(...rows.map((r) => r.length));
  const img = monoImage(width, rows.length);
  rows.forEach((r, y) => {
    for (let x = 0; x < r.length; x++) if (r[x] === black) setPixel(img, x, y);
  });
  return img;
}

/** From 8-bit grey (0 = black, 255 = white), one byte per pixel, thresholded. */
export function imageFromGray(width: number, height: number, gray: Uint8Array, threshold = 128): MonoImage {
  if (gray.length !== width * height)
    throw new RangeError(`grey data is ${gray.length} bytes, ${width}×${height} needs ${width * height}`);
  const img = monoImage(width, height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if (gray[y * width + x]! < threshold) setPixel(img, x, y);
  return img;
}

/** From RGBA (4 bytes per pixel); transparent pixels are white. */
export function imageFromRgba(width: number, height: number, rgba: Uint8Array, threshold = 128): MonoImage {
  if (rgba.length !== width * height * 4)
    throw new RangeError(`RGBA data is ${rgba.length} bytes, ${width}×${height} needs ${width * height * 4}`);
  const gray = new Uint8Array(width * height);
  for (let i = 0; i < gray.length; i++) {
    const a = rgba[i * 4 + 3]! / 255;
    const lum = 0.299 * rgba[i * 4]! + 0.587 * rgba[i * 4 + 1]! + 0.114 * rgba[i * 4 + 2]!;
    gray[i] = Math.round(lum * a + 255 * (1 - a));
  }
  return imageFromGray(width, height, gray, threshold);
}

/** Nearest-neighbour downscale so the image is at most `maxWidth` dots wide (keeps aspect). */
export function fitWidth(img: MonoImage, maxWidth: number): MonoImage {
  if (img.width <= maxWidth) return img;
  const f = maxWidth / img.width;
  const w = maxWidth;
  const h = Math.max(1, Math.round(img.height * f));
  const out = monoImage(w, h);
  for (let y = 0; y < h; y++) {
    const sy = Math.min(img.height - 1, Math.floor(y / f));
    for (let x = 0; x < w; x++) if (getPixel(img, Math.min(img.width - 1, Math.floor(x / f)), sy)) setPixel(out, x, y);
  }
  return out;
}

/**
 * Raster data can by chance contain `10 04 n` (or `10 05 n`, `10 14 n`), which a printer executes
 * as a real-time command wherever it appears — an unsolicited status byte at best, a buffer clear
 * or power-off at worst. Breaks every such sequence by adding one dot next to the lone DLE dot
 * (0x10 → 0x18); invisible on a logo. Returns how many bytes were changed.
 */
export function sanitizeRaster(data: Uint8Array): number {
  let changed = 0;
  let i = data.indexOf(DLE);
  while (i >= 0 && i < data.length - 2) {
    if (isRealtimeSequence(data[i]!, data[i + 1], data[i + 2])) {
      data[i] = 0x18;
      changed++;
    }
    i = data.indexOf(DLE, i + 1);
  }
  return changed;
}

/** Default band height: <= 255 rows keeps yH = 0 (some clones limit yH) and bands small. */
export const DEFAULT_BAND_ROWS = 24;

/**
 * The image as GS v 0 commands of at most `bandRows` rows each; sending tall logos in bands is
 * what clones with small buffers need, and it gives the driver command boundaries to pace on.
 */
export function rasterBands(img: MonoImage, bandRows = DEFAULT_BAND_ROWS, scale: RasterScale = 'normal'): Uint8Array[] {
  if (!Number.isInteger(bandRows) || bandRows < 1 || bandRows > 255)
    throw new RangeError(`band rows must be 1..255, got ${bandRows}`);
  const bpr = bytesPerRow(img.width);
  const bands: Uint8Array[] = [];
  for (let y = 0; y < img.height; y += bandRows) {
    const rows = Math.min(bandRows, img.height - y);
    const data = img.data.slice(y * bpr, (y + rows) * bpr);
    sanitizeRaster(data);
    bands.push(rasterBand(bpr, rows, data, scale));
  }
  return bands;
}

/**
 * A 24-row image as ESC * 33 column data (3 bytes per column, MSB = top), sanitised like raster
 * data so it never contains a real-time command sequence.
 */
export function columnData24(img: MonoImage): Uint8Array {
  if (img.height !== 24) throw new RangeError(`ESC * 33 images are 24 dots tall, got ${img.height}`);
  const out = new Uint8Array(img.width * 3);
  for (let x = 0; x < img.width; x++) {
    for (let y = 0; y < 24; y++) if (getPixel(img, x, y)) out[x * 3 + (y >> 3)]! |= 0x80 >> (y & 7);
  }
  sanitizeRaster(out);
  return out;
}
