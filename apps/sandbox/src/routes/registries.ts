import type { Router } from 'express';
import {
  propertyQueryRequestSchema,
  socialQueryRequestSchema,
  taxQueryRequestSchema,
  type MaskedHolder,
  type Property,
  type PropertyQueryResponse,
  type SocialQueryResponse,
  type SocialRecord,
  type TaxQueryResponse,
  type TaxRecord,
} from '@kiosk/contracts/upstream';
import type { Db } from '@kiosk/platform';
import { ApiError, operation, parseBody, type OpContext, type OpDeps } from '../http.js';
import { isAcceptedPersonNumber } from '@kiosk/synthetic';
import { maskIdNumber, maskName } from '../mask.js';

const PROPERTY_REGISTRY = '咸宁市不动产登记中心';

function checkedIdNumber(idNumber: string, ctx: OpContext): string {
  const id = idNumber.trim().toUpperCase();
  if (!isAcceptedPersonNumber(id)) {
    ctx.logFields.holder = 'invalid';
    throw new ApiError(
      400,
      'INVALID_ID_NUMBER',
      'idNumber is neither a valid GB 11643 number nor a foreign permanent resident number',
    );
  }
  ctx.logFields.holder = maskIdNumber(id);
  return id;
}

function checkedYears(fromYear: number, toYear: number): void {
  if (fromYear > toYear || fromYear < 1990 || toYear > 2100 || toYear - fromYear > 10) {
    throw new ApiError(400, 'INVALID_YEAR_RANGE', 'need 1990 <= fromYear <= toYear <= 2100 and at most 11 years');
  }
}

function holderOf(db: Db, id: string): MaskedHolder | null {
  const row = db.prepare('SELECT name FROM people WHERE id_number = ?').get(id) as { name: string } | undefined;
  return row ? { nameMasked: maskName(row.name), idNumberMasked: maskIdNumber(id) } : null;
}

/** 不动产登记, 税务, 社保: read-only lookups by id number (always in a POST body, never a URL). */
export function mountRegistries(router: Router, db: Db, deps: OpDeps, now: () => Date): void {
  const properties = db.prepare('SELECT data FROM properties WHERE id_number = ? ORDER BY position');
  const taxes = db.prepare(
    'SELECT data FROM tax_records WHERE id_number = ? AND period_year BETWEEN ? AND ? ORDER BY paid_on, voucher_no',
  );
  const socials = db.prepare(
    'SELECT data FROM social_records WHERE id_number = ? AND kind = ? AND period_year BETWEEN ? AND ? ORDER BY paid_on, voucher_no',
  );

  router.post(
    '/property/v1/properties/query',
    operation(
      'property.query',
      (req, ctx) => {
        const body = parseBody(propertyQueryRequestSchema, req.body);
        const id = checkedIdNumber(body.idNumber, ctx);
        const list = (properties.all(id) as { data: string }[]).map((r) => JSON.parse(r.data) as Property);
        ctx.logFields.count = list.length;
        const out: PropertyQueryResponse = {
          requestId: ctx.requestId,
          registry: PROPERTY_REGISTRY,
          holder: holderOf(db, id),
          queriedAt: now().toISOString(),
          properties: list,
        };
        return { body: out };
      },
      deps,
    ),
  );

  router.post(
    '/tax/v1/records/query',
    operation(
      'tax.query',
      (req, ctx) => {
        const body = parseBody(taxQueryRequestSchema, req.body);
        const id = checkedIdNumber(body.idNumber, ctx);
        checkedYears(body.fromYear, body.toYear);
        const records = (taxes.all(id, body.fromYear, body.toYear) as { data: string }[]).map(
          (r) => JSON.parse(r.data) as TaxRecord,
        );
        ctx.logFields.count = records.length;
        const out: TaxQueryResponse = {
          requestId: ctx.requestId,
          holder: holderOf(db, id),
          fromYear: body.fromYear,
          toYear: body.toYear,
          queriedAt: now().toISOString(),
          records,
        };
        return { body: out };
      },
      deps,
    ),
  );

  router.post(
    '/social/v1/payments/query',
    operation(
      'social.query',
      (req, ctx) => {
        const body = parseBody(socialQueryRequestSchema, req.body);
        const id = checkedIdNumber(body.idNumber, ctx);
        checkedYears(body.fromYear, body.toYear);
        const records = (socials.all(id, body.kind, body.fromYear, body.toYear) as { data: string }[]).map(
          (r) => JSON.parse(r.data) as SocialRecord,
        );
        ctx.logFields.count = records.length;
        const out: SocialQueryResponse = {
          requestId: ctx.requestId,
          holder: holderOf(db, id),
          kind: body.kind,
          fromYear: body.fromYear,
          toYear: body.toYear,
          queriedAt: now().toISOString(),
          records,
        };
        return { body: out };
      },
      deps,
    ),
  );
}
