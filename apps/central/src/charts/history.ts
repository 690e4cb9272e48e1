import type { Logger } from 'pino';
import { Mutex } from '@kiosk/platform';
import type { Heartbeat } from '@kiosk/contracts/heartbeat';
import { thresholds } from '../alerting/thresholds.js';
import { chinaDay, dayMs, splitByDay } from './days.js';
import type { ChartSource } from './source.js';

/**
 * Daily history for the operations charts, one row per kiosk, China day, metric and item:
 *   tx               item = service id ('' for what the agent does not attribute) — transactions that day
 *   tx_failed        item ''       — failed transactions that day
 *   paper_change     item ''       — paper went from out/low to full (a roll was put in)
 *   paper_out_ms     item ''       — time the printer was out of paper or jammed
 *   fault            item = device — a device went into a fault state
 * Central's migration 5 creates it (under the migration lock, so replicas starting together do
 * not race on PostgreSQL's catalogue); the recorder creates it too when missing, for a chart
 * source on a bare database. The DDL is portable (SQLite and PostgreSQL).
 */
export { historyTableSql } from './table.js';
import { historyTableSql } from './table.js';

const upsertSql = `INSERT INTO kiosk_daily (kiosk_id, day, metric, item, amount) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (kiosk_id, day, metric, item) DO UPDATE SET amount = kiosk_daily.amount + excluded.amount`;

type HistoryMetric = 'tx' | 'tx_failed' | 'paper_change' | 'paper_out_ms' | 'fault';

export interface HistoryIncrement {
  kioskId: string;
  day: number;
  metric: HistoryMetric;
  item: string;
  amount: number;
}

const faultStates: ReadonlySet<string> = new Set(thresholds.faultStates);
const paperGone: ReadonlySet<string> = new Set(['out', 'jammed']);
const paperRefillFrom: ReadonlySet<string> = new Set(['out', 'low']);

/** The previous accepted beat of the kiosk, as central has it (survives restarts: kiosks.last_heartbeat). */
export interface PreviousBeat {
  hb: Pick<Heartbeat, 'paper' | 'devices' | 'intervalMs'> | null;
  at: number | null;
}

/**
 * What one heartbeat adds to the history, compared with the kiosk's previous beat. Pure.
 * Time between beats counts only up to `offlineAfterMissed` intervals: after that the kiosk was
 * offline and nobody knows its paper.
 */
export function beatIncrements(
  kioskId: string,
  prev: PreviousBeat,
  hb: Heartbeat,
  now: number,
  offlineAfterMissed: number,
): HistoryIncrement[] {
  const out: HistoryIncrement[] = [];
  const day = chinaDay(now);
  const add = (metric: HistoryMetric, item: string, amount: number, d = day): void => {
    if (amount > 0) out.push({ kioskId, day: d, metric, item, amount });
  };
  // By service when the agent says (newer agents), else one undivided figure.
  const byService = hb.sinceLastBeat.byService;
  const attributed = byService ? Object.values(byService).reduce((a, b) => a + b, 0) : 0;
  for (const [service, n] of Object.entries(byService ?? {})) add('tx', service, n);
  add('tx', '', hb.sinceLastBeat.transactions - attributed);
  add('tx_failed', '', hb.sinceLastBeat.transactionsFailed);
  const p = prev.hb;
  if (p && prev.at !== null && now > prev.at) {
    if (paperGone.has(p.paper)) {
      const until = Math.min(now, prev.at + offlineAfterMissed * p.intervalMs);
      for (const [d, ms] of splitByDay(prev.at, until)) add('paper_out_ms', '', ms, d);
    }
    if (paperRefillFrom.has(p.paper) && hb.paper === 'full') add('paper_change', '', 1);
  }
  for (const [device, st] of Object.entries(hb.devices)) {
    if (!faultStates.has(st.device)) continue;
    // A printer "not ready" only for its paper is counted under paper, as the alerts do (evaluate.ts).
    if (st.device === 'userError' && paperGone.has(st.paper ?? '') && paperGone.has(hb.paper)) continue;
    const before = p?.devices[device]?.device;
    if (before === undefined || !faultStates.has(before)) add('fault', device, 1);
  }
  return out;
}

/**
 * Collects increments in memory and writes them every `flushMs` in one transaction (monitoring
 * data: a crash loses at most that window, and a heartbeat never waits for a chart write).
 */
export class HistoryRecorder {
  private pending = new Map<string, HistoryIncrement>();
  private timer: NodeJS.Timeout | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  private readonly writing = new Mutex();

  constructor(
    private readonly source: ChartSource,
    private readonly log: Logger,
    private readonly offlineAfterMissed: number,
    private readonly flushMs = 5_000,
  ) {}

  /** Creates the table if missing and drops days older than `keepDays`, now and then daily. */
  async start(keepDays: number, now = Date.now()): Promise<void> {
    await this.source.execute([{ sql: historyTableSql, params: [] }]);
    await this.prune(keepDays, now);
    this.timer = setInterval(() => void this.flush(), this.flushMs);
    this.timer.unref();
    this.pruneTimer = setInterval(() => {
      this.prune(keepDays).catch((err: unknown) => this.log.error({ err }, 'pruning chart history failed'));
    }, dayMs);
    this.pruneTimer.unref();
  }

  /** Drops days older than `keepDays` (a few thousand small rows a day even for a big fleet). */
  prune(keepDays: number, now = Date.now()): Promise<void> {
    return this.source.execute([{ sql: 'DELETE FROM kiosk_daily WHERE day < ?', params: [chinaDay(now) - keepDays] }]);
  }

  recordBeat(kioskId: string, prev: PreviousBeat, hb: Heartbeat, now: number): void {
    for (const inc of beatIncrements(kioskId, prev, hb, now, this.offlineAfterMissed)) this.add(inc);
  }

  add(inc: HistoryIncrement): void {
    const key = `${inc.kioskId}\u0000${inc.day}\u0000${inc.metric}\u0000${inc.item}`;
    const have = this.pending.get(key);
    if (have) have.amount += inc.amount;
    else this.pending.set(key, { ...inc });
  }

  /** Writes what is pending (also on close). Writes never overlap. */
  flush(): Promise<void> {
    return this.writing.run(async () => {
      if (this.pending.size === 0) return;
      const batch = [...this.pending.values()];
      this.pending = new Map();
      try {
        await this.source.execute(batch.map((i) => ({ sql: upsertSql, params: [i.kioskId, i.day, i.metric, i.item, i.amount] })));
      } catch (err) {
        this.log.error({ err, rows: batch.length }, 'writing chart history failed');
      }
    });
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    clearInterval(this.pruneTimer);
    await this.flush();
  }
}
