import { createHash } from 'node:crypto';

export interface Image {
  width: number;
  height: number;
  /** RGB, 3 bytes per pixel. */
  rgb: Uint8Array;
}

/** Parses a binary PPM (P6, maxval 255), the simplest format a screen grabber (grim -t ppm) writes. */
export function parsePpm(buf: Uint8Array): Image {
  let pos = 0;
  const fields: string[] = [];
  while (fields.length < 4) {
    // Skip whitespace and comments between header fields.
    while (
      pos < buf.length &&
      (buf[pos] === 0x20 || buf[pos] === 0x0a || buf[pos] === 0x0d || buf[pos] === 0x09 || buf[pos] === 0x23)
    ) {
      if (buf[pos] === 0x23) while (pos < buf.length && buf[pos] !== 0x0a) pos++;
      else pos++;
    }
    const start = pos;
    while (pos < buf.length && buf[pos]! > 0x20) pos++;
    if (start === pos) throw new Error('not a PPM image: header ends early');
    fields.push(Buffer.from(buf.subarray(start, pos)).toString('ascii'));
  }
  pos++; // the single whitespace byte before the pixels
  const [magic, w, h, max] = fields as [string, string, string, string];
  const width = Number(w);
  const height = Number(h);
  if (magic !== 'P6' || max !== '255' || !(width > 0) || !(height > 0))
    throw new Error(`not a P6/255 PPM image (${magic} ${w}x${h} max ${max})`);
  const rgb = buf.subarray(pos, pos + width * height * 3);
  if (rgb.length !== width * height * 3) throw new Error('PPM image truncated');
  return { width, height, rgb };
}

/** One colour (allowing 0.5 % stray pixels, e.g. a cursor): a crashed or white page. */
export function isBlank(img: Image): boolean {
  const { rgb } = img;
  const [r, g, b] = [rgb[0], rgb[1], rgb[2]];
  const pixels = rgb.length / 3;
  let other = 0;
  for (let i = 0; i < rgb.length; i += 3) {
    if (rgb[i] !== r || rgb[i + 1] !== g || rgb[i + 2] !== b) {
      other++;
      if (other > pixels * 0.005) return false;
    }
  }
  return true;
}

export type ScreenVerdict = 'blank' | 'frozen' | null;

/**
 * Watches screen captures: blank twice in a row (a page briefly blank while loading is fine), or
 * not a pixel changed although what the agent shows changed in between (`stateKey`: the session
 * screen) — the page no longer renders.
 */
export class ScreenJudge {
  private lastHash: string | null = null;
  private lastKey: string | null = null;
  private blankRun = 0;

  sample(stateKey: string, img: Image): ScreenVerdict {
    const hash = createHash('sha1').update(img.rgb).digest('hex');
    const changedState = this.lastKey !== null && stateKey !== this.lastKey;
    const frozen = changedState && hash === this.lastHash;
    this.blankRun = isBlank(img) ? this.blankRun + 1 : 0;
    this.lastHash = hash;
    this.lastKey = stateKey;
    if (this.blankRun >= 2) return 'blank';
    return frozen ? 'frozen' : null;
  }

  /** After a restart, judge the new page from scratch. */
  reset(): void {
    this.lastHash = this.lastKey = null;
    this.blankRun = 0;
  }
}
