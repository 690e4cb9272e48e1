/**
 * The simulated camera's scenes: a real face photo (assets/astronaut.jpg: NASA portrait of Eileen
 * Collins, public domain; see assets/SOURCE.md) cut out along a hand-traced outline and composited
 * over a plain light backdrop, as a kiosk's photo booth would see a citizen, with the defects each
 * scene names applied by a real image library (sharp).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp, { type OverlayOptions, type Sharp } from 'sharp';

export const CAMERA_SCENES = ['person', 'empty', 'two-people', 'off-centre', 'tilted', 'dark', 'blurred'] as const;
export type CameraScene = (typeof CAMERA_SCENES)[number];

/** Backdrop of the booth: light, slightly warm grey, as a lit white wall photographs. */
const BACKDROP = { r: 236, g: 236, b: 232 };

/** Outline of the person in the 512×512 source (head and hair ellipse + collar and suit). */
const OUTLINE = `<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512">
  <ellipse cx="226" cy="100" rx="72" ry="87" fill="#fff"/>
  <path d="M190 160 L262 160 L300 168 L312 196 L330 250 L352 292 L364 512 L22 512 L22 300 L58 262 L110 236 L116 196 L150 168 Z" fill="#fff"/>
</svg>`;

const here = dirname(fileURLToPath(import.meta.url));
/** Bundled (dist/simulators.mjs) or from source: the asset sits beside the source file. */
function assetPath(): string {
  for (const p of [join(here, 'assets/astronaut.jpg'), join(here, '../apps/simulators/src/camera/assets/astronaut.jpg')]) {
    try {
      readFileSync(p, { flag: 'r' });
      return p;
    } catch {
      /* try the next */
    }
  }
  throw new Error('camera simulator: assets/astronaut.jpg not found');
}

let cutoutCache: Promise<Buffer> | undefined;
/** The person with an alpha channel: soft-edged mask from the outline. */
function personCutout(): Promise<Buffer> {
  cutoutCache ??= (async () => {
    // The outline's alpha channel is the mask; blurred a little so the edge is soft like a real one.
    const mask = await sharp(await sharp(Buffer.from(OUTLINE)).resize(512, 512).extractChannel(3).png().toBuffer())
      .blur(2)
      .extractChannel(0)
      .raw()
      .toBuffer();
    const rgb = await sharp(readFileSync(assetPath())).removeAlpha().raw().toBuffer();
    const rgba = Buffer.alloc(512 * 512 * 4);
    for (let i = 0; i < 512 * 512; i++) {
      rgba[i * 4] = rgb[i * 3] as number;
      rgba[i * 4 + 1] = rgb[i * 3 + 1] as number;
      rgba[i * 4 + 2] = rgb[i * 3 + 2] as number;
      rgba[i * 4 + 3] = mask[i] as number;
    }
    return sharp(rgba, { raw: { width: 512, height: 512, channels: 4 } })
      .png()
      .toBuffer();
  })();
  return cutoutCache;
}

export interface SceneOptions {
  width: number;
  height: number;
  /** Head height (crown to chin) as a share of the frame height; default 0.42 (a citizen at the booth's mark). */
  headShare?: number;
  /** Horizontal position of the face centre as a share of the width; default 0.5. */
  centreX?: number;
  /** Rotation of the person in degrees (clockwise), on top of the levelling of the source portrait. */
  rotateDeg?: number;
}

/** Crown-to-chin height of the head in the source, and the face centre. */
const SRC_HEAD = 172;
const SRC_FACE = { x: 226, y: 112 };
const SRC_CROWN_Y = 12;
/** The portrait's head leans ~4.5° (eye line); the booth's "person" stands level. */
const SRC_LEVEL_DEG = -4.5;

async function placed(o: Required<SceneOptions>): Promise<OverlayOptions> {
  const scale = (o.headShare * o.height) / SRC_HEAD;
  const size = Math.round(512 * scale);
  let person = sharp(await personCutout()).resize(size, size);
  let img = await person.png().toBuffer();
  let offX = 0;
  let offY = 0;
  const rotate = o.rotateDeg + SRC_LEVEL_DEG;
  if (rotate !== 0) {
    person = sharp(img).rotate(rotate, { background: { r: 0, g: 0, b: 0, alpha: 0 } });
    const { data, info } = await person.png().toBuffer({ resolveWithObject: true });
    img = data;
    offX = (info.width - size) / 2;
    offY = (info.height - size) / 2;
  }
  const left = Math.round(o.centreX * o.width - SRC_FACE.x * scale - offX);
  // The crown sits a tenth of the frame below the top edge.
  const top = Math.round(0.1 * o.height - SRC_CROWN_Y * scale - offY);
  return { input: await cropToFrame(img, left, top, o.width, o.height), left: Math.max(0, left), top: Math.max(0, top) };
}

/** sharp refuses overlays that stick out of the base image: cut the part inside the frame. */
async function cropToFrame(img: Buffer, left: number, top: number, width: number, height: number): Promise<Buffer> {
  const meta = await sharp(img).metadata();
  const w = meta.width ?? 0;
  const h = meta.height ?? 0;
  const x0 = Math.max(0, -left);
  const y0 = Math.max(0, -top);
  const x1 = Math.min(w, width - left);
  const y1 = Math.min(h, height - top);
  return sharp(img)
    .extract({ left: x0, top: y0, width: Math.max(1, x1 - x0), height: Math.max(1, y1 - y0) })
    .png()
    .toBuffer();
}

function backdrop(width: number, height: number): Sharp {
  return sharp({ create: { width, height, channels: 3, background: BACKDROP } });
}

/** One frame of a scene as a JPEG. */
export async function renderScene(
  scene: CameraScene,
  size: { width: number; height: number },
  extra: Partial<SceneOptions> = {},
): Promise<Buffer> {
  const base: Required<SceneOptions> = {
    width: size.width,
    height: size.height,
    headShare: 0.42,
    centreX: 0.5,
    rotateDeg: 0,
    ...extra,
  };
  const layers: OverlayOptions[] = [];
  switch (scene) {
    case 'empty':
      break;
    case 'two-people':
      layers.push(
        await placed({ ...base, headShare: base.headShare * 0.8, centreX: 0.27 }),
        await placed({ ...base, headShare: base.headShare * 0.8, centreX: 0.73 }),
      );
      break;
    case 'off-centre':
      layers.push(await placed({ ...base, centreX: 0.2 }));
      break;
    case 'tilted':
      layers.push(await placed({ ...base, rotateDeg: 10 }));
      break;
    default:
      layers.push(await placed(base));
  }
  let frame = backdrop(size.width, size.height).composite(layers);
  // Flatten the composite before the defects, so they apply to the whole picture as a camera sees it.
  const flat = await frame.jpeg({ quality: 95 }).toBuffer();
  frame = sharp(flat);
  if (scene === 'dark') frame = frame.linear(0.22, 0);
  if (scene === 'blurred') frame = frame.blur(7);
  return frame.jpeg({ quality: 90 }).toBuffer();
}
