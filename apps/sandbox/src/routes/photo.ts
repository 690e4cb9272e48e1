import type { Router } from 'express';
import { z } from 'zod';
import { PHOTO_RECEIPT_CODE, photoReceiptRequestSchema, type PhotoReceipt, type PhotoUse } from '@kiosk/contracts/photo';
import type { Db } from '@kiosk/platform';
import { ApiError, operation, parseBody, type OpDeps } from '../http.js';
import { randomCode } from '../ids.js';
import { chinaDateCompact } from '@kiosk/platform';

/**
 * The certified photo platform's standards, as the platform itself enforces them (not the kiosk's
 * config: a kiosk with a wrong spec must be refused here, as a real platform would).
 */
const STANDARDS: Record<
  PhotoUse,
  { width: number; height: number; backdrops: readonly string[]; minBytes: number; maxBytes: number }
> = {
  idcard: { width: 358, height: 441, backdrops: ['white'], minBytes: 14_000, maxBytes: 60_000 },
  social: { width: 358, height: 441, backdrops: ['white'], minBytes: 14_000, maxBytes: 60_000 },
  driving: { width: 260, height: 378, backdrops: ['white'], minBytes: 14_000, maxBytes: 60_000 },
  passport: { width: 354, height: 472, backdrops: ['white'], minBytes: 14_000, maxBytes: 120_000 },
  inch1: { width: 295, height: 413, backdrops: ['white', 'blue', 'red'], minBytes: 10_000, maxBytes: 120_000 },
  inch2: { width: 413, height: 579, backdrops: ['white', 'blue', 'red'], minBytes: 10_000, maxBytes: 200_000 },
};

interface ReceiptRow {
  code: string;
  kiosk_id: string;
  order_no: string;
  use: PhotoUse;
  backdrop: string;
  width: number;
  height: number;
  created_at: string;
}

/** Width and height from the first SOF marker, or null when the bytes are not a complete JPEG. */
function jpegSize(b: Buffer): { width: number; height: number } | null {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8 || b[b.length - 2] !== 0xff || b[b.length - 1] !== 0xd9) return null;
  let i = 2;
  while (i + 4 <= b.length) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1] as number;
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2;
      continue;
    }
    const len = b.readUInt16BE(i + 2);
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (i + 9 > b.length) return null;
      return { height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) };
    }
    if (marker === 0xda) return null; // scan before any frame header
    i += 2 + len;
  }
  return null;
}

function toReceipt(r: ReceiptRow): PhotoReceipt {
  return { code: r.code, use: r.use, width: r.width, height: r.height, createdAt: r.created_at };
}

/**
 * `POST /photo/receipts/void` closes an order number for good and says whether it has a receipt
 * (`already_credited`, with it) or never will (`never_credited`): the kiosk refunds only on the latter.
 * `POST /photo/receipts` stores the JPEG and answers the receipt code (回执号); the same order
 * uploaded again answers the same receipt. `GET /photo/receipts/{code}` and `…/image.jpg` are
 * what a department's counter looks up. Faults come from the fault admin under `photo.*`.
 */
export function mountPhoto(router: Router, db: Db, deps: OpDeps, now: () => Date): void {
  const byOrder = db.prepare(
    'SELECT code, kiosk_id, order_no, use, backdrop, width, height, created_at FROM photo_receipts WHERE kiosk_id = ? AND order_no = ?',
  );
  const byCode = db.prepare(
    'SELECT code, kiosk_id, order_no, use, backdrop, width, height, created_at FROM photo_receipts WHERE code = ?',
  );
  const image = db.prepare('SELECT jpeg FROM photo_receipts WHERE code = ?');
  const insert = db.prepare(
    'INSERT INTO photo_receipts (code, kiosk_id, order_no, use, backdrop, width, height, jpeg, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );

  router.post(
    '/photo/receipts',
    operation(
      'photo.receipt.create',
      (req, ctx) => {
        const body = parseBody(photoReceiptRequestSchema, req.body);
        ctx.logFields.orderNo = body.orderNo;
        ctx.logFields.use = body.use;
        const jpeg = Buffer.from(body.image.base64, 'base64');
        const size = jpegSize(jpeg);
        if (!size) throw new ApiError(400, 'INVALID_IMAGE', 'image.base64 is not a complete JPEG');
        const std = STANDARDS[body.use];
        if (size.width !== std.width || size.height !== std.height) {
          throw new ApiError(
            422,
            'PHOTO_SIZE',
            `a ${body.use} photo must be ${std.width}×${std.height} px, got ${size.width}×${size.height}`,
          );
        }
        if (jpeg.length < std.minBytes || jpeg.length > std.maxBytes) {
          throw new ApiError(
            422,
            'PHOTO_FILE_SIZE',
            `a ${body.use} photo must be ${std.minBytes}–${std.maxBytes} bytes, got ${jpeg.length}`,
          );
        }
        if (!std.backdrops.includes(body.backdrop))
          throw new ApiError(422, 'PHOTO_BACKDROP', `a ${body.use} photo needs a ${std.backdrops.join('/')} backdrop`);
        if (voided.get(ctx.kioskId, body.orderNo))
          throw new ApiError(409, 'ORDER_VOIDED', 'this order number was voided (refunded); take a new photo order');
        const existing = byOrder.get(ctx.kioskId, body.orderNo) as ReceiptRow | undefined;
        if (existing) {
          if (existing.use !== body.use)
            throw new ApiError(409, 'ORDER_NO_USED', 'this order number already has a receipt for another use');
          return { body: toReceipt(existing) };
        }
        const at = now();
        const code = `ZP${chinaDateCompact(at)}-${randomCode(10)}`;
        insert.run(code, ctx.kioskId, body.orderNo, body.use, body.backdrop, size.width, size.height, jpeg, at.toISOString());
        ctx.logFields.code = code;
        return { status: 201, body: toReceipt(byCode.get(code) as ReceiptRow) };
      },
      deps,
    ),
  );

  const voidedInsert = db.prepare('INSERT OR IGNORE INTO photo_voids (kiosk_id, order_no, voided_at) VALUES (?, ?, ?)');
  const voided = db.prepare('SELECT 1 FROM photo_voids WHERE kiosk_id = ? AND order_no = ?');
  router.post(
    '/photo/receipts/void',
    operation(
      'photo.receipt.void',
      (req, ctx) => {
        const body = parseBody(z.object({ orderNo: z.string().regex(/^[A-Za-z0-9-]{8,60}$/) }).strict(), req.body);
        ctx.logFields.orderNo = body.orderNo;
        const existing = byOrder.get(ctx.kioskId, body.orderNo) as ReceiptRow | undefined;
        if (existing) return { body: { result: 'already_credited', receipt: toReceipt(existing) } };
        // From now on this order number can never get a receipt: a refund is safe.
        voidedInsert.run(ctx.kioskId, body.orderNo, now().toISOString());
        return { body: { result: 'never_credited', receipt: null } };
      },
      deps,
    ),
  );

  const find = (code: string): ReceiptRow => {
    const row = PHOTO_RECEIPT_CODE.test(code) ? (byCode.get(code) as ReceiptRow | undefined) : undefined;
    if (!row) throw new ApiError(404, 'NOT_FOUND', 'no photo receipt with this code');
    return row;
  };
  router.get(
    '/photo/receipts/:code',
    operation('photo.receipt.get', (req) => ({ body: toReceipt(find(String(req.params.code))) }), deps),
  );
  router.get(
    '/photo/receipts/:code/image.jpg',
    operation(
      'photo.receipt.image',
      (req) => {
        const row = find(String(req.params.code));
        const { jpeg } = image.get(row.code) as { jpeg: Buffer };
        return { body: null, binary: { type: 'image/jpeg', bytes: jpeg } };
      },
      deps,
    ),
  );
}
