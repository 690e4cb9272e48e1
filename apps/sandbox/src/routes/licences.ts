import { randomUUID } from 'node:crypto';
import type { Router } from 'express';
import {
  licenceQueryRequestSchema,
  licenceUseRequestSchema,
  type Licence,
  type LicenceQueryResponse,
  type LicenceUse,
} from '@kiosk/contracts/licences';
import type { Db } from '@kiosk/platform';
import { ApiError, operation, parseBody, type OpDeps } from '../http.js';
import { isAcceptedPersonNumber } from '@kiosk/synthetic';
import { LICENCE_LIBRARY } from '../licences.js';
import { maskIdNumber, maskName } from '../mask.js';

interface UseRow {
  use_id: string;
  licence_id: string;
  kiosk_id: string;
  action: 'fetch' | 'print';
  purpose: LicenceUse['purpose'];
  slip_serial: string | null;
  at: string;
}

const toUse = (r: UseRow): LicenceUse => ({
  useId: r.use_id,
  licenceId: r.licence_id,
  kioskId: r.kiosk_id,
  action: r.action,
  purpose: r.purpose,
  slipSerial: r.slip_serial,
  at: r.at,
});

/**
 * The licence library (电子证照库): lists a person's licences (only with the citizen's consent,
 * recording a fetch use per licence) and records printed copies as uses (用证记录).
 */
export function mountLicences(
  router: Router,
  db: Db,
  deps: OpDeps,
  now: () => Date,
  licences: ReadonlyMap<string, Licence[]>,
): void {
  const byId = new Map<string, Licence>();
  for (const list of licences.values()) for (const l of list) byId.set(l.licenceId, l);
  const insert = db.prepare(
    'INSERT INTO licence_uses (use_id, licence_id, kiosk_id, action, purpose, slip_serial, idempotency_key, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const byKey = db.prepare('SELECT * FROM licence_uses WHERE kiosk_id = ? AND idempotency_key = ?');
  const usesOf = db.prepare('SELECT * FROM licence_uses WHERE licence_id = ? ORDER BY at, use_id');
  const person = db.prepare('SELECT name FROM people WHERE id_number = ?');
  const useId = (): string => `YZ${randomUUID().replace(/-/g, '').slice(0, 18).toUpperCase()}`;

  router.post(
    '/licences/v1/licences/query',
    operation(
      'licences.query',
      (req, ctx) => {
        // consent: true is required by the schema: no consent, no fetch (400).
        const body = parseBody(licenceQueryRequestSchema, req.body);
        const id = body.idNumber.trim().toUpperCase();
        if (!isAcceptedPersonNumber(id)) throw new ApiError(400, 'INVALID_ID_NUMBER', 'idNumber is not a valid GB 11643 number');
        ctx.logFields.holder = maskIdNumber(id);
        const list = licences.get(id) ?? [];
        const at = now().toISOString();
        db.transaction(() => {
          for (const l of list) insert.run(useId(), l.licenceId, ctx.kioskId, 'fetch', body.purpose, null, null, at);
        })();
        ctx.logFields.count = list.length;
        const row = person.get(id) as { name: string } | undefined;
        const out: LicenceQueryResponse = {
          requestId: ctx.requestId,
          library: LICENCE_LIBRARY,
          holder: row ? { nameMasked: maskName(row.name), idNumberMasked: maskIdNumber(id) } : null,
          queriedAt: at,
          licences: list,
        };
        return { body: out };
      },
      deps,
    ),
  );

  router.post(
    '/licences/v1/uses',
    operation(
      'licences.use',
      (req, ctx) => {
        const body = parseBody(licenceUseRequestSchema, req.body);
        if (!byId.has(body.licenceId)) throw new ApiError(404, 'LICENCE_NOT_FOUND', 'no licence with this id');
        const existing = byKey.get(ctx.kioskId, body.idempotencyKey) as UseRow | undefined;
        if (existing) return { body: toUse(existing) };
        const row: UseRow = {
          use_id: useId(),
          licence_id: body.licenceId,
          kiosk_id: ctx.kioskId,
          action: body.action,
          purpose: body.purpose,
          slip_serial: body.slipSerial,
          at: now().toISOString(),
        };
        insert.run(
          row.use_id,
          row.licence_id,
          row.kiosk_id,
          row.action,
          row.purpose,
          row.slip_serial,
          body.idempotencyKey,
          row.at,
        );
        return { status: 201, body: toUse(row) };
      },
      deps,
    ),
  );

  // The uses of one licence (the holder's 用证记录; tests and demos).
  router.get(
    '/licences/v1/licences/:licenceId/uses',
    operation(
      'licences.uses',
      (req) => {
        const rows = usesOf.all(String(req.params.licenceId)) as UseRow[];
        return { body: { uses: rows.map(toUse) } };
      },
      deps,
    ),
  );
}
