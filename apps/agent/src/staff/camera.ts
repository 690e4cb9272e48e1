/**
 * The maintenance panel's camera preview: a `maintenance` consent granted as the staff member's
 * own (audited) action, streamed as MJPEG at `/api/staff/preview/<key>`.
 */
import { randomUUID } from 'node:crypto';
import type { Express, Request, Response } from 'express';
import { z } from 'zod';
import { CommandError, defineCommand, type CommandDefinition } from '../api/commands.js';
import { grantCameraConsent, revokeCameraConsent, type CameraConsent } from '../devices/camera/consent.js';
import { CameraDriver } from '../devices/camera/driver.js';
import { serveLivePreview } from '../api/live-preview.js';
import type { CameraPreview } from '../devices/camera/preview.js';
import type { StaffRuntime } from './runtime.js';

const previewPath = '/api/staff/preview';
const consentTtlMs = 5 * 60_000;

export class StaffCameraPreview {
  private live: { consent: CameraConsent; preview: CameraPreview; key: string } | undefined;

  constructor(private readonly rt: StaffRuntime) {}

  stop(): void {
    if (!this.live) return;
    revokeCameraConsent(this.live.consent);
    void this.live.preview.stop();
    this.live = undefined;
  }

  commands(): CommandDefinition[] {
    const rt = this.rt;
    return [
      defineCommand({
        name: 'Staff.CameraPreview',
        payload: z.object({ on: z.boolean() }).strict(),
        handle: async (p) => {
          const s = rt.requireMode('maintenance');
          if (!p.on) {
            this.stop();
            rt.audit(s, 'staff.camera.previewOff');
            return rt.ok({ url: null });
          }
          const d = rt.ctx.devices.get('camera');
          if (!(d instanceof CameraDriver)) throw new CommandError('deviceNotReady', 'no camera on this kiosk');
          this.stop();
          // Staff look at the camera on purpose: the consent is the staff member's, and it is audited.
          const consent = grantCameraConsent({ purpose: 'maintenance', ttlMs: consentTtlMs });
          const preview = d.preview({ consent });
          const key = randomUUID();
          this.live = { consent, preview, key };
          preview.once('end', () => {
            if (this.live?.key === key) this.live = undefined;
          });
          rt.audit(s, 'staff.camera.consent', { purpose: 'maintenance', ttlMs: consentTtlMs });
          return rt.ok({ url: `${previewPath}/${key}` });
        },
      }),
    ];
  }

  routes(app: Express): void {
    app.get(`${previewPath}/:key`, (req: Request, res: Response) => {
      const cam = this.live;
      serveLivePreview(cam?.key === String(req.params['key']) ? cam.preview : undefined, req, res);
    });
  }
}
