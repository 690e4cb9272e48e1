/**
 * The error bodies our HTTP servers answer, and the Express handlers that send them. Two shapes,
 * each with its readers:
 * - our own services (agent, central, simulator control API): `{ ok: false, error: "…" }`, read by
 *   the kiosk UI, the central dashboard and tests;
 * - the sandbox upstream: `{ error: { code, message } }`, the upstream contract
 *   (`errorBodySchema` in @kiosk/contracts/upstream, docs/sandbox-api.openapi.yaml).
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';

export interface ServiceErrorBody {
  ok: false;
  error: string;
}

export interface UpstreamErrorBody {
  error: { code: string; message: string };
}

export const serviceError = (message: string): ServiceErrorBody => ({ ok: false, error: message });

export const upstreamError = (code: string, message: string): UpstreamErrorBody => ({ error: { code, message } });

interface HttpishError {
  status?: unknown;
  type?: unknown;
  message?: unknown;
}

/** The status for an error that reached Express: the 4xx it carries (body-parser sets one), else 500. */
export function errorStatus(err: unknown): number {
  const s = (err as HttpishError | null)?.status;
  return typeof s === 'number' && s >= 400 && s < 500 ? s : 500;
}

/** What a client may read about an error: body-parser's reasons in plain words, a 4xx's message, never a 500's internals. */
export function publicMessage(err: unknown, status: number = errorStatus(err)): string {
  const e = err as HttpishError | null;
  if (e?.type === 'entity.parse.failed') return 'body is not valid JSON';
  if (e?.type === 'entity.too.large') return 'body too large';
  if (status >= 500) return 'internal error';
  return typeof e?.message === 'string' ? e.message : String(err);
}

interface ErrorLog {
  error(obj: object, msg: string): void;
}

/** 404 for routes nobody answered, in the service shape. */
export const serviceNotFound: RequestHandler = (_req, res) => {
  res.status(404).json(serviceError('no such route'));
};

/** Express's last error handler for our services; a 500 is logged with its cause, answered without. */
export function serviceErrorHandler(log?: ErrorLog): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const status = errorStatus(err);
    if (status >= 500) log?.error({ err, path: req.path }, 'request failed');
    if (!res.headersSent) res.status(status).json(serviceError(publicMessage(err, status)));
  };
}
