/**
 * The live preview's oval (framingGuide in apps/agent/src/photo/checks.ts): a head that fills it
 * passes the checks' framing rules (not too far, not too close, crop inside the frame) for every
 * spec in the default config, and the oval follows the spec. The head is given to the same checkFrame the
 * captures go through, as the 68 landmarks a detector would report for it.
 */
import { describe, expect, it } from 'vitest';
import { photoSchema, type PhotoSpec } from '@kiosk/kiosk-config';
import { checkFrame, framingGuide } from '../../apps/agent/src/photo/checks.js';
import type { DetectedFace } from '../../apps/agent/src/photo/detector.js';

const settings = photoSchema.parse({});
const W = settings.frameWidth;
const H = settings.frameHeight;
/** A plain light frame: the framing rules do not look at pixels. */
const frame = { rgb: new Uint8Array(W * H * 3).fill(190), width: W, height: H };

/** Landmarks of an upright head, crown to chin `top`..`top + height`, centred at `cx` (frame pixels). */
function headAt(cx: number, top: number, height: number): DetectedFace {
  // The checks take the eye line at 1 / 2.25 of the head above the chin (crown factor 1.25).
  const chinY = top + height;
  const eyeY = chinY - height / 2.25;
  const eyeGap = height * 0.22;
  const eyeW = height * 0.1;
  const eye = (x: number) => [
    { x: x - eyeW / 2, y: eyeY },
    { x: x - eyeW / 6, y: eyeY - eyeW * 0.15 },
    { x: x + eyeW / 6, y: eyeY - eyeW * 0.15 },
    { x: x + eyeW / 2, y: eyeY },
    { x: x + eyeW / 6, y: eyeY + eyeW * 0.15 },
    { x: x - eyeW / 6, y: eyeY + eyeW * 0.15 },
  ];
  const landmarks = Array.from({ length: 68 }, () => ({ x: cx, y: eyeY + height * 0.2 }));
  landmarks[8] = { x: cx, y: chinY };
  landmarks.splice(36, 12, ...eye(cx - eyeGap), ...eye(cx + eyeGap));
  const faceH = height * 0.7;
  return { score: 0.9, box: { x: cx - faceH * 0.4, y: chinY - faceH, width: faceH * 0.8, height: faceH }, landmarks };
}

const framingFailures = ['tooFar', 'tooClose', 'offCentre'];

function inGuide(spec: PhotoSpec, scale = 1) {
  const g = framingGuide(spec, W, H);
  const height = g.height * H * scale;
  const top = g.top * H + (g.height * H - height) / 2;
  return checkFrame(frame, [headAt(W / 2, top, height)], spec, settings.checks);
}

describe('the framing guide', () => {
  for (const spec of settings.specs) {
    it(`a head filling the ${spec.use} oval passes the framing checks, and the oval lies inside the frame`, () => {
      const r = inGuide(spec);
      expect(r.failures.filter((f) => framingFailures.includes(f))).toEqual([]);
      expect(r.crop).not.toBeNull();
      const g = framingGuide(spec, W, H);
      for (const v of [g.left, g.top, g.left + g.width, g.top + g.height]) {
        expect(v).toBeGreaterThan(0);
        expect(v).toBeLessThan(1);
      }
    });
  }

  it('a head far smaller than the oval is told to come closer, and one far larger to step back', () => {
    const idcard = settings.specs.find((s) => s.use === 'idcard')!;
    expect(inGuide(idcard, 0.4).failures).toContain('tooFar');
    expect(inGuide(idcard, 1.9).failures).toContain('tooClose');
  });

  it('follows the spec: the narrow 驾驶证 crop fills the frame height, the wide 身份证 one only the frame width', () => {
    const spec = (use: string) => settings.specs.find((s) => s.use === use)!;
    const idcard = framingGuide(spec('idcard'), W, H);
    const driving = framingGuide(spec('driving'), W, H);
    // 260×378 is narrower than the 3:4 frame, 358×441 wider: the 身份证 crop is held by the frame's width.
    expect(driving.height).toBeGreaterThan(idcard.height);
  });
});
