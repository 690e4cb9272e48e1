import type { Request, Response } from 'express';
import { serviceError } from '@kiosk/platform';

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
