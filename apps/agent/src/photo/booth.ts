/**
 * The photo booth's device side: the citizen's consent token, the live preview (MJPEG to the
 * kiosk's own page under an unguessable one-off key) with live hints from the checks, the capture
 * (countdown is the flow's), the checks, and the cropped result shown for review.
 *
 * Privacy: frames and photos exist only in this process's memory and only while the session
 * uses them. Nothing is written to disk or logged (logs carry hint codes and sizes). `end()`
 * revokes the consent and zeroes every buffer it still holds.
 */
import { randomBytes } from 'node:crypto';
import type { Express, Request, Response } from 'express';
import type { PhotoBackdrop } from '@kiosk/contracts/photo';
import type { PhotoSettings, PhotoSpec } from '@kiosk/kiosk-config';
import type { Logger } from '@kiosk/platform';
import { grantCameraConsent, revokeCameraConsent, type CameraConsent } from '../devices/camera/consent.js';
import type { CameraPreview } from '../devices/camera/preview.js';
import type { DeviceDriver } from '@kiosk/contracts/device-status';
import type { CameraDriver } from '../devices/camera/driver.js';
import { serveLivePreview } from '../api/live-preview.js';
import { analyseFrame } from './analyse.js';
import type { PhotoCheckCode } from './checks.js';
import { cropToSpec } from './crop.js';
import type { FaceDetector } from './detector.js';

/** What the booth needs of the camera driver. */
export type BoothCamera = Pick<CameraDriver, 'preview' | 'capture'> & DeviceDriver;

export function isBoothCamera(d: DeviceDriver | undefined): d is BoothCamera {
  return d !== undefined && d.kind === 'camera' && typeof (d as Partial<BoothCamera>).capture === 'function';
}

const photoPreviewPath = '/api/photo/preview';
const photoResultPath = '/api/photo/result';

export interface CaptureOutcome {
  ok: boolean;
  hint: PhotoCheckCode | null;
  failures: PhotoCheckCode[];
  /** The cropped photo for review (ok only). */
  resultUrl: string | null;
  width: number | null;
  height: number | null;
}

export class PhotoBooth {
  private consent: CameraConsent | undefined;
  private readonly previews = new Map<string, CameraPreview>();
  private readonly results = new Map<string, Buffer>();
  /** The last good photo of this session, waiting to be paid for. */
  private held: { key: string; jpeg: Buffer } | null = null;
  /**
   * Previews told to stop whose ffmpeg has not exited yet. The camera opens once: a retake that
   * starts the next preview before the last one is gone would be refused as busy (seen under load).
   */
  private stopping: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly camera: () => BoothCamera | undefined,
    private readonly detector: FaceDetector,
    private readonly settings: PhotoSettings,
    private readonly log: Logger,
  ) {}

  spec(use: string): PhotoSpec {
    const s = this.settings.specs.find((x) => x.use === use);
    if (!s) throw new Error(`no photo spec for ${use}`);
    return s;
  }

  /** The citizen agreed on the consent screen. */
  grant(sessionId: string | null): void {
    this.consent ??= grantCameraConsent({ purpose: 'photoService', ...(sessionId ? { sessionId } : {}) });
  }

  private requireCamera(): { camera: BoothCamera; consent: CameraConsent } {
    const camera = this.camera();
    if (!camera) throw new Error('no camera configured');
    if (!this.consent) throw new Error('no consent');
    return { camera, consent: this.consent };
  }

  private stopPreview(preview: CameraPreview): void {
    this.stopping = Promise.allSettled([this.stopping, preview.stop()]);
  }

  /**
   * Starts the live preview once the previous one has let go of the camera; `onHint` gets the
   * checks' first failure (or null when the framing is right) about once a second, for the
   * printed and spoken hints.
   */
  async startPreview(
    spec: PhotoSpec,
    onHint: (hint: PhotoCheckCode | null) => void,
    onFailed: () => void,
  ): Promise<{ url: string; stop: () => void }> {
    this.requireCamera();
    await this.stopping;
    const { camera, consent } = this.requireCamera();
    const preview = camera.preview({ consent, width: this.settings.frameWidth, height: this.settings.frameHeight, fps: 4 });
    const key = randomBytes(18).toString('base64url');
    this.previews.set(key, preview);
    let busy = false;
    let stopped = false;
    let last = 0;
    const onFrame = (jpeg: Buffer): void => {
      if (busy || stopped || Date.now() - last < 1000) return;
      busy = true;
      last = Date.now();
      analyseFrame(jpeg, spec, this.settings, this.detector)
        .then(({ result, frame }) => {
          frame.rgb.fill(0);
          if (!stopped) onHint(result.hint);
        })
        .catch((err: unknown) =>
          this.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'live photo check failed'),
        )
        .finally(() => {
          busy = false;
        });
    };
    preview.on('frame', onFrame);
    preview.once('end', (error) => {
      if (error && !stopped) {
        this.log.warn({ code: error.code }, 'photo preview ended with an error');
        onFailed();
      }
    });
    return {
      url: `${photoPreviewPath}/${key}`,
      stop: () => {
        stopped = true;
        preview.off('frame', onFrame);
        this.previews.delete(key);
        this.stopPreview(preview);
      },
    };
  }

  /** Takes the still, checks it, and crops it to the spec when it passes. */
  async capture(spec: PhotoSpec, backdrop: PhotoBackdrop): Promise<CaptureOutcome> {
    const { camera, consent } = this.requireCamera();
    const jpeg = await camera.capture({ consent, width: this.settings.frameWidth, height: this.settings.frameHeight });
    try {
      const { result, frame } = await analyseFrame(jpeg, spec, this.settings, this.detector);
      try {
        this.log.info({ use: spec.use, ok: result.ok, failures: result.failures, faces: result.measures.faces }, 'photo checked');
        if (!result.ok || !result.crop)
          return { ok: false, hint: result.hint, failures: result.failures, resultUrl: null, width: null, height: null };
        const out = await cropToSpec(frame, result.crop, spec, backdrop);
        this.dropHeld();
        const key = randomBytes(18).toString('base64url');
        this.results.set(key, out.jpeg);
        this.held = { key, jpeg: out.jpeg };
        return {
          ok: true,
          hint: null,
          failures: [],
          resultUrl: `${photoResultPath}/${key}`,
          width: out.width,
          height: out.height,
        };
      } finally {
        frame.rgb.fill(0);
      }
    } finally {
      jpeg.fill(0);
    }
  }

  /** The reviewed photo, handed to the order (which keeps it until the platform has it). */
  takeHeld(): Buffer | null {
    if (!this.held) return null;
    const copy = Buffer.from(this.held.jpeg);
    return copy;
  }

  /** A retake: the reviewed photo goes. */
  dropHeld(): void {
    if (!this.held) return;
    this.held.jpeg.fill(0);
    this.results.delete(this.held.key);
    this.held = null;
  }

  /** The session's photo step is over: consent stops working, every frame and photo goes. */
  end(): void {
    if (this.consent) revokeCameraConsent(this.consent);
    this.consent = undefined;
    for (const p of this.previews.values()) this.stopPreview(p);
    this.previews.clear();
    for (const b of this.results.values()) b.fill(0);
    this.results.clear();
    this.held = null;
  }

  /** Buffers this booth still holds (privacy tests): counts only. */
  heldBuffers(): number {
    return this.results.size + this.previews.size;
  }

  routes(app: Express): void {
    app.get(`${photoPreviewPath}/:key`, (req: Request, res: Response) =>
      serveLivePreview(this.previews.get(String(req.params['key'])), req, res),
    );
    app.get(`${photoResultPath}/:key`, (req: Request, res: Response) => {
      const jpeg = this.results.get(String(req.params['key']));
      if (!jpeg) {
        res.status(404).json({ error: 'no photo' });
        return;
      }
      res.set('Cache-Control', 'no-store').type('image/jpeg').send(jpeg);
    });
  }
}
