/**
 * What the staff layer of the UI sees (Staff.StateChangedEvent / Staff.GetState). No imports, so
 * the UI imports this file too. Never holds a PIN, an ID number or a citizen's data.
 */

export const staffStateEvent = 'Staff.StateChangedEvent';
/** Sent to the command's caller while vendor mode waits for the citizen's step to end. */
export const enterPendingEvent = 'Staff.VendorModeEnterPendingEvent';
/** Unsolicited: the UI reloads itself (maintenance "restart UI"). */
export const reloadEvent = 'Staff.ReloadUiEvent';
/** Unsolicited alert (lockout, paper replaced); it also goes to central through the monitor's outbox. */
export const alertEvent = 'Staff.AlertEvent';

export type StaffCorner = 'top-left' | 'top-right' | 'bottom-left' | 'bottom-right';
export type StaffModeName = 'assisted' | 'maintenance';
/** XFS4IoT VendorMode states, for staff modes. */
export type VendorModeState = 'inactive' | 'enterPending' | 'active' | 'exitPending';

export interface StaffView {
  gesture: { corner: StaffCorner; longPressMs: number };
  promptTimeoutMs: number;
  prompt: { open: boolean; cardAccepted: boolean };
  /** Logged-in staff member (their staff number only). */
  staff: { staffNo: string; method: 'pin' | 'card' } | null;
  vendorMode: VendorModeState;
  /** The staff mode requested or active. */
  mode: StaffModeName | null;
  /** Why entry waits, while vendorMode is enterPending. */
  waitingFor: string | null;
  lock: { until: string } | null;
  attemptsLeft: number;
  /** What the kiosk becomes when staff leave the panel. */
  afterExit: { inService: boolean; message: string | null };
}

export type DeviceAdvice = 'ok' | 'clear' | 'maintenance' | 'reset' | 'suspend' | 'check';

export interface DeviceOverviewRow {
  kind: string;
  device: string;
  paper?: string;
  action?: string;
  advice: DeviceAdvice;
  description?: string;
}

export interface StaffOverview {
  kioskId: string;
  mode: string;
  modeMessage: string | null;
  devices: DeviceOverviewRow[];
  printer: {
    lastJob: { id: number; kind: string; state: string; reason: string | null; createdAt: string; reprintable: boolean } | null;
    lastFailedJob: { id: number; kind: string; state: string; createdAt: string; reprintable: boolean } | null;
    previewUrl: string | null;
  } | null;
  network: {
    available: boolean;
    ok: boolean | null;
    lastAt: string | null;
    lastSuccessAt: string | null;
    error: string | null;
    outboxDepth: number | null;
  };
  gas: { available: boolean; counts: Record<string, number> | null };
  versions: { agent: string; node: string; ui: string | null };
  configHash: string;
}

export interface GasPendingRow {
  orderNo: string;
  state: string;
  account: string;
  amountFen: number;
  createdAt: string | null;
  manual: { note: string; staffNo: string; at: string } | null;
}
