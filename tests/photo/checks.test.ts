/**
 * The photo checks on the simulated camera's scenes (a real face photo, a real detector model):
 * every bad scene is refused with its own hint, the good one passes, and the output meets each
 * spec's size, file-size bounds, head ratios and backdrop colour.
 */
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyseFrame } from '../../apps/agent/src/photo/analyse.js';
import { photoSchema } from '@kiosk/kiosk-config';
import { cropToSpec } from '../../apps/agent/src/photo/crop.js';
import { createFaceDetector, type FaceDetector } from '../../apps/agent/src/photo/detector.js';
import { renderScene, type CameraScene } from '../../apps/simulators/src/camera/scenes.js';

const settings = photoSchema.parse({});
const idcard = settings.specs.find((s) => s.use === 'idcard')!;
const detector = createFaceDetector();
const size = { width: settings.frameWidth, height: settings.frameHeight };

beforeAll(async () => {
  await detector.warmUp();
}, 60_000);

describe('photo checks on the camera scenes', () => {
  const expected: Array<[CameraScene, string]> = [
    ['empty', 'noFace'],
    ['two-people', 'manyFaces'],
    ['off-centre', 'offCentre'],
    ['tilted', 'tilted'],
    ['dark', 'dark'],
    ['blurred', 'blurred'],
  ];
  for (const [scene, hint] of expected) {
    it(`refuses scene ${scene} with hint ${hint}`, async () => {
      const { result } = await analyseFrame(await renderScene(scene, size), idcard, settings, detector);
      expect(result.ok).toBe(false);
      expect(result.hint).toBe(hint);
    });
  }

  it('refuses closed eyes: the real face, its eyelid landmarks moved onto the eye line', async () => {
    // No licensed photo with closed eyes is at hand, so the real detector's output for the real
    // face is changed where a closed eye differs: the four lid points of each eye (37, 38, 40, 41
    // and 43, 44, 46, 47 of the 68) meet the line through its corners.
    const closeLids: FaceDetector = {
      detect: async (rgb, w, h) =>
        (await detector.detect(rgb, w, h)).map((f) => ({
          ...f,
          landmarks: f.landmarks.map((p, i) => {
            const eye = i >= 36 && i < 42 ? 36 : i >= 42 && i < 48 ? 42 : -1;
            if (eye < 0 || i === eye || i === eye + 3) return p;
            const [a, b] = [f.landmarks[eye]!, f.landmarks[eye + 3]!];
            return { x: p.x, y: a.y + ((b.y - a.y) * (p.x - a.x)) / (b.x - a.x) };
          }),
        })),
    };
    const person = await renderScene('person', size);
    const open = await analyseFrame(person, idcard, settings, detector);
    expect(open.result.measures.eyeOpenness).toBeGreaterThan(0.2);
    const { result } = await analyseFrame(person, idcard, settings, closeLids);
    expect(result.ok).toBe(false);
    expect(result.hint).toBe('eyesClosed');
    expect(result.failures).toEqual(['eyesClosed']);
  });

  it('asks a citizen standing too far away to come closer', async () => {
    const { result } = await analyseFrame(await renderScene('person', size, { headShare: 0.19 }), idcard, settings, detector);
    expect(result.hint).toBe('tooFar');
  });

  it('refuses a head-and-shoulders photo in front of a busy background', async () => {
    // The person over a patterned wall instead of the booth's plain backdrop.
    const person = await renderScene('person', size);
    const stripes = Buffer.alloc(size.width * size.height * 3);
    for (let y = 0; y < size.height; y++)
      for (let x = 0; x < size.width; x++)
        stripes.fill(Math.floor(x / 24) % 2 ? 40 : 220, (y * size.width + x) * 3, (y * size.width + x) * 3 + 3);
    const { data: mask } = await sharp(person).removeAlpha().greyscale().raw().toBuffer({ resolveWithObject: true });
    const mixed = Buffer.alloc(stripes.length);
    const raw = await sharp(person).removeAlpha().raw().toBuffer();
    for (let p = 0; p < size.width * size.height; p++) {
      // Backdrop pixels (very light and grey) take the stripes; the person stays.
      const isBackdrop = (mask[p] as number) > 228 && Math.abs((raw[p * 3] as number) - (raw[p * 3 + 2] as number)) < 8;
      for (let c = 0; c < 3; c++) mixed[p * 3 + c] = isBackdrop ? (stripes[p * 3 + c] as number) : (raw[p * 3 + c] as number);
    }
    const jpeg = await sharp(mixed, { raw: { width: size.width, height: size.height, channels: 3 } })
      .jpeg({ quality: 90 })
      .toBuffer();
    const { result } = await analyseFrame(jpeg, idcard, settings, detector);
    expect(result.failures).toContain('backdrop');
  });

  it('passes scene person and crops every spec to its size, file size, head ratios and backdrop', async () => {
    const { result, frame } = await analyseFrame(await renderScene('person', size), idcard, settings, detector);
    expect(result.failures).toEqual([]);
    expect(result.measures.faces).toBe(1);
    expect(Math.abs(result.measures.tiltDeg ?? 99)).toBeLessThanOrEqual(settings.checks.maxTiltDeg);
    for (const spec of settings.specs) {
      const { result: r } = await analyseFrame(await renderScene('person', size), spec, settings, detector);
      expect(r.ok, spec.use).toBe(true);
      expect(r.head!.heightShare).toBeGreaterThanOrEqual(spec.headHeight.min);
      expect(r.head!.heightShare).toBeLessThanOrEqual(spec.headHeight.max);
      expect(r.head!.topShare).toBeGreaterThanOrEqual(spec.headTop.min);
      expect(r.head!.topShare).toBeLessThanOrEqual(spec.headTop.max);
      for (const backdrop of spec.backdrops) {
        const out = await cropToSpec(frame, r.crop!, spec, backdrop);
        const meta = await sharp(out.jpeg).metadata();
        expect([meta.format, meta.width, meta.height], `${spec.use} ${backdrop}`).toEqual(['jpeg', spec.width, spec.height]);
        expect(out.jpeg.length).toBeGreaterThanOrEqual(spec.minBytes);
        expect(out.jpeg.length).toBeLessThanOrEqual(spec.maxBytes);
        // The top corners are backdrop: the chosen colour.
        const { data } = await sharp(out.jpeg)
          .extract({ left: 2, top: 2, width: 8, height: 8 })
          .raw()
          .toBuffer({ resolveWithObject: true });
        const want = { white: [255, 255, 255], blue: [67, 142, 219], red: [255, 0, 0] }[backdrop];
        for (let c = 0; c < 3; c++)
          expect(Math.abs((data[c] as number) - want[c]!), `${spec.use} ${backdrop} channel ${c}`).toBeLessThan(12);
      }
    }
  }, 120_000);

  it('refuses a backdrop colour the spec does not allow', async () => {
    const { result, frame } = await analyseFrame(await renderScene('person', size), idcard, settings, detector);
    await expect(cropToSpec(frame, result.crop!, idcard, 'blue')).rejects.toThrow(/white/);
  });
});
