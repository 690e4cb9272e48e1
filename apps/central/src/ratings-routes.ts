import express, { type Router } from 'express';
import { z } from 'zod';
import { serviceError } from '@kiosk/platform';
import { currentUser, sameOriginJson, type Sessions } from './auth.js';
import type { RatingsBook } from './ratings.js';

const summaryQuerySchema = z.object({
  days: z.coerce.number().int().min(1).max(90).default(14),
  site: z.string().min(1).max(200).optional(),
  service: z
    .string()
    .regex(/^[a-z]{1,32}$/)
    .optional(),
});

const handleSchema = z.object({ note: z.string().trim().min(1, '请填写处理说明 A note is required').max(500) }).strict();

/** 好差评 on the dashboard: summary and chart data, follow-up items, marking one handled. */
export function ratingsRoutes(ratings: RatingsBook, sessions: Sessions): Router {
  const r = express.Router();
  const json = express.json({ limit: '16kb' });
  const viewer = sessions.require('viewer');
  const operator = sessions.require('operator');

  r.get('/ratings/summary', viewer, async (req, res) => {
    const q = summaryQuerySchema.safeParse(req.query);
    if (!q.success) {
      res.status(400).json(serviceError(`invalid query: ${q.error.issues[0]?.path.join('.')}`));
      return;
    }
    const summary = await ratings.summary(q.data.days, Date.now(), { site: q.data.site, service: q.data.service });
    res.setHeader('Cache-Control', 'no-store');
    res.json({ ok: true, summary });
  });

  r.get('/followups', viewer, async (req, res) => {
    const followups = await ratings.followups(req.query.state !== 'all');
    res.setHeader('Cache-Control', 'no-store');
    res.json({ ok: true, followups });
  });

  // Same protection as the dashboard's other actions: operator role, same-origin JSON (CSRF).
  r.post('/followups/:id/handle', operator, sameOriginJson, json, async (req, res) => {
    const id = String(req.params.id);
    const p = handleSchema.safeParse(req.body);
    if (!p.success) {
      res.status(400).json(serviceError(p.error.issues[0]?.message ?? 'invalid'));
      return;
    }
    if (!(await ratings.followup(id))) {
      res.status(404).json(serviceError('无此整改事项 No such follow-up'));
      return;
    }
    // Handled and audited in one transaction (ratings.ts): of two at once, exactly one wins.
    if (!(await ratings.handle(id, currentUser(res).username, p.data.note, Date.now()))) {
      res.status(409).json(serviceError('该事项已处理 Already handled'));
      return;
    }
    res.json({ ok: true, followup: await ratings.followup(id) });
  });

  return r;
}
