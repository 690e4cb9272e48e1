/**
 * One captured frame through the checks: decode, detect on a half-size copy (the detector's input
 * is 416 px anyway; halving the conversion work keeps a frame near the 300 ms goal on 2 cores),
 * scale the faces back, check against the chosen spec.
 */
import sharp from 'sharp';
import { checkFrame, type PhotoCheckResult } from './checks.js';
import type { PhotoSettings, PhotoSpec } from '@kiosk/kiosk-config';
import { decodeRgb } from './crop.js';
import type { DetectedFace, FaceDetector } from './detector.js';

export interface AnalysedFrame {
  result: PhotoCheckResult;
  frame: { rgb: Buffer; width: number; height: number };
}

const DETECT_MAX_SIDE = 480;

export async function analyseFrame(
  jpeg: Buffer,
  spec: PhotoSpec,
  settings: PhotoSettings,
  detector: FaceDetector,
): Promise<AnalysedFrame> {
  const frame = await decodeRgb(jpeg);
  const scale = Math.min(1, DETECT_MAX_SIDE / Math.max(frame.width, frame.height));
  let faces: DetectedFace[];
  if (scale < 1) {
    const w = Math.round(frame.width * scale);
    const h = Math.round(frame.height * scale);
    const small = await sharp(frame.rgb, { raw: { width: frame.width, height: frame.height, channels: 3 } })
      .resize(w, h)
      .raw()
      .toBuffer();
    const k = frame.width / w;
    faces = (await detector.detect(small, w, h)).map((f) => ({
      score: f.score,
      box: { x: f.box.x * k, y: f.box.y * k, width: f.box.width * k, height: f.box.height * k },
      landmarks: f.landmarks.map((p) => ({ x: p.x * k, y: p.y * k })),
    }));
  } else {
    faces = await detector.detect(frame.rgb, frame.width, frame.height);
  }
  return { result: checkFrame(frame, faces, spec, settings.checks), frame };
}
