/**
 * The operations charts' numbers: per kiosk or per site, one value per China day over the last
 * 7 or 30 days. SQL is portable (see source.ts); availability is worked out here from the state
 * changes central already records, the other series come from `kiosk_daily` (history.ts).
 */
import type { ChartBreakdown, ChartSeries, SiteSparkline } from '@kiosk/contracts/central-dashboard';
import { chinaDay, dayLabel, dayStart, splitByDay } from './days.js';
import type { ChartSource } from './source.js';

export type { ChartSeries, SiteSparkline } from '@kiosk/contracts/central-dashboard';

interface DailyRow {
  day: number;
  metric: string;
  item: string;
  amount: number;
}

interface ChangeRow {
  kiosk_id: string;
  at: number;
  to_state: string;
}

const serving: ReadonlySet<string> = new Set(['online', 'warning']);

const sql = {
  kioskDaily: 'SELECT day, metric, item, amount FROM kiosk_daily WHERE kiosk_id = ? AND day >= ? AND day <= ?',
  siteDaily: `SELECT d.day AS day, d.metric AS metric, d.item AS item, sum(d.amount) AS amount
    FROM kiosk_daily d JOIN kiosks k ON k.id = d.kiosk_id
    WHERE k.site = ? AND d.day >= ? AND d.day <= ?
    GROUP BY d.day, d.metric, d.item`,
  allSitesTx: `SELECT k.site AS site, d.day AS day, sum(d.amount) AS amount
    FROM kiosk_daily d JOIN kiosks k ON k.id = d.kiosk_id
    WHERE d.metric = 'tx' AND d.day >= ? AND d.day <= ?
    GROUP BY k.site, d.day`,
  kioskChanges: 'SELECT kiosk_id, at, to_state FROM state_changes WHERE kiosk_id = ? AND at >= ? AND at < ? ORDER BY at, id',
  kioskBefore: 'SELECT kiosk_id, at, to_state FROM state_changes WHERE kiosk_id = ? AND at < ? ORDER BY at DESC, id DESC LIMIT 1',
  siteChanges: `SELECT s.kiosk_id AS kiosk_id, s.at AS at, s.to_state AS to_state
    FROM state_changes s JOIN kiosks k ON k.id = s.kiosk_id
    WHERE k.site = ? AND s.at >= ? AND s.at < ? ORDER BY s.kiosk_id, s.at, s.id`,
  siteBefore: `SELECT s.kiosk_id AS kiosk_id, s.at AS at, s.to_state AS to_state
    FROM state_changes s JOIN (
      SELECT s2.kiosk_id AS kiosk_id, max(s2.id) AS id FROM state_changes s2 JOIN kiosks k ON k.id = s2.kiosk_id
      WHERE k.site = ? AND s2.at < ? GROUP BY s2.kiosk_id
    ) last ON last.id = s.id`,
  allChanges: `SELECT s.kiosk_id AS kiosk_id, s.at AS at, s.to_state AS to_state
    FROM state_changes s WHERE s.at >= ? AND s.at < ? ORDER BY s.kiosk_id, s.at, s.id`,
  allBefore: `SELECT s.kiosk_id AS kiosk_id, s.at AS at, s.to_state AS to_state
    FROM state_changes s JOIN (
      SELECT s2.kiosk_id AS kiosk_id, max(s2.id) AS id FROM state_changes s2 WHERE s2.at < ? GROUP BY s2.kiosk_id
    ) last ON last.id = s.id`,
  kioskSites: 'SELECT id, site FROM kiosks',
} as const;

/** Served and known milliseconds per day index, from each kiosk's state timeline. */
function availabilityByDay(
  before: readonly ChangeRow[],
  changes: readonly ChangeRow[],
  firstDay: number,
  nDays: number,
  from: number,
  now: number,
  group: (kioskId: string) => string = () => '',
): Map<string, { up: number[]; known: number[] }> {
  const out = new Map<string, { up: number[]; known: number[] }>();
  const acc = (g: string): { up: number[]; known: number[] } => {
    let a = out.get(g);
    if (!a) out.set(g, (a = { up: new Array<number>(nDays).fill(0), known: new Array<number>(nDays).fill(0) }));
    return a;
  };
  const timelines = new Map<string, { at: number; state: string }[]>();
  // Before the window: the kiosk was in its last recorded state when the window began.
  for (const r of before) timelines.set(r.kiosk_id, [{ at: from, state: r.to_state }]);
  for (const r of changes) {
    let t = timelines.get(r.kiosk_id);
    if (!t) timelines.set(r.kiosk_id, (t = []));
    t.push({ at: Number(r.at), state: r.to_state });
  }
  for (const [kioskId, t] of timelines) {
    const a = acc(group(kioskId));
    for (let i = 0; i < t.length; i++) {
      const seg = t[i]!;
      const end = i + 1 < t.length ? t[i + 1]!.at : now;
      for (const [d, ms] of splitByDay(Math.max(seg.at, from), Math.min(end, now))) {
        const idx = d - firstDay;
        if (idx < 0 || idx >= nDays) continue;
        a.known[idx]! += ms;
        if (serving.has(seg.state)) a.up[idx]! += ms;
      }
    }
  }
  return out;
}

const ratio = (up: number, known: number): number | null => (known > 0 ? Math.round((up / known) * 10_000) / 10_000 : null);

export class ChartQueries {
  constructor(private readonly source: ChartSource) {}

  private window(days: number, now: number): { firstDay: number; lastDay: number; from: number; labels: string[] } {
    const lastDay = chinaDay(now);
    const firstDay = lastDay - days + 1;
    return {
      firstDay,
      lastDay,
      from: dayStart(firstDay),
      labels: Array.from({ length: days }, (_, i) => dayLabel(firstDay + i)),
    };
  }

  async kiosk(kioskId: string, days: number, now = Date.now()): Promise<ChartSeries> {
    const w = this.window(days, now);
    const [daily, before, changes] = await Promise.all([
      this.source.queryRows<DailyRow>(sql.kioskDaily, [kioskId, w.firstDay, w.lastDay]),
      this.source.queryRows<ChangeRow>(sql.kioskBefore, [kioskId, w.from]),
      this.source.queryRows<ChangeRow>(sql.kioskChanges, [kioskId, w.from, now]),
    ]);
    return this.series({ kind: 'kiosk', id: kioskId }, w, daily, before, changes, now);
  }

  async site(site: string, days: number, now = Date.now()): Promise<ChartSeries> {
    const w = this.window(days, now);
    const [daily, before, changes] = await Promise.all([
      this.source.queryRows<DailyRow>(sql.siteDaily, [site, w.firstDay, w.lastDay]),
      this.source.queryRows<ChangeRow>(sql.siteBefore, [site, w.from]),
      this.source.queryRows<ChangeRow>(sql.siteChanges, [site, w.from, now]),
    ]);
    return this.series({ kind: 'site', id: site }, w, daily, before, changes, now);
  }

  /** Every site's daily availability and transactions (the fleet page's sparklines). */
  async sites(days: number, now = Date.now()): Promise<{ days: string[]; sites: SiteSparkline[] }> {
    const w = this.window(days, now);
    const [tx, before, changes, kiosks] = await Promise.all([
      this.source.queryRows<{ site: string; day: number; amount: number }>(sql.allSitesTx, [w.firstDay, w.lastDay]),
      this.source.queryRows<ChangeRow>(sql.allBefore, [w.from]),
      this.source.queryRows<ChangeRow>(sql.allChanges, [w.from, now]),
      this.source.queryRows<{ id: string; site: string }>(sql.kioskSites, []),
    ]);
    const siteOf = new Map(kiosks.map((k) => [k.id, k.site]));
    const avail = availabilityByDay(before, changes, w.firstDay, days, w.from, now, (id) => siteOf.get(id) ?? '');
    const out = new Map<string, SiteSparkline>();
    const site = (s: string): SiteSparkline => {
      let v = out.get(s);
      if (!v)
        out.set(
          s,
          (v = {
            site: s,
            availability: new Array<number | null>(days).fill(null),
            transactions: new Array<number>(days).fill(0),
          }),
        );
      return v;
    };
    for (const s of new Set(siteOf.values())) site(s);
    for (const [s, a] of avail) site(s).availability = a.up.map((u, i) => ratio(u, a.known[i]!));
    for (const r of tx) {
      const idx = Number(r.day) - w.firstDay;
      if (idx >= 0 && idx < days) site(r.site).transactions[idx] = Number(r.amount);
    }
    return { days: w.labels, sites: [...out.values()] };
  }

  private series(
    scope: ChartSeries['scope'],
    w: { firstDay: number; from: number; labels: string[] },
    daily: readonly DailyRow[],
    before: readonly ChangeRow[],
    changes: readonly ChangeRow[],
    now: number,
  ): ChartSeries {
    const n = w.labels.length;
    const zeros = (): number[] => new Array<number>(n).fill(0);
    const s: ChartSeries = {
      scope,
      days: w.labels,
      availability: new Array<number | null>(n).fill(null),
      availabilityOverall: null,
      transactions: { total: zeros(), failed: zeros(), byService: [] },
      paper: { changes: zeros(), outMinutes: zeros() },
      faults: { total: zeros(), byDevice: [] },
    };
    const services = new Map<string, number[]>();
    const devices = new Map<string, number[]>();
    const into = (m: Map<string, number[]>, item: string): number[] => {
      let v = m.get(item);
      if (!v) m.set(item, (v = zeros()));
      return v;
    };
    for (const r of daily) {
      const i = Number(r.day) - w.firstDay;
      if (i < 0 || i >= n) continue;
      const amount = Number(r.amount);
      if (r.metric === 'tx') {
        s.transactions.total[i]! += amount;
        into(services, r.item)[i]! += amount;
      } else if (r.metric === 'tx_failed') s.transactions.failed[i]! += amount;
      else if (r.metric === 'paper_change') s.paper.changes[i]! += amount;
      else if (r.metric === 'paper_out_ms') s.paper.outMinutes[i]! += amount;
      else if (r.metric === 'fault') {
        s.faults.total[i]! += amount;
        into(devices, r.item)[i]! += amount;
      }
    }
    s.paper.outMinutes = s.paper.outMinutes.map((ms) => Math.round(ms / 60_000));
    const byItem = (m: Map<string, number[]>): ChartBreakdown[] =>
      [...m].map(([item, perDay]) => ({ item, perDay })).sort((a, b) => (a.item < b.item ? -1 : a.item > b.item ? 1 : 0));
    s.transactions.byService = byItem(services);
    s.faults.byDevice = byItem(devices);
    const a = availabilityByDay(before, changes, w.firstDay, n, w.from, now).get('');
    if (a) {
      s.availability = a.up.map((u, i) => ratio(u, a.known[i]!));
      s.availabilityOverall = ratio(
        a.up.reduce((x, y) => x + y, 0),
        a.known.reduce((x, y) => x + y, 0),
      );
    }
    return s;
  }
}
