/**
 * The automatic checks of a captured frame (pure: pixels and the detector's faces in, verdict out).
 * Each failure names what the citizen should do; the first one is the hint the screen shows and the
 * voice says. The same geometry gives the crop box that puts the head where the spec wants it.
 */
import type { PhotoSpec, PhotoSettings } from '@kiosk/kiosk-config';
import type { DetectedFace, Point } from './detector.js';
import { laplacianVariance, lumaPlane, meanStd, type Rect } from './image-stats.js';

/** In the order they are checked; the UI's hint keys are `photo.hint.<code>`. */
const PHOTO_CHECK_CODES = [
  'dark',
  'bright',
  'noFace',
  'manyFaces',
  'tilted',
  'eyesClosed',
  'tooFar',
  'tooClose',
  'offCentre',
  'blurred',
  'backdrop',
] as const;
export type PhotoCheckCode = (typeof PHOTO_CHECK_CODES)[number];

interface PhotoMeasures {
  frameLuma: number;
  faces: number;
  faceLuma?: number;
  tiltDeg?: number;
  eyeOpenness?: number;
  /** Head (crown to chin) height as a share of the frame height. */
  headShareOfFrame?: number;
  sharpness?: number;
  backdropLuma?: number;
  backdropStd?: number;
}

export interface PhotoCheckResult {
  ok: boolean;
  failures: PhotoCheckCode[];
  /** The first failure: what the citizen is told. */
  hint: PhotoCheckCode | null;
  /** Crop box in frame pixels that puts the head at the spec's ratios (null without one face). */
  crop: Rect | null;
  /** Head in the crop: height share and top gap share, for the spec's ratios. */
  head: { heightShare: number; topShare: number } | null;
  measures: PhotoMeasures;
}

export interface Frame {
  rgb: Uint8Array;
  width: number;
  height: number;
}

/**
 * The crown is not a landmark: it is estimated from the eye line and the chin. On adult faces the
 * eye line sits near the middle of the head (crown to chin); hair adds a little above.
 */
const CROWN_FACTOR = 1.25;
/** A face smaller than this share of the frame is too far for a sharp photo at the spec's size. */
const MIN_HEAD_SHARE = 0.22;
/** The crop may be scaled up at most 1/0.75 to the spec's size; beyond that the photo gets soft. */
const MIN_SCALE = 0.75;
/** Eye aspect ratio below this: eyes closed (Soukupová & Čech 2016 use ~0.2 on full landmarks). */
const MIN_EYE_OPENNESS = 0.12;
/** Luma spread above which the middle of the frame holds something other than plain backdrop. */
const SOMETHING_THERE_STD = 20;

const centre = (pts: Point[]): Point => ({
  x: pts.reduce((s, p) => s + p.x, 0) / pts.length,
  y: pts.reduce((s, p) => s + p.y, 0) / pts.length,
});
const dist = (a: Point, b: Point): number => Math.hypot(a.x - b.x, a.y - b.y);

/** Eye aspect ratio of the six points of one eye (36–41 or 42–47). */
function eyeAspect(p: Point[]): number {
  const [p0, p1, p2, p3, p4, p5] = p as [Point, Point, Point, Point, Point, Point];
  const w = dist(p0, p3);
  return w === 0 ? 0 : (dist(p1, p5) + dist(p2, p4)) / (2 * w);
}

interface FaceGeometry {
  leftEye: Point;
  rightEye: Point;
  tiltDeg: number;
  eyeOpenness: number;
  crownY: number;
  chinY: number;
  centreX: number;
}

function faceGeometry(face: DetectedFace): FaceGeometry {
  const lm = face.landmarks;
  const leftEye = centre(lm.slice(36, 42));
  const rightEye = centre(lm.slice(42, 48));
  const tiltDeg = (Math.atan2(rightEye.y - leftEye.y, rightEye.x - leftEye.x) * 180) / Math.PI;
  const eyeY = (leftEye.y + rightEye.y) / 2;
  const chinY = (lm[8] as Point).y;
  const crownY = eyeY - CROWN_FACTOR * (chinY - eyeY);
  return {
    leftEye,
    rightEye,
    tiltDeg,
    eyeOpenness: Math.min(eyeAspect(lm.slice(36, 42)), eyeAspect(lm.slice(42, 48))),
    crownY,
    chinY,
    centreX: (leftEye.x + rightEye.x) / 2,
  };
}

/** The crop box that puts this head at the middle of the spec's ratios. */
function cropFor(g: FaceGeometry, spec: PhotoSpec): Rect {
  const headHeight = g.chinY - g.crownY;
  const share = (spec.headHeight.min + spec.headHeight.max) / 2;
  const topShare = (spec.headTop.min + spec.headTop.max) / 2;
  const height = headHeight / share;
  const width = (height * spec.width) / spec.height;
  return { left: g.centreX - width / 2, top: g.crownY - topShare * height, width, height };
}

/**
 * The guide's crop: this share of the largest spec-shaped crop that fits the frame (a head near the
 * middle of the sizes the checks accept, room to move before offCentre), placed with this share of
 * the spare height above it — a booth camera sees the head high and the shoulders below.
 */
const GUIDE_CROP_SHARE = 0.6;
const GUIDE_TOP_SLACK = 0.2;
/** Head width over head height (crown to chin, hair included), for the guide's oval. */
const HEAD_ASPECT = 0.72;

/**
 * Where the live preview's oval goes for a spec, as shares of the camera frame: a head that fills
 * it sits at the middle of the spec's head ratios in a crop that fits the frame with room to spare,
 * so the checks below pass it for framing. The crop's shape differs per spec (驾驶证 is narrower
 * than 身份证), and so does the oval.
 */
export function framingGuide(spec: PhotoSpec, frameWidth: number, frameHeight: number): Rect {
  const aspect = spec.width / spec.height;
  const cropHeight = Math.min(frameHeight, frameWidth / aspect) * GUIDE_CROP_SHARE;
  const cropTop = (frameHeight - cropHeight) * GUIDE_TOP_SLACK;
  const headHeight = ((spec.headHeight.min + spec.headHeight.max) / 2) * cropHeight;
  const headTop = cropTop + ((spec.headTop.min + spec.headTop.max) / 2) * cropHeight;
  const headWidth = headHeight * HEAD_ASPECT;
  return {
    left: (frameWidth - headWidth) / 2 / frameWidth,
    top: headTop / frameHeight,
    width: headWidth / frameWidth,
    height: headHeight / frameHeight,
  };
}

export function checkFrame(
  frame: Frame,
  faces: DetectedFace[],
  spec: PhotoSpec,
  settings: PhotoSettings['checks'],
): PhotoCheckResult {
  const { width, height } = frame;
  const luma = lumaPlane(frame.rgb, width, height);
  const failures: PhotoCheckCode[] = [];
  const whole = meanStd(luma, width, height, { left: 0, top: 0, width, height });
  const measures: PhotoMeasures = { frameLuma: whole.mean, faces: 0 };
  const done = (crop: Rect | null = null, head: PhotoCheckResult['head'] = null): PhotoCheckResult => ({
    ok: failures.length === 0,
    failures,
    hint: failures[0] ?? null,
    crop,
    head,
    measures,
  });

  // A frame this dark hides faces from any detector: say so before "nobody there".
  if (whole.mean < settings.minLuma * 0.8) failures.push('dark');
  const counted = faces.filter((f) => f.score >= settings.minFaceScore);
  measures.faces = counted.length;
  if (counted.length === 0) {
    if (failures.length === 0) {
      // Something is there (the middle of the picture is not plain backdrop) but no face is found
      // and nothing in it is sharp: the citizen moved or is out of focus, not absent.
      const middle: Rect = { left: width * 0.2, top: height * 0.1, width: width * 0.6, height: height * 0.8 };
      const spread = meanStd(luma, width, height, middle).std;
      measures.sharpness = laplacianVariance(luma, width, height, middle);
      failures.push(spread > SOMETHING_THERE_STD && measures.sharpness < settings.minSharpness ? 'blurred' : 'noFace');
    }
    return done();
  }
  if (counted.length > 1) {
    failures.push('manyFaces');
    return done();
  }
  const face = counted[0] as DetectedFace;
  const faceRect: Rect = { left: face.box.x, top: face.box.y, width: face.box.width, height: face.box.height };
  const faceStats = meanStd(luma, width, height, faceRect);
  measures.faceLuma = faceStats.mean;
  if (!failures.includes('dark') && faceStats.mean < settings.minLuma) failures.push('dark');
  if (faceStats.mean > settings.maxLuma) failures.push('bright');

  const g = faceGeometry(face);
  measures.tiltDeg = g.tiltDeg;
  measures.eyeOpenness = g.eyeOpenness;
  if (Math.abs(g.tiltDeg) > settings.maxTiltDeg) failures.push('tilted');
  if (g.eyeOpenness < MIN_EYE_OPENNESS) failures.push('eyesClosed');

  const headHeight = g.chinY - g.crownY;
  const eyeY = (g.leftEye.y + g.rightEye.y) / 2;
  measures.headShareOfFrame = headHeight / height;
  const crop = cropFor(g, spec);
  if (measures.headShareOfFrame < MIN_HEAD_SHARE || crop.height < spec.height * MIN_SCALE) failures.push('tooFar');
  else if (crop.height > height || crop.width > width) failures.push('tooClose');
  else if (crop.left < 0 || crop.top < 0 || crop.left + crop.width > width || crop.top + crop.height > height)
    failures.push('offCentre');

  measures.sharpness = laplacianVariance(luma, width, height, faceRect);
  if (measures.sharpness < settings.minSharpness) failures.push('blurred');

  // Backdrop: strips beside the head and above it, inside the crop (what the photo will show).
  const side = Math.max(4, Math.round(crop.width * 0.06));
  const strips: Rect[] = [
    { left: crop.left, top: crop.top, width: side, height: eyeY - crop.top },
    { left: crop.left + crop.width - side, top: crop.top, width: side, height: eyeY - crop.top },
    { left: crop.left, top: crop.top, width: crop.width, height: Math.max(4, g.crownY - crop.top - headHeight * 0.2) },
  ];
  let sum = 0;
  let sq = 0;
  let n = 0;
  for (const s of strips) {
    const st = meanStd(luma, width, height, s);
    sum += st.mean * st.n;
    sq += (st.std * st.std + st.mean * st.mean) * st.n;
    n += st.n;
  }
  if (n > 0) {
    measures.backdropLuma = sum / n;
    measures.backdropStd = Math.sqrt(Math.max(0, sq / n - (sum / n) ** 2));
    if (measures.backdropLuma < settings.minBackdropLuma || measures.backdropStd > settings.maxBackdropStd)
      failures.push('backdrop');
  }
  const head = { heightShare: headHeight / crop.height, topShare: (g.crownY - crop.top) / crop.height };
  return done(crop, head);
}
