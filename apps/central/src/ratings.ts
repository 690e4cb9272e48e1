/**
 * 好差评 at central: ratings reported by kiosks (event `rating.submitted`, applied once with the
 * event), the follow-up item (差评整改) each 不满意/非常不满意 opens, the counts and satisfaction rate
 * per site and per service, and marking an item handled with a note. See docs/central.md.
 *
 * On the store's driver like the rest of central (SQLite or PostgreSQL, any number of replicas):
 * portable SQL only (ON CONFLICT DO NOTHING, no date functions); day buckets are made here.
 */
import { z } from 'zod';
import type { Followup, RatingGroup, RatingsSummary } from '@kiosk/contracts/central-dashboard';
import { chinaDate, chinaDayRange } from '@kiosk/platform';
import type { KioskEventHandler } from './fleet.js';
import type { CentralStore } from './store/store.js';

const levels = ['verySatisfied', 'satisfied', 'basicallySatisfied', 'dissatisfied', 'veryDissatisfied'] as const;
const badLevels: ReadonlySet<string> = new Set(['dissatisfied', 'veryDissatisfied']);

/** The kiosk's event payload (device-agent/src/ratings/reporter.ts RatingEvent). */
const ratingEventSchema = z.object({
  ratingId: z.string().regex(/^[A-Za-z0-9._:-]{8,100}$/),
  service: z.string().regex(/^[a-z]{1,32}$/),
  itemCode: z.string().min(1).max(64),
  itemName: z.string().min(1).max(100),
  department: z.string().min(1).max(100),
  level: z.enum(levels),
  score: z.number().int().min(1).max(5),
  reasons: z.array(z.string().regex(/^[a-zA-Z]{1,32}$/)).max(10),
  ratedAt: z.string().min(10),
});

interface FollowupRow {
  id: string;
  kiosk_id: string;
  rating_id: string;
  site: string;
  service: string;
  item_name: string;
  department: string;
  level: string;
  reasons: string;
  opened_at: number;
  handled_at: number | null;
  handled_by: string | null;
  note: string | null;
}

const toFollowup = (r: FollowupRow): Followup => ({
  id: r.id,
  kioskId: r.kiosk_id,
  ratingId: r.rating_id,
  site: r.site,
  service: r.service,
  itemName: r.item_name,
  department: r.department,
  level: r.level,
  reasons: r.reasons ? r.reasons.split(',') : [],
  openedAt: r.opened_at,
  handledAt: r.handled_at,
  handledBy: r.handled_by,
  note: r.note,
});

const day = 86_400_000;
const rate = (satisfied: number, total: number): number | null => (total ? satisfied / total : null);

export class RatingsBook {
  constructor(private readonly store: CentralStore) {}

  /**
   * Fleet event handler, inside the transaction that applies the event: records `rating.submitted`
   * and opens a follow-up for a bad one. The primary key (kiosk, rating) decides, so a rating sent
   * again (a new outbox event, or through another replica at the same moment) is stored once.
   */
  readonly onEvent: KioskEventHandler = async (kiosk, type, payload, now, db) => {
    if (type !== 'rating.submitted') return;
    const p = ratingEventSchema.safeParse(payload);
    if (!p.success) return;
    const e = p.data;
    const ratedAt = Date.parse(e.ratedAt) || now;
    const reasons = e.reasons.join(',');
    const inserted = await db.run(
      `INSERT INTO ratings (kiosk_id, rating_id, site, service, item_code, item_name, department, level, score, reasons, rated_at, received_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kiosk_id, rating_id) DO NOTHING`,
      [
        kiosk.id,
        e.ratingId,
        kiosk.site,
        e.service,
        e.itemCode,
        e.itemName,
        e.department,
        e.level,
        e.score,
        reasons,
        ratedAt,
        now,
      ],
    );
    if (inserted.changes !== 1 || !badLevels.has(e.level)) return;
    await db.run(
      `INSERT INTO rating_followups (id, kiosk_id, rating_id, site, service, item_name, department, level, reasons, opened_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kiosk_id, rating_id) DO NOTHING`,
      [
        `${kiosk.id}:${e.ratingId}`,
        kiosk.id,
        e.ratingId,
        kiosk.site,
        e.service,
        e.itemName,
        e.department,
        e.level,
        reasons,
        ratedAt,
      ],
    );
  };

  async summary(
    days: number,
    now: number,
    filter: { site?: string | undefined; service?: string | undefined } = {},
  ): Promise<RatingsSummary> {
    const firstDate = chinaDate(new Date(now - (days - 1) * day));
    const from = Date.parse(chinaDayRange(firstDate).start);
    const db = this.store.driver;
    const allRows = await db.all<{ site: string; service: string; score: number; rated_at: number }>(
      'SELECT site, service, score, rated_at FROM ratings WHERE rated_at >= ?',
      [from],
    );
    const allOpen = await db.all<{ site: string; service: string; n: number }>(
      'SELECT site, service, count(*) AS n FROM rating_followups WHERE handled_at IS NULL GROUP BY site, service',
    );
    const matches = (r: { site: string; service: string }): boolean =>
      (filter.site === undefined || r.site === filter.site) && (filter.service === undefined || r.service === filter.service);
    const rows = allRows.filter(matches);
    const open = allOpen.filter(matches);
    const distinct = (pick: (r: { site: string; service: string }) => string): string[] =>
      [...new Set([...allRows, ...allOpen].map(pick))].sort((a, b) => a.localeCompare(b, 'zh-CN'));
    const group = (keyOf: (r: { site: string; service: string }) => string): RatingGroup[] => {
      const m = new Map<string, RatingGroup>();
      const get = (key: string): RatingGroup => {
        let g = m.get(key);
        if (!g) m.set(key, (g = { key, total: 0, satisfied: 0, bad: 0, rate: null, openFollowups: 0 }));
        return g;
      };
      for (const r of rows) {
        const g = get(keyOf(r));
        g.total++;
        if (r.score >= 3) g.satisfied++;
        else g.bad++;
      }
      for (const o of open) get(keyOf(o)).openFollowups += o.n;
      return [...m.values()]
        .map((g) => ({ ...g, rate: rate(g.satisfied, g.total) }))
        .sort((a, b) => a.key.localeCompare(b.key, 'zh-CN'));
    };
    const buckets = new Map<string, { total: number; satisfied: number }>();
    for (let i = 0; i < days; i++) buckets.set(chinaDate(new Date(from + i * day + day / 2)), { total: 0, satisfied: 0 });
    for (const r of rows) {
      const b = buckets.get(chinaDate(new Date(r.rated_at)));
      if (!b) continue;
      b.total++;
      if (r.score >= 3) b.satisfied++;
    }
    const satisfied = rows.filter((r) => r.score >= 3).length;
    return {
      days,
      filter: { site: filter.site ?? null, service: filter.service ?? null },
      sites: distinct((r) => r.site),
      services: distinct((r) => r.service),
      total: rows.length,
      rate: rate(satisfied, rows.length),
      bySite: group((r) => r.site),
      byService: group((r) => r.service),
      series: [...buckets.entries()].map(([date, b]) => ({ date, ...b, rate: rate(b.satisfied, b.total) })),
    };
  }

  async followups(openOnly: boolean, limit = 500): Promise<Followup[]> {
    const rows = await this.store.driver.all<FollowupRow>(
      `SELECT * FROM rating_followups ${openOnly ? 'WHERE handled_at IS NULL ' : ''}ORDER BY opened_at DESC LIMIT ?`,
      [limit],
    );
    return rows.map(toFollowup);
  }

  async followup(id: string): Promise<Followup | undefined> {
    const r = await this.store.driver.get<FollowupRow>('SELECT * FROM rating_followups WHERE id = ?', [id]);
    return r ? toFollowup(r) : undefined;
  }

  /**
   * Marks an open item handled and audits it, in one transaction; false when it does not exist or
   * was handled already. The conditional update decides, so of two operators (or replicas) at the
   * same moment exactly one handles the item and one audit entry is written.
   */
  async handle(id: string, by: string, note: string, now: number): Promise<boolean> {
    return this.store.transaction(async (tx) => {
      const done = await tx.all<{ kiosk_id: string; service: string }>(
        'UPDATE rating_followups SET handled_at = ?, handled_by = ?, note = ? WHERE id = ? AND handled_at IS NULL RETURNING kiosk_id, service',
        [now, by, note, id],
      );
      const item = done[0];
      if (!item) return false;
      await this.store.audit(`user:${by}`, 'followup.handled', item.kiosk_id, { id, service: item.service }, now, tx);
      return true;
    });
  }
}
