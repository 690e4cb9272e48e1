import type { Request, Response } from 'express';

/** Bad control input (unknown profile, malformed body): answered 400 with the message. */
export class SimulatorInputError extends Error {
  readonly status = 400;
  constructor(message: string) {
    super(message);
    this.name = 'SimulatorInputError';
  }
}

/** Answers 400 for SimulatorInputError and 500 otherwise, always as `{error}` JSON. */
export function sendControlError(res: Response, err: unknown): void {
  if (err instanceof SimulatorInputError) res.status(400).json({ error: err.message });
  else res.status(500).json({ error: err instanceof Error ? err.message : String(err) });
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
