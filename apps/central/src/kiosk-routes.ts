import express, { type Express } from 'express';
import type { Logger } from 'pino';
import {
  commandAcksRequestSchema,
  commandWaitRequestSchema,
  endpoints,
  eventsRequestSchema,
  headers,
  heartbeatSchema,
  type Heartbeat,
} from '@kiosk/contracts/heartbeat';
import { bodyLimit, signedLocals, verifyKioskRequest } from './auth.js';
import type { PreviousBeat } from './charts/history.js';
import type { Fleet } from './fleet.js';
import type { KioskKeys } from './kiosk-keys.js';
import type { CentralMetrics } from './metrics.js';
import { UploadGate } from './upload-gate.js';

const pngMagic = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * The signed API kiosks call: heartbeats, outbox events, command results, screenshots. Registered
 * on the app itself with full paths: a nested router's prefix matching is measurable per heartbeat.
 */
export function registerKioskRoutes(
  app: Express,
  prefix: string,
  fleet: Fleet,
  keys: KioskKeys,
  metrics: CentralMetrics,
  maxSkewMs: number,
  log: Logger,
  gate = new UploadGate(),
  /** Told of every accepted heartbeat with the kiosk's previous one (the charts' history). */
  onHeartbeat?: (kioskId: string, prev: PreviousBeat, hb: Heartbeat, now: number) => void,
): void {
  const r = { post: (path: string, ...handlers: express.RequestHandler[]) => app.post(prefix + path, ...handlers) };
  // Declares the route's limit only: `verify` reads the body itself, after checking the headers.
  const raw = (limit: string) => bodyLimit(limit);
  const reading = { gate, onBodyBytes: (n: number) => metrics.bodyBytes.inc(n) };
  const verify = (e: Parameters<typeof verifyKioskRequest>[2]) =>
    verifyKioskRequest(keys, fleet.store, e, maxSkewMs, (reason) => metrics.rejected.inc({ reason }), reading);

  /** Parses a signed JSON body; on failure answers 400 (the sequence number is used up either way). */
  function parseJson<T>(
    res: express.Response,
    parse: (
      v: unknown,
    ) => { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } },
  ): T | undefined {
    const { kioskId, body } = signedLocals(res);
    let json: unknown;
    try {
      const text = body.toString('utf8');
      // Kept for the heartbeat route, which stores the body as received: decode once, not twice.
      res.locals.bodyText = text;
      json = JSON.parse(text);
    } catch {
      res.status(400).json({ ok: false, reason: 'invalid', error: 'body is not valid JSON' });
      return undefined;
    }
    const p = parse(json);
    if (!p.success) {
      const issue = p.error.issues[0];
      const error = `${issue?.path.map(String).join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`;
      log.warn({ kiosk: kioskId, error }, 'kiosk sent an invalid body');
      res.status(400).json({ ok: false, reason: 'invalid', error });
      return undefined;
    }
    return p.data;
  }

  r.post('/heartbeats', raw('256kb'), verify(endpoints.heartbeats), async (_req, res) => {
    const hb = parseJson(res, (v) => heartbeatSchema.safeParse(v));
    if (!hb) return;
    const { kioskId, claimed, seq } = signedLocals(res);
    if (hb.kioskId !== kioskId) {
      res.status(400).json({ ok: false, reason: 'invalid', error: 'kioskId in the body differs from the signed kiosk id' });
      return;
    }
    const now = Date.now();
    const before = fleet.get(kioskId);
    const prev: PreviousBeat = { hb: before?.last ?? null, at: before?.lastSeenAt ?? null };
    const out = await fleet.acceptHeartbeat(kioskId, claimed, seq, hb, res.locals.bodyText as string, now);
    onHeartbeat?.(kioskId, prev, hb, now);
    metrics.heartbeats.inc();
    res.json(out);
  });

  r.post('/events', raw('4mb'), verify(endpoints.events), async (_req, res) => {
    const req = parseJson(res, (v) => eventsRequestSchema.safeParse(v));
    if (!req) return;
    const { kioskId, claimed } = signedLocals(res);
    const { ackedSeq, applied } = await fleet.acceptEvents(kioskId, claimed, req.events, Date.now());
    metrics.events.inc(applied);
    res.json({ ok: true, ackedSeq });
  });

  r.post('/command-acks', raw('256kb'), verify(endpoints.commandAcks), async (_req, res) => {
    const req = parseJson(res, (v) => commandAcksRequestSchema.safeParse(v));
    if (!req) return;
    const { kioskId } = signedLocals(res);
    res.json({ ok: true, acked: await fleet.commands.acks(kioskId, req.acks, Date.now()) });
  });

  // Long-poll: answered at once when commands are deliverable, else when one is issued for this
  // kiosk or after waitMs with an empty list. The kiosk keeps one such request open at a time.
  r.post('/command-wait', raw('64kb'), verify(endpoints.commandWait), async (_req, res) => {
    const body = parseJson(res, (v) => commandWaitRequestSchema.safeParse(v));
    if (!body) return;
    const { kioskId } = signedLocals(res);
    const send = (commands: Awaited<ReturnType<Fleet['commandsForWait']>>): void => {
      if (!res.writableEnded) res.json({ ok: true, serverTime: new Date().toISOString(), commands });
    };
    const now = await fleet.commandsForWait(kioskId, body.pendingCommands, Date.now());
    // Commands the kiosk already holds do not count: it waits for new ones.
    if (now.length > 0 || body.waitMs === 0) {
      send(now);
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      cancel();
      fleet.commandsForWait(kioskId, body.pendingCommands, Date.now()).then(send, (err: unknown) => {
        log.error({ err }, 'command wait failed');
        if (!res.headersSent) res.status(500).json({ ok: false, error: 'internal error' });
      });
    };
    const timer = setTimeout(done, body.waitMs);
    const cancel = fleet.commands.onIssued(kioskId, done);
    res.on('close', () => {
      clearTimeout(timer);
      cancel();
    });
  });

  r.post('/screenshots', raw('16mb'), verify(endpoints.screenshots), async (req, res) => {
    const { kioskId, body } = signedLocals(res);
    if (body.length < 8 || !body.subarray(0, 8).equals(pngMagic)) {
      res.status(400).json({ ok: false, reason: 'invalid', error: 'body must be a PNG image' });
      return;
    }
    const commandId = req.get(headers.commandId)?.slice(0, 64);
    const id = await fleet.storeScreenshot(kioskId, body, commandId, Date.now());
    res.json({ ok: true, id });
  });
}
