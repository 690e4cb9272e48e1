/** The dashboard's view of central's JSON API (same-origin, session cookie). */

export type FleetState = 'online' | 'warning' | 'error' | 'offline';
type Role = 'viewer' | 'operator';

export interface User {
  username: string;
  role: Role;
}

interface Condition {
  code: string;
  severity: 'warning' | 'error';
  message: string;
}

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
  /** Citizen services and the paused ones; null from agents that do not report them. */
  services: { total: number; paused: { id: string; reasons: string[] }[] } | null;
  conditions: Condition[];
  openAlerts: number;
  openCommands: number;
}

export interface FleetFilter {
  state?: FleetState;
  mode?: string;
  q?: string;
  limit: number;
}

interface SiteCounts extends Record<FleetState, number> {
  site: string;
  matched: number;
}

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

interface DeviceStatus {
  device: string;
  action?: string;
  detail?: string;
  paper?: string;
}

export interface Alert {
  id: number;
  kioskId: string;
  code: string;
  severity: 'warning' | 'error';
  source: 'heartbeat' | 'event' | 'central';
  message: string;
  openedAt: number;
  lastAt: number;
  occurrences: number;
  resolvedAt: number | null;
  ackedAt: number | null;
  ackedBy: string | null;
  suppressed: boolean;
  site?: string | null;
  name?: string | null;
}

export interface Command {
  id: string;
  kind: string;
  message: string | null;
  issuedBy: string;
  issuedAt: number;
  status: 'queued' | 'delivered' | 'waiting' | 'running' | 'succeeded' | 'failed' | 'expired';
  finishedAt: number | null;
  detail: string | null;
  screenshotId: string | null;
}

interface Heartbeat {
  mode: string;
  modeMessage?: string;
  devices: Record<string, DeviceStatus>;
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

export interface KioskDetail extends KioskSummary {
  firstSeenAt: number | null;
  offlineAfterMissed: number;
  heartbeat: Heartbeat | null;
  totals: { sessionsStarted: number; sessionsCompleted: number; transactions: number; transactionsFailed: number };
  alerts: Alert[];
  events: { seq: number; type: string; at: string; receivedAt: number; payload: unknown }[];
  stateChanges: { at: number; from: string | null; to: string }[];
  commands: Command[];
  screenshots: { id: string; at: number; commandId: string | null; bytes: number }[];
}

export interface RatingGroup {
  key: string;
  total: number;
  satisfied: number;
  bad: number;
  rate: number | null;
  openFollowups: number;
}

export interface RatingsSummary {
  days: number;
  filter: { site: string | null; service: string | null };
  sites: string[];
  services: string[];
  total: number;
  rate: number | null;
  bySite: RatingGroup[];
  byService: RatingGroup[];
  series: { date: string; total: number; satisfied: number; rate: number | null }[];
}

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

/** Per-day history for the charts (central/src/charts/queries.ts). */
export interface ChartSeries {
  scope: { kind: 'kiosk' | 'site'; id: string };
  days: string[];
  availability: (number | null)[];
  availabilityOverall: number | null;
  transactions: { total: number[]; failed: number[]; byService: { item: string; perDay: number[] }[] };
  paper: { changes: number[]; outMinutes: number[] };
  faults: { total: number[]; byDevice: { item: string; perDay: number[] }[] };
}

export interface SiteSparkline {
  site: string;
  availability: (number | null)[];
  transactions: number[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`/api/v1${path}`, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  let json: { ok?: boolean; error?: string } & Record<string, unknown> = {};
  try {
    json = (await res.json()) as typeof json;
  } catch {
    // Non-JSON error page: keep the status.
  }
  if (!res.ok) throw new ApiError(res.status, json.error ?? `HTTP ${res.status}`);
  return json as T;
}

export const api = {
  me: () => call<{ user: User }>('GET', '/session'),
  login: (username: string, password: string) => call<{ user: User }>('POST', '/session', { username, password }),
  logout: () => call<unknown>('DELETE', '/session'),
  fleet: (f: FleetFilter) => {
    const q = new URLSearchParams({ limit: String(f.limit) });
    if (f.state) q.set('state', f.state);
    if (f.mode) q.set('mode', f.mode);
    if (f.q) q.set('q', f.q);
    return call<FleetPage>('GET', `/kiosks?${q}`);
  },
  kiosk: (id: string) => call<{ kiosk: KioskDetail }>('GET', `/kiosks/${encodeURIComponent(id)}`),
  command: (id: string, kind: string, message?: string) =>
    call<{ command: Command }>('POST', `/kiosks/${encodeURIComponent(id)}/commands`, { kind, ...(message ? { message } : {}) }),
  alerts: (all: boolean) => call<{ alerts: Alert[] }>('GET', `/alerts${all ? '?state=all' : ''}`),
  ackAlert: (id: number) => call<{ alert: Alert }>('POST', `/alerts/${id}/ack`, {}),
  ratingsSummary: (days: number, site: string, service: string) => {
    const q = new URLSearchParams({ days: String(days) });
    if (site) q.set('site', site);
    if (service) q.set('service', service);
    return call<{ summary: RatingsSummary }>('GET', `/ratings/summary?${q}`);
  },
  followups: (all: boolean) => call<{ followups: Followup[] }>('GET', `/followups${all ? '?state=all' : ''}`),
  handleFollowup: (id: string, note: string) =>
    call<{ followup: Followup }>('POST', `/followups/${encodeURIComponent(id)}/handle`, { note }),
  kioskCharts: (id: string, days: 7 | 30) =>
    call<{ series: ChartSeries }>('GET', `/charts/kiosk/${encodeURIComponent(id)}?days=${days}`),
  siteCharts: (site: string, days: 7 | 30) =>
    call<{ series: ChartSeries }>('GET', `/charts/site?${new URLSearchParams({ site, days: String(days) })}`),
  siteSparklines: () => call<{ days: string[]; sites: SiteSparkline[] }>('GET', '/charts/sites?days=7'),
  notSeen: (days: number | null) =>
    call<{ days: number; kiosks: KioskSummary[] }>('GET', days === null ? '/not-seen' : `/not-seen?days=${days}`),
};
