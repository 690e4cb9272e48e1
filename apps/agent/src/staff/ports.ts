/**
 * What the staff handlers need from the rest of the agent, in one place: the citizen's session,
 * the gas engine, the link to central — read from the agent's port registry (../ports.ts), so
 * staff imports no other feature's module.
 */
import type { GasApi } from '../gas/api.js';
import type { AgentContext } from '../modules.js';
import type { SessionApi } from '../session/api.js';

/** What the maintenance panel shows about the link to central (the heartbeat sender's lastResult()). */
export interface NetworkStatusSource {
  lastResult(): {
    ok: boolean | null;
    at: string | null;
    lastSuccessAt: string | null;
    error: string | null;
    outboxDepth: number;
  };
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
    session: () => ctx.ports.get('session'),
    gas: () => ctx.ports.get('gas'),
    network: () => network?.() ?? ctx.ports.get('monitor')?.sender,
    outbox: () => ctx.ports.get('monitor')?.sender,
  };
}
