import { randomUUID } from 'node:crypto';
import { upstreamError } from '@kiosk/platform';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { ActiveFault, FaultRegistry } from './faults.js';

/** An error the sandbox answers with `{error: {code, message}, requestId}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface OpContext {
  requestId: string;
  kioskId: string;
  log: Logger;
  /** Masked forms the request log may carry (never a full id number or name). */
  logFields: Record<string, string | number>;
}

interface OpResult {
  status?: number;
  body: unknown;
  /** Sent as text/html instead of JSON (browser pages). */
  html?: string;
  /** Sent as these bytes with this content type instead of JSON (stored images). */
  binary?: { type: string; bytes: Buffer };
}

export type OpHandler = (req: Request, ctx: OpContext) => OpResult | Promise<OpResult>;

export interface OpDeps {
  log: Logger;
  faults: FaultRegistry;
  /** Sockets held open by `timeout` faults, released on close. */
  hanging: Set<NodeJS.Timeout>;
  /**
   * Calls held by a `delay` fault. `count`: held before the operation ran (the credit that lands
   * after the kiosk gave up); tests wait for it to reach 0 before reading the upstreams' records.
   * `applied`: the operation ran and its answer is being held (phase `after`): the window in which
   * the upstream has acted and the kiosk cannot have journaled it yet.
   */
  held?: { count: number; applied: Map<number, { operation: string; since: string }> };
}

const HEADER_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/** Validates a JSON body; zod messages carry paths and rules, never the submitted values. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body ?? {});
  if (!r.success) {
    const why = r.error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'body'}: ${i.message}`).join('; ');
    throw new ApiError(400, 'INVALID_REQUEST', why);
  }
  return r.data;
}

function send(res: Response, requestId: string, status: number, body: unknown): void {
  res.status(status).set('X-Request-Id', requestId).json(body);
}

function sendResult(res: Response, requestId: string, status: number, result: OpResult): void {
  if (result.html !== undefined) res.status(status).set('X-Request-Id', requestId).type('html').send(result.html);
  else if (result.binary) res.status(status).set('X-Request-Id', requestId).type(result.binary.type).send(result.binary.bytes);
  else send(res, requestId, status, result.body);
}

function applyFault(f: ActiveFault, req: Request, res: Response, requestId: string, deps: OpDeps): void {
  switch (f.kind) {
    case 'error':
      send(res, requestId, f.status ?? 503, {
        ...upstreamError('INJECTED_FAULT', `injected ${f.status ?? 503} for ${f.operation}`),
        requestId,
      });
      return;
    case 'malformed':
      res.status(200).set('X-Request-Id', requestId).type('application/json').send(`{"requestId":"${requestId}","data":[{"trunc`);
      return;
    case 'invalid':
      send(res, requestId, 200, { requestId, unexpected: true });
      return;
    case 'reset':
      req.socket.destroy();
      return;
    case 'timeout': {
      // Hold the request open; the client is expected to give up first.
      const t = setTimeout(() => {
        deps.hanging.delete(t);
        req.socket.destroy();
      }, f.delayMs ?? 60_000);
      deps.hanging.add(t);
      req.socket.once('close', () => {
        clearTimeout(t);
        deps.hanging.delete(t);
      });
      return;
    }
    case 'delay':
      return;
  }
}

/**
 * Wraps one named API operation: checks the X-Kiosk-Id / X-Request-Id headers, applies injected
 * faults, runs the handler, maps errors to the JSON error body and logs one line per call.
 */
export function operation(name: string, handler: OpHandler, deps: OpDeps, opts: { public?: boolean } = {}): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    const kioskId = req.get('x-kiosk-id') ?? '';
    const headerRequestId = req.get('x-request-id') ?? '';
    const requestId = HEADER_ID.test(headerRequestId) ? headerRequestId : randomUUID();
    const ctx: OpContext = { requestId, kioskId, log: deps.log, logFields: {} };
    let status = 200;
    let fault: string | undefined;
    try {
      // Public pages (verify, pay) are opened by any browser and carry no kiosk headers.
      if (!opts.public && (!HEADER_ID.test(kioskId) || !HEADER_ID.test(headerRequestId))) {
        throw new ApiError(
          400,
          'MISSING_HEADERS',
          'X-Kiosk-Id and X-Request-Id headers are required (1–100 of A-Z a-z 0-9 . _ : -)',
        );
      }
      const before = deps.faults.take(name, 'before');
      if (before?.kind === 'delay') {
        if (deps.held) deps.held.count += 1;
        try {
          await new Promise((r) => setTimeout(r, before.delayMs ?? 1000));
          // The caller may have given up long ago; the operation still happens, as on a real
          // back end that received the request.
          const result = await handler(req, ctx);
          status = result.status ?? 200;
          if (!res.writableEnded && !req.socket.destroyed) sendResult(res, requestId, status, result);
          return;
        } finally {
          if (deps.held) deps.held.count -= 1;
        }
      } else if (before) {
        fault = before.kind;
        status = before.kind === 'error' ? (before.status ?? 503) : 200;
        applyFault(before, req, res, requestId, deps);
        return;
      }
      const result = await handler(req, ctx);
      status = result.status ?? 200;
      const afterFault = deps.faults.take(name, 'after');
      if (afterFault?.kind === 'delay') {
        // Applied; the answer comes late (the kiosk may time out, or be killed, meanwhile).
        const key = afterFault.id * 1_000_000 + Math.floor(Math.random() * 1_000_000);
        deps.held?.applied.set(key, { operation: name, since: new Date().toISOString() });
        try {
          await new Promise((r) => setTimeout(r, afterFault.delayMs ?? 1000));
        } finally {
          deps.held?.applied.delete(key);
        }
        fault = 'delay';
        if (res.writableEnded || req.socket.destroyed) return;
      } else if (afterFault) {
        fault = afterFault.kind;
        applyFault(afterFault, req, res, requestId, deps);
        return;
      }
      sendResult(res, requestId, status, result);
    } catch (err) {
      if (err instanceof ApiError) {
        status = err.status;
        send(res, requestId, err.status, { ...upstreamError(err.code, err.message), requestId });
      } else {
        status = 500;
        deps.log.error({ op: name, requestId, err }, 'sandbox operation failed');
        if (!res.headersSent) {
          send(res, requestId, 500, { ...upstreamError('INTERNAL', 'internal error in the sandbox'), requestId });
        } else next(err);
      }
    } finally {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      deps.log.info(
        {
          op: name,
          kioskId: HEADER_ID.test(kioskId) ? kioskId : undefined,
          requestId,
          status,
          ms: Math.round(ms * 10) / 10,
          fault,
          ...ctx.logFields,
        },
        'upstream call',
      );
    }
  };
}
