import type { Router } from 'express';
import {
  slipRegisterRequestSchema,
  type SlipContent,
  type SlipRegisterResponse,
  type SlipVerifyResponse,
} from '@kiosk/contracts/upstream';
import type { Db } from '@kiosk/platform';
import { ApiError, operation, parseBody, type OpDeps } from '../http.js';
import { SLIP_SERIAL, slipSerial } from '../ids.js';
import { containsFullIdNumber } from '../mask.js';
import { verifyNotFoundPage, verifyPage } from '../pages.js';

interface SlipRow {
  serial: string;
  kiosk_id: string;
  content: string;
  registered_at: string;
}

/** Printed-slip registration and public verification (the QR on each slip points at /verify/<serial>). */
export function mountSlips(router: Router, db: Db, deps: OpDeps, now: () => Date, publicBaseUrl: () => string): void {
  const byKey = db.prepare('SELECT * FROM slips WHERE kiosk_id = ? AND idempotency_key = ?');
  const bySerial = db.prepare('SELECT * FROM slips WHERE serial = ?');
  const insert = db.prepare(
    'INSERT INTO slips (serial, kiosk_id, idempotency_key, content, registered_at) VALUES (?, ?, ?, ?, ?)',
  );
  const response = (row: SlipRow): SlipRegisterResponse => ({
    serial: row.serial,
    verifyUrl: `${publicBaseUrl()}/verify/${row.serial}`,
    registeredAt: row.registered_at,
  });

  router.post(
    '/slips',
    operation(
      'slips.register',
      (req, ctx) => {
        const body = parseBody(slipRegisterRequestSchema, req.body);
        const { idempotencyKey, ...content } = body;
        // The verify page is public: refuse anything that would publish a full id number or name.
        if (containsFullIdNumber(JSON.stringify(content))) {
          throw new ApiError(422, 'UNMASKED_PERSONAL_DATA', 'slip content contains a full id number; send masked forms only');
        }
        if (content.holder && (!content.holder.idNumberMasked.includes('*') || !content.holder.nameMasked.includes('*'))) {
          throw new ApiError(422, 'UNMASKED_PERSONAL_DATA', 'holder name and id number must be masked');
        }
        const existing = byKey.get(ctx.kioskId, idempotencyKey) as SlipRow | undefined;
        if (existing) {
          if (existing.content !== JSON.stringify(content)) {
            throw new ApiError(409, 'IDEMPOTENCY_CONFLICT', 'this idempotencyKey was already used for different content');
          }
          ctx.logFields.serial = existing.serial;
          return { body: response(existing) };
        }
        const row: SlipRow = {
          serial: slipSerial(now()),
          kiosk_id: ctx.kioskId,
          content: JSON.stringify(content),
          registered_at: now().toISOString(),
        };
        insert.run(row.serial, row.kiosk_id, idempotencyKey, row.content, row.registered_at);
        ctx.logFields.serial = row.serial;
        ctx.logFields.kind = content.kind;
        return { status: 201, body: response(row) };
      },
      deps,
    ),
  );

  router.get(
    '/verify/:serial',
    operation(
      'slips.verify',
      (req, ctx) => {
        const serial = String(req.params.serial);
        const wantsHtml = req.accepts(['json', 'html']) === 'html';
        const row = SLIP_SERIAL.test(serial) ? (bySerial.get(serial) as SlipRow | undefined) : undefined;
        ctx.logFields.found = row ? 1 : 0;
        if (!row) {
          if (wantsHtml) return { status: 404, body: null, html: verifyNotFoundPage(serial.slice(0, 40)) };
          throw new ApiError(404, 'SLIP_NOT_FOUND', 'no slip with this serial');
        }
        const out: SlipVerifyResponse = {
          serial: row.serial,
          kioskId: row.kiosk_id,
          registeredAt: row.registered_at,
          slip: JSON.parse(row.content) as SlipContent,
        };
        return wantsHtml ? { body: null, html: verifyPage(out) } : { body: out };
      },
      deps,
      { public: true },
    ),
  );
}
