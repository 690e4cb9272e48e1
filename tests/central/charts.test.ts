import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Heartbeat } from '@kiosk/contracts/heartbeat';
import { printedByService } from '../../apps/agent/src/monitor/module.js';
import { openDatabase, type Db } from '@kiosk/platform';
import { chinaDay, dayLabel, dayStart } from '../../apps/central/src/charts/days.js';
import { beatIncrements, historyTableSql, HistoryRecorder } from '../../apps/central/src/charts/history.js';
import { ChartQueries, type ChartSeries } from '../../apps/central/src/charts/queries.js';
import { chartSourceFromSql, sqliteChartSource, type PortableSql } from '../../apps/central/src/charts/source.js';
import { centralMigrations as centralSchema } from '../../apps/central/src/store/migrations.js';
const centralMigrations = centralSchema.sqlite;
import {
  FakeCommands,
  FakeHealth,
  getJson,
  kioskA,
  kioskB,
  login,
  makeSender,
  openAgentDb,
  signedPost,
  silent,
  startTestCentral,
  tempDir,
  users,
  validHeartbeat,
  waitFor,
  type TestCentral,
} from './helpers.js';

const hour = 3_600_000;
const minute = 60_000;

describe('chart history from heartbeats (pure)', () => {
  const hb = (over: Partial<Heartbeat>): Heartbeat => validHeartbeat(kioskA.id, over);
  const noon = dayStart(20_000) + 12 * hour;

  it('counts a refill when paper goes from out or low to full, and the time it was out', () => {
    const prev = { hb: hb({ paper: 'out', intervalMs: 30_000 }), at: noon - 60_000 };
    const inc = beatIncrements(kioskA.id, prev, hb({ paper: 'full' }), noon, 3);
    expect(inc).toContainEqual({ kioskId: kioskA.id, day: 20_000, metric: 'paper_change', item: '', amount: 1 });
    expect(inc).toContainEqual({ kioskId: kioskA.id, day: 20_000, metric: 'paper_out_ms', item: '', amount: 60_000 });
    // Low → full is a refill too; jammed → full (a cleared jam) is not.
    expect(
      beatIncrements(kioskA.id, { ...prev, hb: hb({ paper: 'low' }) }, hb({ paper: 'full' }), noon, 3).map((i) => i.metric),
    ).toEqual(['paper_change']);
    expect(
      beatIncrements(kioskA.id, { ...prev, hb: hb({ paper: 'jammed' }) }, hb({ paper: 'full' }), noon, 3).map((i) => i.metric),
    ).toEqual(['paper_out_ms']);
  });

  it('splits paper-out time at China midnight and stops counting once the kiosk would be offline', () => {
    const midnight = dayStart(20_001);
    const prev = { hb: hb({ paper: 'out', intervalMs: 60_000 }), at: midnight - 30_000 };
    const inc = beatIncrements(kioskA.id, prev, hb({ paper: 'out' }), midnight + 30_000, 3);
    expect(inc.filter((i) => i.metric === 'paper_out_ms')).toEqual([
      { kioskId: kioskA.id, day: 20_000, metric: 'paper_out_ms', item: '', amount: 30_000 },
      { kioskId: kioskA.id, day: 20_001, metric: 'paper_out_ms', item: '', amount: 30_000 },
    ]);
    // A beat 2 h later: only 3 intervals (3 min) are known to have been out of paper.
    const late = beatIncrements(
      kioskA.id,
      { hb: hb({ paper: 'out', intervalMs: 60_000 }), at: noon - 2 * hour },
      hb({ paper: 'out' }),
      noon,
      3,
    );
    expect(late.find((i) => i.metric === 'paper_out_ms')?.amount).toBe(3 * minute);
  });

  it('counts a device fault when it starts, not on every beat it lasts; transactions from sinceLastBeat', () => {
    const broken = {
      idcard: { device: 'hardwareError' as const },
      printer: { device: 'online' as const, paper: 'full' as const },
    };
    const ok = { idcard: { device: 'online' as const }, printer: { device: 'online' as const, paper: 'full' as const } };
    const first = beatIncrements(kioskA.id, { hb: hb({ devices: ok }), at: noon - 30_000 }, hb({ devices: broken }), noon, 3);
    expect(first).toContainEqual({ kioskId: kioskA.id, day: 20_000, metric: 'fault', item: 'idcard', amount: 1 });
    const again = beatIncrements(kioskA.id, { hb: hb({ devices: broken }), at: noon - 30_000 }, hb({ devices: broken }), noon, 3);
    expect(again.filter((i) => i.metric === 'fault')).toEqual([]);
    const tx = beatIncrements(
      kioskA.id,
      { hb: null, at: null },
      hb({ sinceLastBeat: { sessionsStarted: 3, sessionsCompleted: 2, transactions: 2, transactionsFailed: 1 } }),
      noon,
      3,
    );
    expect(tx).toEqual([
      { kioskId: kioskA.id, day: 20_000, metric: 'tx', item: '', amount: 2 },
      { kioskId: kioskA.id, day: 20_000, metric: 'tx_failed', item: '', amount: 1 },
    ]);
  });
});

describe('transactions by service', () => {
  it('splits a beat’s transactions by the services the agent names; the rest stays undivided', () => {
    const noon = dayStart(20_000) + 12 * hour;
    const hb = validHeartbeat(kioskA.id, {
      sinceLastBeat: {
        sessionsStarted: 4,
        sessionsCompleted: 4,
        transactions: 4,
        transactionsFailed: 0,
        byService: { property: 2, gas: 1 },
      },
    });
    const tx = beatIncrements(kioskA.id, { hb: null, at: null }, hb, noon, 3).filter((i) => i.metric === 'tx');
    expect(tx.map((i) => [i.item, i.amount])).toEqual([
      ['property', 2],
      ['gas', 1],
      ['', 1],
    ]);
  });

  it('the agent counts printed slips by service from the print journal (slip kind → service id)', () => {
    const dir = tempDir('agent-jobs-');
    const db = openAgentDb(dir.dir);
    try {
      const job = db.prepare(
        `INSERT INTO print_jobs (kind, profile, state, byte_count, created_at, updated_at) VALUES (?, 'generic-80mm', ?, 10, ?, ?)`,
      );
      const t = '2026-01-02T03:04:05.000Z';
      for (const [kind, state] of [
        ['property', 'printed'],
        ['social-resident', 'printed'],
        ['social-flexible', 'printed'],
        ['gas-topup', 'printed'],
        ['tax', 'failed'],
        ['test-page', 'printed'],
      ] as const)
        job.run(kind, state, t, t);
      job.run('property', 'printed', '2026-01-01T00:00:00.000Z', t); // before the agent started
      expect(printedByService(db, '2026-01-02T00:00:00.000Z')).toEqual({ property: 1, social: 2, gas: 1 });
    } finally {
      db.close();
      dir.remove();
    }
  });

  let central: TestCentral | undefined;
  let agent: ReturnType<typeof tempDir> | undefined;
  afterEach(async () => {
    await central?.close();
    central = undefined;
    agent?.remove();
  });

  it('the agent sends per-service growth since the last accepted beat, and central charts it by service', async () => {
    central = await startTestCentral();
    agent = tempDir('agent-');
    const db = openAgentDb(agent.dir);
    const health = new FakeHealth();
    const sender = makeSender({ centralUrl: central.url, db, health, commands: new FakeCommands(health), intervalMs: 100 });
    try {
      health.counters = {
        sessionsStarted: 3,
        sessionsCompleted: 3,
        transactions: 3,
        transactionsFailed: 0,
        byService: { property: 2, tax: 1 },
      };
      sender.start();
      const viewer = await login(central.url, users.viewer);
      const today = dayLabel(chinaDay(Date.now()));
      const byService = async (): Promise<Record<string, number>> => {
        const s = (await getJson<{ series: ChartSeries }>(`${central!.url}/api/v1/charts/kiosk/${kioskA.id}?days=7`, viewer)).body
          .series;
        const i = s.days.indexOf(today);
        return Object.fromEntries(s.transactions.byService.map((b) => [b.item, b.perDay[i]!]));
      };
      await waitFor('property 2, tax 1', async () => {
        const b = await byService();
        return b.property === 2 && b.tax === 1;
      });
      health.counters = {
        sessionsStarted: 5,
        sessionsCompleted: 5,
        transactions: 5,
        transactionsFailed: 0,
        byService: { property: 3, tax: 1, gas: 1 },
      };
      // Many beats go by; only the growth is added, never the running count again.
      const b = await waitFor('property 3, gas 1', async () => {
        const v = await byService();
        return v.property === 3 && v.gas === 1 ? v : undefined;
      });
      expect(b).toEqual({ gas: 1, property: 3, tax: 1 });
    } finally {
      await sender.stop();
      db.close();
    }
  });
});

describe('chart queries on seeded history (SQLite)', () => {
  let db: Db | undefined;
  let tmp: ReturnType<typeof tempDir> | undefined;
  afterEach(() => {
    db?.close();
    tmp?.remove();
  });

  /** Today is China day D; "now" is 12:00 China time. */
  const D = 20_100;
  const now = dayStart(D) + 12 * hour;

  async function seeded(): Promise<ChartQueries> {
    tmp = tempDir('charts-');
    db = openDatabase(join(tmp.dir, 'central.db'), centralMigrations);
    db.exec(historyTableSql);
    const k = db.prepare('INSERT INTO kiosks (id, site, name) VALUES (?, ?, ?)');
    k.run(kioskA.id, kioskA.site, kioskA.name);
    k.run(kioskB.id, kioskB.site, kioskB.name);
    k.run('XN-TEST-03', kioskA.site, '3号机');
    const sc = db.prepare('INSERT INTO state_changes (kiosk_id, at, from_state, to_state) VALUES (?, ?, ?, ?)');
    // Kiosk A: online since 10 days ago; offline 18:00–24:00 on day D-1 (6 h); error 00:00–03:00 on D.
    sc.run(kioskA.id, dayStart(D - 10), null, 'online');
    sc.run(kioskA.id, dayStart(D - 1) + 18 * hour, 'online', 'offline');
    sc.run(kioskA.id, dayStart(D), 'offline', 'error');
    sc.run(kioskA.id, dayStart(D) + 3 * hour, 'error', 'warning');
    // Kiosk 03 (same site): first seen at 12:00 on D-1, online ever since.
    sc.run('XN-TEST-03', dayStart(D - 1) + 12 * hour, null, 'online');
    const src = sqliteChartSource(db);
    const rec = new HistoryRecorder(src, silent, 3);
    const add = (
      kioskId: string,
      day: number,
      metric: 'tx' | 'tx_failed' | 'paper_change' | 'paper_out_ms' | 'fault',
      item: string,
      amount: number,
    ): void => rec.add({ kioskId, day, metric, item, amount });
    add(kioskA.id, D - 1, 'tx', '', 40);
    add(kioskA.id, D - 1, 'tx', '', 2); // added up, not replaced
    add(kioskA.id, D - 1, 'tx_failed', '', 3);
    add(kioskA.id, D, 'tx', '', 5);
    add('XN-TEST-03', D, 'tx', '', 7);
    add(kioskB.id, D, 'tx', '', 100); // other site
    add(kioskA.id, D - 1, 'paper_change', '', 2);
    add(kioskA.id, D - 1, 'paper_out_ms', '', 90 * minute);
    add(kioskA.id, D, 'fault', 'idcard', 1);
    add('XN-TEST-03', D, 'fault', 'printer', 2);
    add(kioskA.id, D - 40, 'tx', '', 999); // outside 30 days
    await rec.flush();
    return new ChartQueries(src);
  }

  const at = (s: ChartSeries, day: number): number => s.days.indexOf(dayLabel(day));

  it('one kiosk over 7 days: availability per day, transactions, paper, faults', async () => {
    const q = await seeded();
    const s = await q.kiosk(kioskA.id, 7, now);
    expect(s.days).toHaveLength(7);
    expect(s.days[6]).toBe(dayLabel(D));
    // D-1: 18 h online of 24 h known. D: 3 h error + 9 h warning of the 12 h so far.
    expect(s.availability[at(s, D - 1)]).toBe(0.75);
    expect(s.availability[at(s, D)]).toBe(0.75);
    expect(s.availability[at(s, D - 2)]).toBe(1);
    // Over the window: 5 full days + (18 + 9) h up of (6 × 24 + 12) h known.
    expect(s.availabilityOverall).toBe(Math.round(((5 * 24 + 27) / (6 * 24 + 12)) * 10_000) / 10_000);
    expect(s.transactions.total[at(s, D - 1)]).toBe(42);
    expect(s.transactions.failed[at(s, D - 1)]).toBe(3);
    expect(s.transactions.total[at(s, D)]).toBe(5);
    expect(s.paper.changes[at(s, D - 1)]).toBe(2);
    expect(s.paper.outMinutes[at(s, D - 1)]).toBe(90);
    expect(s.faults.byDevice).toEqual([{ item: 'idcard', perDay: [0, 0, 0, 0, 0, 0, 1] }]);
    const month = await q.kiosk(kioskA.id, 30, now);
    expect(month.days).toHaveLength(30);
    expect(month.transactions.total.reduce((a, b) => a + b, 0)).toBe(47);
    // Before the kiosk was first seen (day D-10) nothing is known.
    expect(month.availability[at(month, D - 11)]).toBeNull();
  });

  it('a site adds up its kiosks (and only its own); unknown time does not count against it', async () => {
    const q = await seeded();
    const s = await q.site(kioskA.site, 7, now);
    expect(s.transactions.total[at(s, D)]).toBe(12);
    expect(s.faults.total[at(s, D)]).toBe(3);
    // D-1: A 18 h up of 24; 03 12 h up of 12 (first seen at noon) → 30 / 36.
    expect(s.availability[at(s, D - 1)]).toBe(Math.round((30 / 36) * 10_000) / 10_000);
    const other = await q.site(kioskB.site, 7, now);
    expect(other.transactions.total[at(other, D)]).toBe(100);
    expect(other.availability.every((v) => v === null)).toBe(true);
  });

  it('gives the same numbers through the portable-driver adapter (what a PostgreSQL store plugs into)', async () => {
    const q = await seeded();
    // A driver with the store's shape (async all/transaction/run) over the same SQLite file.
    const d = db!;
    const driver: PortableSql = {
      all: <T>(sql: string, params: readonly unknown[] = []) =>
        Promise.resolve(d.prepare(sql).all(...(params as unknown[])) as T[]),
      async transaction<T>(
        fn: (tx: { run(sql: string, params?: readonly unknown[]): Promise<unknown> }) => Promise<T>,
      ): Promise<T> {
        d.exec('BEGIN');
        try {
          const r = await fn({ run: (sql, params = []) => Promise.resolve(d.prepare(sql).run(...(params as unknown[]))) });
          d.exec('COMMIT');
          return r;
        } catch (err) {
          d.exec('ROLLBACK');
          throw err;
        }
      },
    };
    const viaAdapter = new ChartQueries(chartSourceFromSql(driver));
    expect(await viaAdapter.site(kioskA.site, 30, now)).toEqual(await q.site(kioskA.site, 30, now));
    const rec = new HistoryRecorder(chartSourceFromSql(driver), silent, 3);
    rec.add({ kioskId: kioskA.id, day: D, metric: 'tx', item: '', amount: 3 });
    await rec.flush();
    const s = await viaAdapter.kiosk(kioskA.id, 7, now);
    expect(s.transactions.total[s.days.indexOf(dayLabel(D))]).toBe(8);
  });

  it('drops history older than the retention, keeps the rest', async () => {
    const q = await seeded();
    const rec = new HistoryRecorder(sqliteChartSource(db!), silent, 3);
    await rec.prune(30, now);
    const before = await q.kiosk(kioskA.id, 30, now);
    expect(before.transactions.total.reduce((a, b) => a + b, 0)).toBe(47);
    const left = db!.prepare('SELECT count(*) AS n FROM kiosk_daily WHERE day < ?').get(D - 30) as { n: number };
    expect(left.n).toBe(0);
    await rec.prune(0, now);
    expect((await q.kiosk(kioskA.id, 30, now)).transactions.total.reduce((a, b) => a + b, 0)).toBe(5);
  });

  it('sparklines for every site', async () => {
    const q = await seeded();
    const { days, sites } = await q.sites(7, now);
    expect(days).toHaveLength(7);
    const a = sites.find((s) => s.site === kioskA.site)!;
    expect(a.transactions[6]).toBe(12);
    expect(a.transactions[5]).toBe(42);
    expect(a.availability[5]).toBe(Math.round((30 / 36) * 10_000) / 10_000);
    expect(sites.find((s) => s.site === kioskB.site)!.transactions[6]).toBe(100);
  });
});

describe('charts API on a running central', () => {
  let central: TestCentral | undefined;
  afterEach(async () => {
    await central?.close();
    central = undefined;
  });

  it('records paper changes, transactions and faults from heartbeats and serves them to viewers', async () => {
    central = await startTestCentral();
    let seq = 0;
    const beat = async (over: Partial<Heartbeat>): Promise<void> => {
      const r = await signedPost(central!.url, 'heartbeats', JSON.stringify(validHeartbeat(kioskA.id, over)), {
        ...kioskA,
        kioskId: kioskA.id,
        seq: ++seq,
      });
      expect(r.status).toBe(200);
    };
    const tx = (n: number) => ({ sessionsStarted: n, sessionsCompleted: n, transactions: n, transactionsFailed: 0 });
    await beat({ sinceLastBeat: tx(2) });
    await beat({
      paper: 'out',
      devices: { idcard: { device: 'noDevice' }, printer: { device: 'userError', paper: 'out' } },
      sinceLastBeat: tx(1),
    });
    await beat({ paper: 'full', sinceLastBeat: tx(0) });
    const viewer = await login(central.url, users.viewer);
    const today = dayLabel(chinaDay(Date.now()));
    const series = await waitFor('chart history written', async () => {
      const r = await getJson<{ series: ChartSeries }>(`${central!.url}/api/v1/charts/kiosk/${kioskA.id}?days=7`, viewer);
      const s = r.body.series;
      const i = s.days.indexOf(today);
      return s.transactions.total[i] === 3 && s.paper.changes[i] === 1 ? s : undefined;
    });
    const i = series.days.indexOf(today);
    // The printer's userError while out of paper is the paper chart's, not a device fault.
    expect(series.faults.byDevice.map((d) => [d.item, d.perDay[i]])).toEqual([['idcard', 1]]);
    expect(series.availability[i]).not.toBeNull();
    const site = await getJson<{ series: ChartSeries }>(
      `${central.url}/api/v1/charts/site?site=${encodeURIComponent(kioskA.site)}&days=30`,
      viewer,
    );
    expect(site.status).toBe(200);
    expect(site.body.series.days).toHaveLength(30);
    expect((await getJson(`${central.url}/api/v1/charts/sites?days=7`, viewer)).status).toBe(200);
    expect((await getJson(`${central.url}/api/v1/charts/kiosk/${kioskA.id}?days=9`, viewer)).status).toBe(400);
    expect((await getJson(`${central.url}/api/v1/charts/kiosk/NOPE?days=7`, viewer)).status).toBe(404);
    expect((await getJson(`${central.url}/api/v1/charts/kiosk/${kioskA.id}`)).status).toBe(401);
  });
});
