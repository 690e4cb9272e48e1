/** The dashboard's view of central's JSON API (same-origin, session cookie). */

import type {
  Alert,
  FleetState,
  ChartSeries,
  Command,
  DashboardUser,
  FleetPage,
  Followup,
  KioskDetail,
  KioskSummary,
  RatingsSummary,
  SiteSparkline,
} from '@kiosk/contracts/central-dashboard';

// The server's JSON, defined once for both sides (packages/contracts/src/central-dashboard.ts).
export type {
  Alert,
  ChartSeries,
  Command,
  DashboardUser as User,
  FleetState,
  Followup,
  KioskSummary,
  RatingGroup,
  RatingsSummary,
  SiteSparkline,
} from '@kiosk/contracts/central-dashboard';

export interface FleetFilter {
  state?: FleetState;
  mode?: string;
  q?: string;
  limit: number;
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
  me: () => call<{ user: DashboardUser }>('GET', '/session'),
  login: (username: string, password: string) => call<{ user: DashboardUser }>('POST', '/session', { username, password }),
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
