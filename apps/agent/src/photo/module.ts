/**
 * 自助照相 in the agent (docs/photo.md): the booth (camera, checks, crop), the photo orders on the
 * gas money path's provider and rules, the platform connector, and the background upload/refund
 * pass. The session's photo flow uses it in-process through the `photo` port (ctx.ports).
 */
import type { AgentContext, AgentModule, AgentModuleFactory } from '../modules.js';
import { servicesFor, type Services } from '../services/index.js';
import { photoConnectorFor, type PhotoConnector } from '../services/photo.js';
import { isBoothCamera, PhotoBooth } from './booth.js';
import { createFaceDetector, type FaceDetector } from './detector.js';
import { PhotoJournal } from './journal.js';
import { PhotoOrders } from './orders.js';
import type { PhotoApi } from './api.js';

export interface PhotoModuleOptions {
  services?: Pick<Services, 'payment'>;
  platform?: PhotoConnector;
  detector?: FaceDetector & { warmUp?(): Promise<void> };
  now?: () => Date;
}

export function createPhotoModuleWith(options: PhotoModuleOptions = {}): AgentModuleFactory {
  return (ctx) => buildPhotoModule(ctx, options);
}

function buildPhotoModule(ctx: AgentContext, options: PhotoModuleOptions): AgentModule {
  const log = ctx.logger.child({ module: 'photo' });
  const settings = ctx.config.photo;
  const now = options.now ?? (() => new Date());
  const services = options.services ?? servicesFor(ctx.config, log);
  const platform = options.platform ?? photoConnectorFor(ctx.config, log);
  const detector = options.detector ?? createFaceDetector();
  const journal = new PhotoJournal(ctx.db, now);
  journal.onCommit((o) => {
    // Codes only: no photo, no personal data (the photo service has none besides the picture).
    log.info(
      { orderNo: o.orderNo, state: o.state, use: o.use, amountFen: o.amountFen, code: o.receiptCode ?? undefined },
      'photo order journaled',
    );
    ctx.audit('photo', `photo.order.${o.state}`, { orderNo: o.orderNo, use: o.use, amountFen: o.amountFen });
  });
  const orders = new PhotoOrders({
    journal,
    payment: services.payment,
    platform,
    settings,
    timing: {
      pollMs: ctx.config.gas.paymentPollMs,
      countdownSeconds: ctx.config.gas.paymentCountdownSeconds,
      expiryGraceSeconds: ctx.config.gas.paymentExpiryGraceSeconds,
    },
    kioskId: ctx.config.kiosk.id,
    log,
    now,
  });
  const booth = new PhotoBooth(
    () => {
      const d = ctx.devices.get('camera');
      return isBoothCamera(d) ? d : undefined;
    },
    detector,
    settings,
    log,
  );
  const api: PhotoApi = {
    booth,
    orders,
    journal,
    settings,
    slipContext: () => ({
      kioskId: ctx.config.kiosk.id,
      site: ctx.config.kiosk.site,
      hotline: ctx.config.session.contact.hotline,
      now: now(),
    }),
  };
  ctx.ports.provide('photo', api);

  return {
    name: 'photo',
    routes: (app) => booth.routes(app),
    async start() {
      if (!settings.enabled) return;
      // The model loads in the background (~1.3 s on 2 cores): the kiosk's start-up budget is for citizens.
      void detector
        .warmUp?.()
        .catch((err: unknown) =>
          log.error({ err: err instanceof Error ? err.message : String(err) }, 'face model could not load'),
        );
      // Unfinished orders from before a restart: their photos are gone (never on disk), so they
      // go the refund path (void first) or are closed if unpaid.
      void orders.runPass('recovery');
      orders.start();
    },
    async stop() {
      booth.end();
      await orders.stop();
    },
    health() {
      const c = journal.counts();
      return { photo: { uploadPending: c.uploadPending, needsAttention: c.needsAttention, unfinished: c.active } };
    },
  };
}
