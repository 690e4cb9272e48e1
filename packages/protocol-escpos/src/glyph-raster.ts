import { monoImage, setPixel, type MonoImage } from './image.js';

/**
 * Fills a glyph outline into a 1-bit image. Pure: path commands in (font units, y up, as fontkit
 * gives them), dots out. Non-zero winding, 4×4 samples per dot, a dot is black when at least
 * `threshold` of its samples are inside — thin strokes of a 24-dot glyph survive, as on paper.
 */

/** Draws characters the printer font lacks (implemented from a font file in font.ts). */
export interface GlyphSource {
  /** `ch` drawn in a `width` × `height` dot box, or undefined when the font has no glyph for it. */
  glyph(ch: string, width: number, height: number): MonoImage | undefined;
  /** For logs and errors: which font. */
  readonly description: string;
}

export interface PathCommand {
  command: string;
  args: number[];
}

export interface GlyphBox {
  /** Font units per em. */
  unitsPerEm: number;
  /** Top of the em box in font units (Noto CJK: 880, the ideographic ascender). */
  top: number;
  /** Advance width of the glyph in font units: it is centred in the box. */
  advance: number;
}

const SAMPLES = 4;

type Seg = [number, number, number, number];

function flatten(commands: readonly PathCommand[], map: (x: number, y: number) => [number, number]): Seg[] {
  const segs: Seg[] = [];
  let [cx, cy] = [0, 0];
  let [sx, sy] = [0, 0];
  const line = (x: number, y: number): void => {
    if (cy !== y) segs.push([cx, cy, x, y]);
    [cx, cy] = [x, y];
  };
  for (const { command, args: a } of commands) {
    switch (command) {
      case 'moveTo':
        if (cx !== sx || cy !== sy) line(sx, sy);
        [cx, cy] = map(a[0]!, a[1]!);
        [sx, sy] = [cx, cy];
        break;
      case 'lineTo': {
        const [x, y] = map(a[0]!, a[1]!);
        line(x, y);
        break;
      }
      case 'quadraticCurveTo': {
        const [x1, y1] = map(a[0]!, a[1]!);
        const [x2, y2] = map(a[2]!, a[3]!);
        const [x0, y0] = [cx, cy];
        for (let i = 1; i <= 8; i++) {
          const t = i / 8;
          const u = 1 - t;
          line(u * u * x0 + 2 * u * t * x1 + t * t * x2, u * u * y0 + 2 * u * t * y1 + t * t * y2);
        }
        break;
      }
      case 'bezierCurveTo': {
        const [x1, y1] = map(a[0]!, a[1]!);
        const [x2, y2] = map(a[2]!, a[3]!);
        const [x3, y3] = map(a[4]!, a[5]!);
        const [x0, y0] = [cx, cy];
        for (let i = 1; i <= 12; i++) {
          const t = i / 12;
          const u = 1 - t;
          line(
            u * u * u * x0 + 3 * u * u * t * x1 + 3 * u * t * t * x2 + t * t * t * x3,
            u * u * u * y0 + 3 * u * u * t * y1 + 3 * u * t * t * y2 + t * t * t * y3,
          );
        }
        break;
      }
      case 'closePath':
        line(sx, sy);
        break;
      default:
        throw new Error(`unknown path command ${command}`);
    }
  }
  if (cx !== sx || cy !== sy) line(sx, sy);
  return segs;
}

/** Draws the outline into a `width` × `height` dot box (the full em square, stretched to it). */
export function rasterizeGlyph(
  commands: readonly PathCommand[],
  box: GlyphBox,
  width: number,
  height: number,
  threshold = 0.3,
): MonoImage {
  const img = monoImage(width, height);
  const kx = width / box.unitsPerEm;
  const ky = height / box.unitsPerEm;
  const dx = (box.unitsPerEm - box.advance) / 2;
  const segs = flatten(commands, (x, y) => [(x + dx) * kx, (box.top - y) * ky]);
  const hits = new Uint16Array(width * height);
  const xs: { x: number; dir: number }[] = [];
  for (let row = 0; row < height * SAMPLES; row++) {
    const y = (row + 0.5) / SAMPLES;
    xs.length = 0;
    for (const [x0, y0, x1, y1] of segs) {
      if ((y0 <= y && y1 > y) || (y1 <= y && y0 > y))
        xs.push({ x: x0 + ((y - y0) / (y1 - y0)) * (x1 - x0), dir: y1 > y0 ? 1 : -1 });
    }
    if (xs.length < 2) continue;
    xs.sort((a, b) => a.x - b.x);
    const py = Math.floor(row / SAMPLES);
    let winding = 0;
    for (let i = 0; i < xs.length - 1; i++) {
      winding += xs[i]!.dir;
      if (winding === 0) continue;
      // Sample columns whose centre lies in [xa, xb).
      const first = Math.max(0, Math.ceil(xs[i]!.x * SAMPLES - 0.5));
      const last = Math.min(width * SAMPLES - 1, Math.ceil(xs[i + 1]!.x * SAMPLES - 0.5) - 1);
      for (let c = first; c <= last; c++) hits[py * width + Math.floor(c / SAMPLES)]!++;
    }
  }
  const need = Math.max(1, Math.round(threshold * SAMPLES * SAMPLES));
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if (hits[y * width + x]! >= need) setPixel(img, x, y);
  return img;
}
