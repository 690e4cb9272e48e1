import type { GasApi } from './gas/api.js';
import type { MonitorApi } from './monitor/api.js';
import type { PhotoApi } from './photo/api.js';
import type { RatingsApi } from './ratings/api.js';
import type { SessionApi } from './session/api.js';

/**
 * The small interfaces features offer each other. A feature never imports another feature's
 * module: it provides its port when it starts and reads the others' through ctx.ports, which the
 * agent creates once per run (agent.ts). A port that no running module provides reads as
 * undefined, so a kiosk without, say, gas top-up simply has no gas port.
 */
interface AgentPorts {
  /** The citizen's session: its view, the safe-point gate (whenSafe) and machine events. */
  session: SessionApi;
  /** Gas orders: busy state, counts, end-of-session settlement. */
  gas: GasApi;
  /** The heartbeat sender and its durable outbox: the alert and event sink for central. */
  monitor: MonitorApi;
  /** 自助照相: the booth (camera, checks, crop) and the photo orders. */
  photo: PhotoApi;
  /** 好差评: takes a rating and owes its delivery to the evaluation platform (and central). */
  ratings: RatingsApi;
}

export interface PortRegistry {
  get<K extends keyof AgentPorts>(name: K): AgentPorts[K] | undefined;
  provide<K extends keyof AgentPorts>(name: K, port: AgentPorts[K]): void;
  withdraw(name: keyof AgentPorts): void;
}

export function createPortRegistry(): PortRegistry {
  const ports = new Map<keyof AgentPorts, unknown>();
  return {
    get: <K extends keyof AgentPorts>(name: K) => ports.get(name) as AgentPorts[K] | undefined,
    provide: (name, port) => {
      if (ports.has(name)) throw new Error(`port "${name}" is provided twice`);
      ports.set(name, port);
    },
    withdraw: (name) => {
      ports.delete(name);
    },
  };
}
