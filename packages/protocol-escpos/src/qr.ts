import QRCode from 'qrcode';
import type { QrErrorLevel } from './commands.js';
import { monoImage, setPixel, type MonoImage } from './image.js';

/**
 * Byte-mode capacity of QR versions 1..40 per error level (ISO/IEC 18004 table 7). Used to size
 * native QR codes without running a QR encoder: the printer may pick a denser mode, so this is an
 * upper bound on the symbol size, which is the safe side for "does it fit the paper".
 */
const byteCapacity: Record<QrErrorLevel, readonly number[]> = {
  L: [
    17, 32, 53, 78, 106, 134, 154, 192, 230, 271, 321, 367, 425, 458, 520, 586, 644, 718, 792, 858, 929, 1003, 1091, 1171, 1273,
    1367, 1465, 1528, 1628, 1732, 1840, 1952, 2068, 2188, 2303, 2431, 2563, 2699, 2809, 2953,
  ],
  M: [
    14, 26, 42, 62, 84, 106, 122, 152, 180, 213, 251, 287, 331, 362, 412, 450, 504, 560, 624, 666, 711, 779, 857, 911, 997, 1059,
    1125, 1190, 1264, 1370, 1452, 1538, 1628, 1722, 1809, 1911, 1989, 2099, 2213, 2331,
  ],
  Q: [
    11, 20, 32, 46, 60, 74, 86, 108, 130, 151, 177, 203, 241, 258, 292, 322, 364, 394, 442, 482, 509, 565, 611, 661, 715, 751,
    805, 868, 908, 982, 1030, 1112, 1168, 1228, 1283, 1351, 1423, 1499, 1579, 1663,
  ],
  H: [
    7, 14, 24, 34, 44, 58, 64, 84, 98, 119, 137, 155, 177, 194, 220, 250, 280, 310, 338, 382, 403, 439, 461, 511, 535, 593, 625,
    658, 698, 742, 790, 842, 898, 958, 983, 1051, 1093, 1139, 1219, 1273,
  ],
};

/** Smallest QR version that holds `bytes` bytes in byte mode, or undefined when none does. */
export function qrVersionFor(bytes: number, level: QrErrorLevel): number | undefined {
  const caps = byteCapacity[level];
  for (let v = 0; v < caps.length; v++) if (bytes <= caps[v]!) return v + 1;
  return undefined;
}

/** Modules per side of a version (without quiet zone). */
export const qrModules = (version: number): number => 17 + 4 * version;

/** QR quiet zone in modules per side (the standard asks for 4). */
export const QR_QUIET_MODULES = 4;

/**
 * Module size in dots for a symbol to fit `maxDots` (quiet zone included), capped at `preferred`.
 * Returns 0 when even 1-dot modules do not fit.
 */
export function qrModuleDotsToFit(modules: number, maxDots: number, preferred: number): number {
  return Math.max(0, Math.min(preferred, Math.floor(maxDots / (modules + 2 * QR_QUIET_MODULES))));
}

/** The QR symbol as a raster image (no quiet zone: the paper margin is white anyway). */
export function qrImage(data: Uint8Array, level: QrErrorLevel, moduleDots: number): MonoImage {
  // A byte segment keeps UTF-8 as is; qrcode would otherwise re-encode strings by its own rules.
  const qr = QRCode.create([{ data, mode: 'byte' }], { errorCorrectionLevel: level });
  const n = qr.modules.size;
  const img = monoImage(n * moduleDots, n * moduleDots);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      if (!qr.modules.get(r, c)) continue;
      for (let dy = 0; dy < moduleDots; dy++)
        for (let dx = 0; dx < moduleDots; dx++) setPixel(img, c * moduleDots + dx, r * moduleDots + dy);
    }
  }
  return img;
}
