/**
 * The certified photo platform (数码照片回执平台): the kiosk uploads one cropped JPEG per paid
 * photo order and gets a receipt code (回执号) the departments accept instead of paper photos.
 * The sandbox implements the same API (docs/sandbox-api.openapi.yaml, `photo.*` operations).
 */
import { z } from 'zod';

/** What the photo is for; each use has a spec (size, backdrops) in the kiosk config. */
export const PHOTO_USES = ['idcard', 'social', 'driving', 'passport', 'inch1', 'inch2'] as const;
export type PhotoUse = (typeof PHOTO_USES)[number];
export const photoUseSchema = z.enum(PHOTO_USES);

export const PHOTO_BACKDROPS = ['white', 'blue', 'red'] as const;
export type PhotoBackdrop = (typeof PHOTO_BACKDROPS)[number];

/** Receipt code, e.g. ZP20261203-4K7M9Q2DHTXA: platform prefix, China date, unguessable suffix. */
export const PHOTO_RECEIPT_CODE = /^ZP\d{8}-[0-9A-HJKMNP-TV-Z]{10}$/;

export const photoReceiptRequestSchema = z
  .object({
    /** The kiosk's order number: the same order uploaded again gets the same receipt (idempotent). */
    orderNo: z.string().regex(/^[A-Za-z0-9-]{8,60}$/),
    use: photoUseSchema,
    backdrop: z.enum(PHOTO_BACKDROPS),
    /** A cropped certificate photo is 20–120 KB; 400 000 base64 characters is ~290 KB. */
    image: z.object({ format: z.literal('jpeg'), base64: z.string().min(4).max(400_000) }).strict(),
  })
  .strict();
export type PhotoReceiptRequest = z.infer<typeof photoReceiptRequestSchema>;

export const photoReceiptSchema = z.object({
  code: z.string().regex(PHOTO_RECEIPT_CODE),
  use: photoUseSchema,
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  createdAt: z.string(),
});
export type PhotoReceipt = z.infer<typeof photoReceiptSchema>;
