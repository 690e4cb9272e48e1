/**
 * Central's dashboard API (`/api/v1/…` behind the session cookie): the JSON shapes the server
 * answers (apps/central/src) and the dashboard reads (apps/central/ui). One definition, so the two
 * cannot drift apart.
 *
 * Types only and no imports: the dashboard's browser build (no Node types) checks this file too,
 * so it must not pull in the Node-side contracts (heartbeat.ts signs with node:crypto). Where the
 * server knows a narrower type (a kiosk mode, a paper state) the wire type says `string`; the
 * server's values are assignable to it.
 */

export type FleetState = 'online' | 'warning' | 'error' | 'offline';
export type Severity = 'warning' | 'error';
export type DashboardRole = 'viewer' | 'operator';

export interface DashboardUser {
  username: string;
  role: DashboardRole;
}

/** Something wrong with a kiosk, from its heartbeat (or its absence). */
export interface Condition {
  /** Stable key: one open alert per kiosk and code. */
  code: string;
  severity: Severity;
  /** zh-CN first, then English. */
  message: string;
}

/** One row of the fleet list: what the table and the filters need, nothing more. */
export interface KioskSummary {
  id: string;
  site: string;
  name: string | null;
  state: FleetState;
  stateSince: number | null;
  lastSeenAt: number | null;
  intervalMs: number;
  mode: string | null;
  modeMessage: string | null;
  paper: string | null;
  versions: { agent: string; ui: string | null } | null;
  /** Citizen services and the paused ones (degraded service while "in service"); null from older agents. */
  services: { total: number; paused: { id: string; reasons: string[] }[] } | null;
  conditions: Condition[];
  openAlerts: number;
  openCommands: number;
}

export interface SiteCounts extends Record<FleetState, number> {
  site: string;
  matched: number;
}

/** `GET /kiosks?limit=N&state=&mode=&q=`. */
export interface FleetPage {
  generatedAt: number;
  notSeenDays: number;
  /** Whole fleet, whatever the filter. */
  counts: Record<FleetState, number>;
  total: number;
  matched: number;
  sites: SiteCounts[];
  /** The first `limit` matching kiosks, in site order. */
  kiosks: KioskSummary[];
}

/**
 * heartbeat: raised and cleared by what heartbeats show (and by their absence: offline);
 * event: raised by an event from the kiosk outbox, stays until an operator acknowledges it;
 * central: raised by central itself (flapping), clears after a quiet window or on acknowledge.
 */
export type AlertSource = 'heartbeat' | 'event' | 'central';

export interface Alert {
  id: number;
  kioskId: string;
  code: string;
  severity: Severity;
  source: AlertSource;
  message: string;
  openedAt: number;
  lastAt: number;
  occurrences: number;
  resolvedAt: number | null;
  ackedAt: number | null;
  ackedBy: string | null;
  /** Notifications held back because this condition flaps (a `flapping:` alert was sent instead). */
  suppressed: boolean;
  /** On the alerts list only: where the kiosk is. */
  site?: string | null;
  name?: string | null;
}

export type CommandStatus = 'queued' | 'delivered' | 'waiting' | 'running' | 'succeeded' | 'failed' | 'expired';

export interface Command {
  id: string;
  kioskId: string;
  kind: string;
  message: string | null;
  issuedBy: string;
  issuedAt: number;
  expiresAt: number;
  status: CommandStatus;
  deliveredAt: number | null;
  finishedAt: number | null;
  detail: string | null;
  screenshotId: string | null;
}

/** The parts of the kiosk's last heartbeat the dashboard shows (the server sends all of it). */
export interface HeartbeatView {
  mode: string;
  modeMessage?: string;
  devices: Record<string, { device: string; action?: string; detail?: string; paper?: string }>;
  paper: string;
  gas: { creditPending: number; needsAttention: number };
  ui: { alive: boolean; lastPingAt: string | null };
  versions: { agent: string; ui: string | null };
  configHash: string;
  outbox: { depth: number; oldestAt: string | null };
  system: {
    uptimeSeconds: number;
    diskFreeBytes: number | null;
    diskTotalBytes: number | null;
    memoryFreeBytes: number;
    memoryTotalBytes: number;
  };
}

/** `GET /kiosks/:id`. */
export interface KioskDetail extends KioskSummary {
  firstSeenAt: number | null;
  offlineAfterMissed: number;
  heartbeat: HeartbeatView | null;
  totals: { sessionsStarted: number; sessionsCompleted: number; transactions: number; transactionsFailed: number };
  alerts: Alert[];
  events: { seq: number; type: string; at: string; receivedAt: number; payload: unknown }[];
  stateChanges: { at: number; from: string | null; to: string; conditions: unknown }[];
  commands: Command[];
  screenshots: { id: string; at: number; commandId: string | null; bytes: number }[];
}

// ---- 好差评 (issue 18) ----

export interface RatingGroup {
  key: string;
  total: number;
  /** 非常满意 + 满意 + 基本满意. */
  satisfied: number;
  bad: number;
  /** satisfied / total, null without ratings. */
  rate: number | null;
  openFollowups: number;
}

/** `GET /ratings/summary?days=N&site=&service=`. */
export interface RatingsSummary {
  days: number;
  /** The site and service the figures are narrowed to (null: all). */
  filter: { site: string | null; service: string | null };
  /** Every site and service with ratings or open follow-ups in the window (for the filter). */
  sites: string[];
  services: string[];
  total: number;
  rate: number | null;
  bySite: RatingGroup[];
  byService: RatingGroup[];
  /** One point per China-time day, oldest first; rate null on a day without ratings. */
  series: { date: string; total: number; satisfied: number; rate: number | null }[];
}

/** A follow-up item (差评整改) opened by a bad rating. */
export interface Followup {
  id: string;
  kioskId: string;
  ratingId: string;
  site: string;
  service: string;
  itemName: string;
  department: string;
  level: string;
  reasons: string[];
  openedAt: number;
  handledAt: number | null;
  handledBy: string | null;
  note: string | null;
}

export interface RatingsSummaryResponse {
  ok: true;
  summary: RatingsSummary;
}

/** `GET /followups[?state=all]`. */
export interface FollowupsResponse {
  ok: true;
  followups: Followup[];
}

// ---- charts (issue 15) ----

/** One item's line (a service, a device) in a chart: a value per day. */
export interface ChartBreakdown {
  item: string;
  perDay: number[];
}

/** Per-day history for one kiosk or site: `GET /charts/kiosk/:id?days=` and `/charts/site?site=&days=`. */
export interface ChartSeries {
  scope: { kind: 'kiosk' | 'site'; id: string };
  /** `YYYY-MM-DD` China days, oldest first; today last. */
  days: string[];
  /** Share of the known time each day that the kiosk(s) served (online or warning), 0–1; null: no data. */
  availability: (number | null)[];
  /** The same over the whole window. */
  availabilityOverall: number | null;
  transactions: { total: number[]; failed: number[]; byService: ChartBreakdown[] };
  paper: { changes: number[]; outMinutes: number[] };
  faults: { total: number[]; byDevice: ChartBreakdown[] };
}

export interface SiteSparkline {
  site: string;
  availability: (number | null)[];
  transactions: number[];
}
