import type { EventEmitter } from 'node:events';

/** The one status vocabulary (borrowed from XFS4IoT) used by every device, heartbeat and dashboard. */
export const deviceStates = ['online', 'offline', 'noDevice', 'hardwareError', 'userError', 'deviceBusy', 'starting'] as const;
export type DeviceState = (typeof deviceStates)[number];

/** clear = a guide can fix it (paper, cover); maintenance = an engineer is needed. */
export const actionHints = ['reset', 'clear', 'maintenance', 'suspend'] as const;
export type ActionHint = (typeof actionHints)[number];

export const paperStates = ['full', 'low', 'out', 'jammed', 'unknown'] as const;
export type PaperState = (typeof paperStates)[number];

export interface DeviceStatus {
  device: DeviceState;
  /** Present while the device is in an error that needs someone. */
  action?: ActionHint;
  /** Short reason in English for logs and the maintenance panel; never personal data. */
  detail?: string;
  /** Printer only. */
  paper?: PaperState;
  /** Device-specific extras (SAM id, cover open …), flat JSON values only. */
  extra?: Record<string, string | number | boolean | null>;
}

export interface DeviceEvents {
  status: [status: DeviceStatus];
}

/** What the agent needs from every driver; device-specific events are added by each driver. */
export interface DeviceDriver {
  /** `idcard`, `printer`, `camera` … */
  readonly kind: string;
  status(): DeviceStatus;
  start(): Promise<void>;
  stop(): Promise<void>;
  on(event: 'status', listener: (status: DeviceStatus) => void): unknown;
  off(event: 'status', listener: (status: DeviceStatus) => void): unknown;
}

export type StatusEmitter = EventEmitter<DeviceEvents>;
