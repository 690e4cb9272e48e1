/**
 * What the staff handlers need from the rest of the agent, in one place: the citizen's session,
 * the gas engine, the link to central. Today these are found through the modules' getters; the
 * wiring (issue 13: ports from compose.ts) replaces this one file, not every handler.
 */
import { getGasApi, type GasApi } from '../gas/module.js';
import type { AgentContext } from '../modules.js';
import { getMonitorApi } from '../monitor/module.js';
import { getSessionApi, type SessionApi } from '../session/module.js';

/** What the maintenance panel shows about the link to central (the heartbeat sender's lastResult()). */
export interface NetworkStatusSource {
  lastResult(): { ok: boolean | null; at: string | null; lastSuccessAt: string | null; error: string | null; outboxDepth: number };
}

/** The durable outbox to central (the monitor's heartbeat sender). */
export interface AlertOutbox {
  enqueueEvent(type: string, payload: Record<string, unknown>): unknown;
}

export interface StaffPorts {
  session(): SessionApi | undefined;
  gas(): GasApi | undefined;
  network(): NetworkStatusSource | undefined;
  outbox(): AlertOutbox | undefined;
}

export function staffPorts(ctx: AgentContext, network?: () => NetworkStatusSource | undefined): StaffPorts {
  return {
    session: () => getSessionApi(ctx),
    gas: () => getGasApi(ctx),
    network: () => network?.() ?? getMonitorApi(ctx)?.sender,
    outbox: () => getMonitorApi(ctx)?.sender,
  };
}
