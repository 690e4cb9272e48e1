import { randomUUID } from 'node:crypto';
import type { Router } from 'express';
import { evaluationReportSchema, type EvaluationReceipt, type EvaluationReport } from '@kiosk/contracts/evaluation';
import { badRatingLevels } from '@kiosk/contracts/session-view';
import type { Db } from '@kiosk/platform';
import { ApiError, operation, parseBody, type OpDeps } from '../http.js';
import { containsFullIdNumber } from '../mask.js';

interface EvaluationRow {
  evaluation_id: string;
  kiosk_id: string;
  content: string;
  follow_up: number;
  received_at: string;
}

/**
 * The evaluation platform (好差评): takes one report per rating, stores it once per idempotency
 * key, and opens a follow-up for 不满意/非常不满意. Refuses what the national scheme forbids:
 * reasons on a good rating, and anything shaped like a full ID number.
 */
export function mountEvaluation(router: Router, db: Db, deps: OpDeps, now: () => Date): void {
  const byKey = db.prepare('SELECT * FROM evaluations WHERE kiosk_id = ? AND idempotency_key = ?');
  const insert = db.prepare(
    'INSERT INTO evaluations (evaluation_id, kiosk_id, idempotency_key, content, level, follow_up, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const list = db.prepare('SELECT * FROM evaluations WHERE kiosk_id = ? ORDER BY received_at, evaluation_id');
  const receipt = (row: EvaluationRow, created: boolean): EvaluationReceipt => ({
    evaluationId: row.evaluation_id,
    receivedAt: row.received_at,
    followUp: row.follow_up === 1,
    created,
  });

  router.post(
    '/evaluation/v1/ratings',
    operation(
      'evaluation.submit',
      (req, ctx) => {
        const body = parseBody(evaluationReportSchema, req.body);
        if (body.kioskId !== ctx.kioskId) throw new ApiError(400, 'KIOSK_MISMATCH', 'kioskId differs from the X-Kiosk-Id header');
        if (containsFullIdNumber(JSON.stringify(body))) {
          throw new ApiError(422, 'UNMASKED_PERSONAL_DATA', 'ratings must not carry an ID number; send subjectHash only');
        }
        const bad = badRatingLevels.includes(body.level);
        if (!bad && body.reasons.length > 0)
          throw new ApiError(422, 'REASONS_NOT_ALLOWED', 'reasons go with 不满意/非常不满意 only');
        if (!bad && body.subjectHash !== null)
          throw new ApiError(422, 'LINK_NOT_ALLOWED', 'a subject link goes with a follow-up (bad rating) only');
        const { idempotencyKey, ...content } = body;
        const existing = byKey.get(ctx.kioskId, idempotencyKey) as EvaluationRow | undefined;
        ctx.logFields.level = body.level;
        if (existing) {
          if (existing.content !== JSON.stringify(content)) {
            throw new ApiError(409, 'IDEMPOTENCY_CONFLICT', 'this idempotencyKey was already used for a different rating');
          }
          ctx.logFields.replay = 1;
          return { body: receipt(existing, false) };
        }
        const row: EvaluationRow = {
          evaluation_id: `EV${randomUUID().replace(/-/g, '').slice(0, 20).toUpperCase()}`,
          kiosk_id: ctx.kioskId,
          content: JSON.stringify(content),
          follow_up: bad ? 1 : 0,
          received_at: now().toISOString(),
        };
        insert.run(row.evaluation_id, row.kiosk_id, idempotencyKey, row.content, body.level, row.follow_up, row.received_at);
        return { status: 201, body: receipt(row, true) };
      },
      deps,
    ),
  );

  // What the platform holds for a kiosk (tests and demos; the real platform has its own console).
  router.get(
    '/evaluation/v1/ratings',
    operation(
      'evaluation.list',
      (_req, ctx) => {
        const rows = list.all(ctx.kioskId) as (EvaluationRow & { idempotency_key: string })[];
        return {
          body: {
            ratings: rows.map((r) => ({
              ...receipt(r, false),
              idempotencyKey: r.idempotency_key,
              report: JSON.parse(r.content) as Omit<EvaluationReport, 'idempotencyKey'>,
            })),
          },
        };
      },
      deps,
    ),
  );
}
