import { randomBytes } from 'node:crypto';
import type { Express, Request, Response } from 'express';
import { fromCallback, fromPromise, type EventObject } from 'xstate';
import { grantCameraConsent, revokeCameraConsent, type CameraConsent } from '../devices/camera/consent.js';
import type { CameraDriver } from '../devices/camera/driver.js';
import type { CameraPreview } from '../devices/camera/preview.js';
import type { DecodedCard } from '@kiosk/protocol-sam';
import type { DeviceDriver } from '@kiosk/contracts/device-status';
import type { Logger } from '@kiosk/platform';
import { serveLivePreview } from '../api/live-preview.js';
import type { FaceCaptureResult } from './machine.js';

export type FaceCamera = Pick<CameraDriver, 'preview' | 'capture'> & DeviceDriver;

export function isFaceCamera(d: DeviceDriver | undefined): d is FaceCamera {
  return d !== undefined && d.kind === 'camera' && typeof (d as Partial<FaceCamera>).preview === 'function';
}

/**
 * Compares a live still with the card holder. The real check needs the national population /
 * network-identity service or a vendor SDK (and the card photo decoded from WLT); the seam takes
 * the JPEG and the card and answers matched or not. The image must not be kept.
 */
export type FaceVerifier = (input: { jpeg: Buffer; card: DecodedCard | null }) => Promise<{ matched: boolean }>;

/**
 * Sandbox verifier: "matches" any well-formed still of a card that was read. It makes the step
 * demonstrable end to end without pretending to recognise anyone; configure a real verifier
 * before relying on face checks.
 */
export const sandboxFaceVerifier: FaceVerifier = async ({ jpeg, card }) => ({
  matched: card !== null && jpeg.length > 2 && jpeg[0] === 0xff && jpeg[1] === 0xd8,
});

const previewPath = '/api/session/preview';

/**
 * The face step's device side: consent tokens (granted when the citizen agreed, revoked when the
 * step ends), the live preview served as MJPEG to the kiosk's own page under an unguessable
 * one-off key, and capture + verification. Frames exist only in memory and only while used.
 */
export class FaceStep {
  private consent: CameraConsent | undefined;
  private readonly previews = new Map<string, CameraPreview>();

  constructor(
    private readonly camera: () => FaceCamera | undefined,
    private readonly verifier: FaceVerifier,
    private readonly card: () => DecodedCard | null,
    private readonly log: Logger,
  ) {}

  /** Invoked while the preview screen shows: starts the camera's live preview. */
  readonly previewActor = fromCallback<EventObject, { sessionId: string | null }>(({ input, sendBack }) => {
    const camera = this.camera();
    let preview: CameraPreview | undefined;
    let key: string | undefined;
    try {
      if (!camera) throw new Error('no camera configured');
      this.consent ??= grantCameraConsent({
        purpose: 'faceVerification',
        ...(input.sessionId ? { sessionId: input.sessionId } : {}),
      });
      preview = camera.preview({ consent: this.consent });
      key = randomBytes(18).toString('base64url');
      this.previews.set(key, preview);
      preview.once('end', (error) => {
        if (error) {
          this.log.warn({ code: error.code }, 'face preview ended with an error');
          sendBack({ type: 'FACE.PREVIEW_FAILED' });
        }
      });
      sendBack({ type: 'FACE.PREVIEW_READY', url: `${previewPath}/${key}` });
    } catch (err) {
      this.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'face preview could not start');
      // Reported after the current transition, so the machine is in the state that handles it.
      queueMicrotask(() => sendBack({ type: 'FACE.PREVIEW_FAILED' }));
    }
    return () => {
      if (key) this.previews.delete(key);
      void preview?.stop();
    };
  });

  /** Takes a still (the preview's next frame), verifies it, and drops it. */
  readonly captureActor = fromPromise<FaceCaptureResult, { sessionId: string | null }>(async () => {
    const camera = this.camera();
    if (!camera || !this.consent) throw new Error('camera or consent missing');
    const jpeg = await camera.capture({ consent: this.consent });
    try {
      const r = await this.verifier({ jpeg, card: this.card() });
      return { matched: r.matched };
    } finally {
      // Zeroed in place: the buffer may be shared with the verifier's request.
      jpeg.fill(0);
    }
  });

  /** The face step is over (or the session ended): the consent stops working at once. */
  end(): void {
    if (this.consent) revokeCameraConsent(this.consent);
    this.consent = undefined;
    for (const p of this.previews.values()) void p.stop();
    this.previews.clear();
  }

  /** `GET /api/session/preview/:key`: multipart MJPEG for the face screen's <img>. */
  routes(app: Express): void {
    app.get(`${previewPath}/:key`, (req: Request, res: Response) =>
      serveLivePreview(this.previews.get(String(req.params['key'])), req, res),
    );
  }
}
