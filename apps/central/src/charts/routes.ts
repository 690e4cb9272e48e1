import express, { type Router } from 'express';
import { z } from 'zod';
import { serviceError } from '@kiosk/platform';
import type { Sessions } from '../auth.js';
import type { ChartQueries } from './queries.js';

const daysSchema = z.object({ days: z.enum(['7', '30']).default('7') });
const siteSchema = daysSchema.extend({ site: z.string().min(1).max(100) });

/** Sparklines for every site cost one scan of the window's state changes: share it for a minute. */
const sitesCacheMs = 60_000;

/**
 * `GET /charts/kiosk/:id?days=7|30`, `GET /charts/site?site=…&days=7|30`, `GET /charts/sites?days=7`
 * (viewer). Unknown kiosks and sites answer 404.
 */
export function chartRoutes(
  charts: ChartQueries,
  sessions: Sessions,
  known: { kiosk(id: string): boolean; site(site: string): boolean },
): Router {
  const r = express.Router();
  const viewer = sessions.require('viewer');
  const cache = new Map<string, { at: number; body: unknown }>();

  r.get('/charts/kiosk/:id', viewer, (req, res, next) => {
    const id = String(req.params.id);
    const p = daysSchema.safeParse(req.query);
    if (!p.success) {
      res.status(400).json(serviceError('days must be 7 or 30'));
      return;
    }
    if (!known.kiosk(id)) {
      res.status(404).json(serviceError('无此终端 No such kiosk'));
      return;
    }
    charts.kiosk(id, Number(p.data.days)).then((series) => res.json({ ok: true, series }), next);
  });

  r.get('/charts/site', viewer, (req, res, next) => {
    const p = siteSchema.safeParse(req.query);
    if (!p.success) {
      res.status(400).json(serviceError('site and days (7 or 30) required'));
      return;
    }
    if (!known.site(p.data.site)) {
      res.status(404).json(serviceError('无此站点 No such site'));
      return;
    }
    charts.site(p.data.site, Number(p.data.days)).then((series) => res.json({ ok: true, series }), next);
  });

  r.get('/charts/sites', viewer, (req, res, next) => {
    const p = daysSchema.safeParse(req.query);
    if (!p.success) {
      res.status(400).json(serviceError('days must be 7 or 30'));
      return;
    }
    const hit = cache.get(p.data.days);
    if (hit && Date.now() - hit.at < sitesCacheMs) {
      res.json(hit.body);
      return;
    }
    charts.sites(Number(p.data.days)).then((v) => {
      const body = { ok: true, ...v };
      cache.set(p.data.days, { at: Date.now(), body });
      res.json(body);
    }, next);
  });

  return r;
}
