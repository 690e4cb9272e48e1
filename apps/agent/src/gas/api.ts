import type { BusyReason, GasEngine } from './engine.js';
import type { OrderCounts } from './journal.js';

/** What other modules (session, monitor, maintenance) may use. */
export interface GasApi {
  readonly engine: GasEngine;
  /** Payment being watched, gas being credited, card being written or slip printing. */
  isMoneyStepInFlight(): boolean;
  busyReason(): BusyReason | null;
  whenIdle(): Promise<void>;
  /** For heartbeats and the maintenance panel. */
  counts(): OrderCounts;
  /** Start-up recovery finished. */
  ready(): boolean;
  /** Call when the citizen's session ends: closes an unpaid order, waits for money steps. */
  endSession(): Promise<void>;
}

/** The port the gas module provides: the engine's own answers (tests build the same port from an engine). */
export function gasApiOf(engine: GasEngine): GasApi {
  return {
    engine,
    isMoneyStepInFlight: () => engine.isMoneyStepInFlight(),
    busyReason: () => engine.busyReason(),
    whenIdle: () => engine.whenIdle(),
    counts: () => engine.counts(),
    ready: () => engine.ready(),
    endSession: () => engine.endSession(),
  };
}
