import { z } from 'zod';
import { photoReceiptSchema, type PhotoBackdrop, type PhotoReceipt, type PhotoUse } from '@kiosk/contracts/photo';
import type { CircuitBreaker } from './breaker.js';
import type { CallOptions } from './http-client.js';
import type { Logger } from 'pino';
import { upstreamLink, type UpstreamConfig, type UpstreamLinkOptions } from './upstream-link.js';

/**
 * The certified photo platform (数码照片回执): upload one cropped JPEG per paid order and get the
 * receipt code (回执号). Same API in the sandbox (docs/sandbox-api.openapi.yaml). Uploads are
 * idempotent by order number, so a retry after a lost answer gets the same code; `void` closes an
 * order number for good (like the gas company's 冲正) and tells whether a receipt exists, which is
 * what a refund must know first.
 */
const photoVoidSchema = z.object({
  result: z.enum(['never_credited', 'already_credited']),
  receipt: photoReceiptSchema.nullable(),
});
type PhotoVoid = z.infer<typeof photoVoidSchema>;

export interface PhotoConnector {
  readonly breaker: CircuitBreaker;
  upload(
    input: { orderNo: string; use: PhotoUse; backdrop: PhotoBackdrop; jpeg: Buffer },
    call?: CallOptions,
  ): Promise<PhotoReceipt>;
  void(orderNo: string, call?: CallOptions): Promise<PhotoVoid>;
}

export type PhotoConnectorOptions = UpstreamLinkOptions;

/** The photo platform's connector for a config (`upstream.baseUrl`, its timeout, the kiosk's id). */
export function photoConnectorFor(config: UpstreamConfig, logger: Logger): PhotoConnector {
  return createPhotoConnector({
    baseUrl: config.upstream.baseUrl,
    timeoutMs: config.upstream.timeoutMs,
    kioskId: config.kiosk.id,
    logger,
  });
}

export function createPhotoConnector(opts: PhotoConnectorOptions): PhotoConnector {
  const { breaker, client } = upstreamLink('photo', opts);
  return {
    breaker,
    upload({ orderNo, use, backdrop, jpeg }, call) {
      const body = { orderNo, use, backdrop, image: { format: 'jpeg', base64: jpeg.toString('base64') } };
      // Idempotent by orderNo at the platform: safe to retry.
      return client.request(
        {
          operation: 'photo.receipt.create',
          method: 'POST',
          path: '/photo/receipts',
          body,
          schema: photoReceiptSchema,
          retry: true,
        },
        call,
      );
    },
    void(orderNo, call) {
      return client.request(
        {
          operation: 'photo.receipt.void',
          method: 'POST',
          path: '/photo/receipts/void',
          body: { orderNo },
          schema: photoVoidSchema,
          retry: true,
        },
        call,
      );
    },
  };
}
