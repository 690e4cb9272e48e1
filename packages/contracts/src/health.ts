import type { DeviceStatus, PaperState } from './device-status.js';

/** The kiosk's operating mode, as shown to operations staff. */
export const kioskModes = ['in-service', 'out-of-service', 'maintenance', 'assisted'] as const;
export type KioskMode = (typeof kioskModes)[number];

/**
 * Counters since the agent process started (monotonic, reset to 0 on restart). Central turns them
 * into fleet-wide `_total` counters using the heartbeat's boot id, so a lost or repeated beat never
 * counts twice.
 */
export interface HealthCounters {
  sessionsStarted: number;
  sessionsCompleted: number;
  /** Services finished (a query printed, a top-up credited …), any service. */
  transactions: number;
  transactionsFailed: number;
  /** `transactions` by citizen service id (property, tax, social, gas); for central's charts. */
  byService?: Record<string, number>;
}

/** The plain counters (what Prometheus exports and central adds into totals). */
export type CounterName = Exclude<keyof HealthCounters, 'byService'>;

/** What the agent knows about itself. Disk, memory and uptime the sender reads itself. */
export interface HealthSnapshot {
  mode: KioskMode;
  /** The message shown on the out-of-service page, if any (operator text, never personal data). */
  modeMessage?: string;
  /** Keyed by driver kind: `idcard`, `printer`, `camera` … */
  devices: Record<string, DeviceStatus>;
  /** The receipt printer's paper; `unknown` when there is no printer. */
  paper: PaperState;
  counters: HealthCounters;
  gas: {
    /** Paid orders whose credit is not delivered yet (待写卡 / pending credit). */
    creditPending: number;
    /** Orders recovery could not settle; an operator must look at them. */
    needsAttention: number;
  };
  ui: {
    /** The kiosk UI pinged the agent recently. A dead UI means a dead kiosk. */
    alive: boolean;
    /** ISO time of the last ping, or null if the UI never connected since start. */
    lastPingAt: string | null;
    /** Browser restarts by the agent's watchdog in the last hour (selfcare on), and the last one. */
    browserRestartsLastHour?: number;
    lastBrowserRestart?: { at: string; reason: string } | null;
  };
  versions: { agent: string; ui: string | null };
  /** Hash of the effective configuration, so ops can see which kiosks run which config. */
  configHash: string;
  /**
   * Citizen services and which of them are paused now (device, upstream or config), so a kiosk
   * "in service" with most services greyed out shows as degraded. Absent from older agents.
   */
  services?: ServiceHealth;
}

export interface ServiceHealth {
  total: number;
  /** Paused services with the reason codes the kiosk shows (paperOut, upstreamDown …). */
  paused: { id: string; reasons: string[] }[];
}

/** The agent implements this; the heartbeat sender and the local /metrics read it. */
export interface HealthSource {
  snapshot(): HealthSnapshot | Promise<HealthSnapshot>;
}

/** The remote commands central can send. */
export const remoteCommandKinds = [
  'set-out-of-service',
  'set-in-service',
  'restart-ui',
  'screenshot',
  'printer-test-page',
  'reload-config',
] as const;
export type RemoteCommandKind = (typeof remoteCommandKinds)[number];

export interface RemoteCommand {
  /** Central's id for the command; the agent runs each id at most once. */
  id: string;
  kind: RemoteCommandKind;
  /** Only for set-out-of-service / set-in-service: the text shown to citizens. */
  message?: string;
  /** Dashboard user who issued it (a staff login, not a citizen). */
  issuedBy: string;
  issuedAt: string;
}

export interface RemoteCommandResult {
  ok: boolean;
  /** Short English/Chinese text for the dashboard and audit log; never personal data. */
  detail?: string;
}

/**
 * Carries out central's commands on the kiosk. The agent implements it; the sender calls one
 * command at a time and never calls it while `canRunNow()` is false.
 */
export interface RemoteCommandHandler {
  /**
   * False while a citizen is in a money step (payment, crediting, card write, printing the
   * receipt): a waiting command stays queued and runs as soon as this turns true.
   */
  canRunNow(): boolean;
  setOutOfService(message: string): Promise<RemoteCommandResult>;
  setInService(message?: string): Promise<RemoteCommandResult>;
  restartUi(): Promise<RemoteCommandResult>;
  /** PNG bytes of what the kiosk screen shows now. */
  screenshot(): Promise<Uint8Array>;
  printerTestPage(): Promise<RemoteCommandResult>;
  reloadConfig(): Promise<RemoteCommandResult>;
}
