import type { Express } from 'express';
import type { KioskConfig } from '@kiosk/kiosk-config';
import type { Logger } from '@kiosk/platform';
import type { Db } from '@kiosk/platform';
import type { CommandDefinition } from './api/commands.js';
import type { DeviceDriver, DeviceStatus } from '@kiosk/contracts/device-status';
import type { PortRegistry } from './ports.js';

export type KioskMode = 'in-service' | 'out-of-service' | 'maintenance' | 'assisted';

/** The kiosk's operating mode; a change is broadcast to the UI and reported in heartbeats. */
export interface ModeController {
  get(): KioskMode;
  /** Message shown on the out-of-service page (zh-CN first); undefined for the default text. */
  message(): string | undefined;
  set(mode: KioskMode, message?: string): void;
  onChange(fn: (mode: KioskMode, message: string | undefined) => void): () => void;
}

/** Drivers by kind. Feature modules narrow the type they need with the driver's own class. */
type AgentDevices = ReadonlyMap<string, DeviceDriver>;

/** What every feature module of the agent is given. Arrows point down only: modules use this. */
export interface AgentContext {
  config: KioskConfig;
  db: Db;
  logger: Logger;
  devices: AgentDevices;
  deviceStatuses(): Record<string, DeviceStatus>;
  mode: ModeController;
  /** The agent's own URL once it listens (e.g. http://127.0.0.1:5846); empty before. */
  url(): string;
  /** The per-boot token the served page carries; HTTP routes for the page alone check it. */
  token(): string;
  /** Sends an unsolicited message to every UI connection. */
  broadcast(name: string, payload: unknown): void;
  /** Appends to the audit log. `detail` must hold masked or hashed forms only. */
  audit(actor: string, action: string, detail?: Record<string, unknown>): void;
  /** The ports features offer each other (ports.ts): how a feature reaches another without importing it. */
  ports: PortRegistry;
}

/** A feature (session, maintenance, monitoring …) plugged into the agent. */
export interface AgentModule {
  name: string;
  commands?: CommandDefinition[];
  /** Extra HTTP routes (e.g. /metrics); mounted before the UI fallback. */
  routes?(app: Express): void;
  /** Called after the HTTP server listens. */
  start?(): Promise<void>;
  stop?(): Promise<void>;
  /** Merged into GET /healthz. */
  health?(): Record<string, unknown>;
}

export type AgentModuleFactory = (ctx: AgentContext) => AgentModule | Promise<AgentModule>;
