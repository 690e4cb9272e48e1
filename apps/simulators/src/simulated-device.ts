import type { Router } from 'express';

/**
 * A device simulator: owns the device end of a virtual serial cable (see harness/pty-pair.ts)
 * and speaks the real wire protocol there. Its control routes are mounted by the control API
 * at `/<name>` on 127.0.0.1:5852.
 */
export interface SimulatedDevice {
  /** Route prefix and listing name: `idcard`, `printer` … */
  readonly name: string;
  /** The path the agent's config points at. */
  readonly agentPath: string;
  /** Creates the pty pair and starts answering on it. */
  start(): Promise<void>;
  /** Closes the device end and removes the pty pair. Safe to call twice. */
  stop(): Promise<void>;
  /** JSON-safe summary for `GET /` (no personal data beyond the synthetic profile name). */
  state(): Record<string, unknown>;
  router(): Router;
}
