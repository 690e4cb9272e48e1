import express, { type Router } from 'express';
import { gzipSync } from 'node:zlib';
import { z } from 'zod';
import { serviceError } from '@kiosk/platform';
import { kioskModes, remoteCommandKinds } from '@kiosk/contracts/health';
import { fleetStates } from '@kiosk/contracts/heartbeat';
import { currentUser, sameOriginJson, type Sessions } from './auth.js';
import type { CentralConfig } from './config.js';
import type { Fleet } from './fleet.js';

const loginSchema = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) });
const commandSchema = z
  .object({
    kind: z.enum(remoteCommandKinds),
    /** Shown on the kiosk's out-of-service page; operator text, never personal data. */
    message: z.string().trim().max(200).optional(),
  })
  .strict();

const day = 86_400_000;

const fleetQuerySchema = z.object({
  state: z.enum(fleetStates).optional(),
  mode: z.enum(kioskModes).optional(),
  q: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(100_000).optional(),
});

/** Session login and the JSON API behind the dashboard. Viewers read; operators also act. */
export function dashboardRoutes(fleet: Fleet, sessions: Sessions, config: CentralConfig): Router {
  const r = express.Router();
  const json = express.json({ limit: '16kb' });
  const viewer = sessions.require('viewer');
  const operator = sessions.require('operator');

  r.post('/session', sameOriginJson, json, async (req, res) => {
    const p = loginSchema.safeParse(req.body);
    if (!p.success) {
      res.status(400).json(serviceError('请输入用户名和密码 Username and password required'));
      return;
    }
    // req.ip is the socket's address unless listen.trustProxy names the proxy in front of central.
    const s = await sessions.login(p.data.username, p.data.password, req.ip ?? 'unknown');
    if (s === 'locked') {
      const minutes = config.dashboard.lockout.lockMinutes;
      res
        .status(429)
        .json(serviceError(`尝试次数过多，请${minutes}分钟后再试 Too many attempts; try again in ${minutes} minutes`));
      return;
    }
    if (!s) {
      await fleet.audit(`user:${p.data.username}`, 'login.failed', null, {}, Date.now());
      res.status(401).json(serviceError('用户名或密码错误 Wrong username or password'));
      return;
    }
    await fleet.audit(`user:${s.user.username}`, 'login', null, { role: s.user.role }, Date.now());
    res.setHeader('Set-Cookie', sessions.cookie(s.token));
    res.json({ ok: true, user: s.user });
  });

  r.get('/session', viewer, (_req, res) => {
    res.json({ ok: true, user: currentUser(res) });
  });

  r.delete('/session', async (req, res) => {
    await sessions.logout(req);
    res.setHeader('Set-Cookie', sessions.clearCookie());
    res.json({ ok: true });
  });

  /**
   * Fleet list. `?limit=N&state=&mode=&q=` returns the whole-fleet counts, per-site counts of the
   * matches and the first N matching rows (what the dashboard asks for); without `limit`, every
   * matching kiosk. Big answers are gzipped when the client accepts it (phones on mobile data).
   */
  r.get('/kiosks', viewer, async (req, res) => {
    const p = fleetQuerySchema.safeParse(req.query);
    if (!p.success) {
      res.status(400).json(serviceError(`invalid query: ${p.error.issues[0]?.path.join('.')}`));
      return;
    }
    const page = await fleet.query(p.data);
    const body = Buffer.from(
      JSON.stringify({ ok: true, generatedAt: Date.now(), notSeenDays: config.fleet.notSeenDays, ...page }),
    );
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Vary', 'Accept-Encoding');
    if (body.length > 8192 && /\bgzip\b/.test(req.get('accept-encoding') ?? '')) {
      res.setHeader('Content-Encoding', 'gzip');
      res.end(gzipSync(body, { level: 4 }));
      return;
    }
    res.end(body);
  });

  r.get('/kiosks/:id', viewer, async (req, res) => {
    const d = await fleet.detail(String(req.params.id));
    if (!d) {
      res.status(404).json(serviceError('无此终端 No such kiosk'));
      return;
    }
    res.json({ ok: true, kiosk: d });
  });

  r.post('/kiosks/:id/commands', operator, sameOriginJson, json, async (req, res) => {
    const id = String(req.params.id);
    if (!fleet.get(id)) await fleet.refreshOne(id);
    if (!fleet.get(id)) {
      res.status(404).json(serviceError('无此终端 No such kiosk'));
      return;
    }
    const p = commandSchema.safeParse(req.body);
    if (!p.success) {
      res.status(400).json(serviceError(`invalid command: ${p.error.issues[0]?.message ?? ''}`));
      return;
    }
    const cmd = await fleet.commands.issue(id, p.data.kind, p.data.message || undefined, currentUser(res).username, Date.now());
    res.status(202).json({ ok: true, command: cmd });
  });

  r.get('/commands/:id', viewer, async (req, res) => {
    const c = await fleet.commands.command(String(req.params.id));
    if (!c) {
      res.status(404).json(serviceError('no such command'));
      return;
    }
    res.json({ ok: true, command: c });
  });

  r.get('/alerts', viewer, async (req, res) => {
    const open = req.query.state !== 'all';
    const alerts = open
      ? (await fleet.alerts.allOpen()).sort((a, b) => b.openedAt - a.openedAt)
      : await fleet.alerts.recent(Math.min(1000, Number(req.query.limit) || 200));
    res.json({
      ok: true,
      alerts: alerts.map((a) => ({ ...a, site: fleet.get(a.kioskId)?.site ?? null, name: fleet.get(a.kioskId)?.name ?? null })),
    });
  });

  r.post('/alerts/:id/ack', operator, sameOriginJson, json, async (req, res) => {
    const id = Number(req.params.id);
    const a = Number.isSafeInteger(id) ? await fleet.acknowledgeAlert(id, currentUser(res).username, Date.now()) : undefined;
    if (!a) {
      res.status(404).json(serviceError('no such alert'));
      return;
    }
    res.json({ ok: true, alert: a });
  });

  r.get('/not-seen', viewer, async (req, res) => {
    const days = Math.max(0, Number(req.query.days ?? config.fleet.notSeenDays) || 0);
    const cut = Date.now() - days * day;
    const kiosks = (await fleet.query({})).kiosks
      .filter((k) => k.lastSeenAt === null || k.lastSeenAt < cut)
      .sort((a, b) => (a.lastSeenAt ?? 0) - (b.lastSeenAt ?? 0));
    res.json({ ok: true, days, kiosks });
  });

  r.get('/screenshots/:id', viewer, async (req, res) => {
    const s = await fleet.screenshot(String(req.params.id));
    if (!s) {
      res.status(404).json(serviceError('no such screenshot'));
      return;
    }
    res.setHeader('Cache-Control', 'private, max-age=86400, immutable');
    res.type('png').send(s.png);
  });

  return r;
}
