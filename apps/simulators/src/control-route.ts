import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { serviceError } from '@kiosk/platform';
import { z } from 'zod';

/** Bad control input (unknown profile, malformed body): answered 400 with the message. */
export class SimulatorInputError extends Error {
  readonly status = 400;
  constructor(message: string) {
    super(message);
    this.name = 'SimulatorInputError';
  }
}

/** Answers 400 for SimulatorInputError and 500 otherwise, in the service error shape. */
export function sendControlError(res: Response, err: unknown): void {
  if (err instanceof SimulatorInputError) res.status(400).json(serviceError(err.message));
  else res.status(500).json(serviceError(err instanceof Error ? err.message : String(err)));
}

/** A control route whose handler returns the JSON answer; errors go through sendControlError. */
export const jsonRoute =
  (fn: (body: unknown) => Promise<unknown> | unknown) =>
  async (req: Request, res: Response): Promise<void> => {
    try {
      res.json(await fn(req.body));
    } catch (err) {
      sendControlError(res, err);
    }
  };

/** A device router's last handler: a body that is not JSON (or a failing route) answers 400 there rather than a generic 500. */
export function routerErrorHandler(err: Error & { type?: string }, _req: Request, res: Response, _next: NextFunction): void {
  res.status(400).json(serviceError(err.type === 'entity.parse.failed' ? 'body is not valid JSON' : err.message));
}

/** Validates a control body (absent: `{}`); a bad one is a SimulatorInputError naming each field. */
export function parseControlBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body ?? {});
  if (!r.success) {
    throw new SimulatorInputError(
      r.error.issues.map((i) => `${i.path.length ? i.path.map(String).join('.') : 'body'}: ${i.message}`).join('; '),
    );
  }
  return r.data;
}

const plugSchema = z.object({ connected: z.boolean() }).strict();

/** `POST /plug {"connected": bool}`: plugs the device's cable in or pulls it; answers the state. */
export function plugRoute(device: { setConnected(connected: boolean): Promise<void>; state(): Record<string, unknown> }) {
  return jsonRoute(async (body) => {
    await device.setConnected(parseControlBody(plugSchema, body).connected);
    return device.state();
  });
}

/** A device's control router that takes JSON bodies up to `jsonLimit` and answers `GET /` with the device's state. */
export function stateRouter(device: { state(): unknown }, jsonLimit: string): Router {
  const r = express.Router();
  r.use(express.json({ limit: jsonLimit }));
  r.get(
    '/',
    jsonRoute(() => device.state()),
  );
  return r;
}
