import { Writable } from 'node:stream';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RatingsSummaryResponse, FollowupsResponse } from '@kiosk/contracts/central-dashboard';
import { signedHeaders } from '@kiosk/contracts/heartbeat';
import { RatingsBook } from '../../apps/central/src/ratings.js';
import type { CentralServer } from '../../apps/central/src/server.js';
import { CentralStore } from '../../apps/central/src/store/store.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { getJson, kioskA, kioskB, login, startPgReplica, testConfig, users } from './helpers.js';

/**
 * 好差评 at central on PostgreSQL (issue 18 on issue 15's store): two replicas share one
 * database, a rating reported through both is stored once, both dashboards show the same
 * satisfaction rate and follow-up, and marking the follow-up handled happens (and is audited)
 * once even when both replicas are asked at the same moment.
 */
const masterKey = 'c'.repeat(64);
let cluster: TestPostgres;
let databaseUrl: string;
let a: CentralServer;
let b: CentralServer;
const logLines: { level: number; msg: string }[] = [];
const dirs: { remove(): void }[] = [];

beforeAll(async () => {
  cluster = await startPostgres();
  databaseUrl = await cluster.createDatabase();
  const config = await testConfig();
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean))
        logLines.push(JSON.parse(line) as (typeof logLines)[number]);
      done();
    },
  });
  const start = () =>
    startPgReplica(
      { config, databaseUrl, masterKey, prefix: 'central-ratings-pg-', logger: pino({ level: 'warn' }, sink) },
      dirs,
    );
  [a, b] = await Promise.all([start(), start()]);
}, 180_000);

afterAll(async () => {
  await Promise.allSettled([a?.close(), b?.close()]);
  await cluster?.stop();
  for (const d of dirs) d.remove();
});

let seq = Date.now();
function postEvents(base: string, events: { seq: number; type: string; payload: Record<string, unknown> }[]) {
  const body = JSON.stringify({ events: events.map((e) => ({ ...e, at: new Date().toISOString() })) });
  const headers = {
    ...signedHeaders(kioskA.secret, { endpoint: 'events', kioskId: kioskA.id, timestamp: Date.now(), seq: ++seq }, body),
    'content-type': 'application/json',
  };
  return fetch(`${base}/api/v1/events`, { method: 'POST', headers, body }).then(async (r) => ({
    status: r.status,
    body: (await r.json()) as Record<string, unknown>,
  }));
}

const rating = (ratingId: string, level: string, score: number, reasons: string[] = []) => ({
  ratingId,
  service: 'licence',
  itemCode: 'C1',
  itemName: '电子证照用证打印',
  department: '咸宁市政务服务和大数据管理局',
  level,
  score,
  reasons,
  ratedAt: new Date().toISOString(),
});

async function sql<T>(text: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    return (await c.query(text, params)).rows as T[];
  } finally {
    await c.end();
  }
}

describe('好差评 on two central replicas sharing PostgreSQL', () => {
  it('starts without the "not kept on PostgreSQL" warning', () => {
    expect(logLines.filter((l) => /rating|好差评/i.test(l.msg))).toEqual([]);
  });

  it('stores a rating posted to both replicas once, and both dashboards show the rate and the follow-up', async () => {
    const bad = rating('r-pg-000001', 'dissatisfied', 2, ['waitTooLong']);
    // Through which replica each outbox event arrives: seq 1 twice (A's answer was lost, the kiosk
    // failed over to B), then the same rating again as new events (the kiosk re-queued it).
    const deliveries: [string, number][] = [
      [a.url, 1],
      [b.url, 1],
      [b.url, 2],
      [a.url, 3],
    ];
    for (const [base, eventSeq] of deliveries) {
      const res = await postEvents(base, [{ seq: eventSeq, type: 'rating.submitted', payload: bad }]);
      expect(res.body).toMatchObject({ ok: true, ackedSeq: eventSeq });
    }
    const good = await postEvents(a.url, [{ seq: 4, type: 'rating.submitted', payload: rating('r-pg-000002', 'satisfied', 4) }]);
    expect(good.body).toMatchObject({ ok: true, ackedSeq: 4 });

    expect(await sql('SELECT rating_id FROM ratings ORDER BY rating_id')).toEqual([
      { rating_id: 'r-pg-000001' },
      { rating_id: 'r-pg-000002' },
    ]);
    for (const base of [a.url, b.url]) {
      const cookie = await login(base, users.viewer);
      const s = await getJson<RatingsSummaryResponse>(`${base}/api/v1/ratings/summary?days=7`, cookie);
      expect(s.status).toBe(200);
      expect(s.body.summary).toMatchObject({ total: 2, rate: 0.5, sites: [kioskA.site], services: ['licence'] });
      expect(s.body.summary.bySite).toEqual([{ key: kioskA.site, total: 2, satisfied: 1, bad: 1, rate: 0.5, openFollowups: 1 }]);
      expect(s.body.summary.series.at(-1)).toMatchObject({ total: 2, satisfied: 1, rate: 0.5 });
      const f = await getJson<FollowupsResponse>(`${base}/api/v1/followups`, cookie);
      expect(f.body.followups).toHaveLength(1);
      expect(f.body.followups[0]).toMatchObject({
        kioskId: kioskA.id,
        ratingId: 'r-pg-000001',
        site: kioskA.site,
        level: 'dissatisfied',
        reasons: ['waitTooLong'],
        handledAt: null,
      });
    }
  });

  it('marks the follow-up handled once when both replicas are asked together, and audits it once', async () => {
    const [opsA, opsB] = await Promise.all([login(a.url, users.operator), login(b.url, users.operator)]);
    const id = (await getJson<FollowupsResponse>(`${a.url}/api/v1/followups`, opsA)).body.followups[0]!.id;
    const handle = (base: string, cookie: string, note: string) =>
      fetch(`${base}/api/v1/followups/${encodeURIComponent(id)}/handle`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie },
        body: JSON.stringify({ note }),
      }).then((r) => r.status);
    const statuses = await Promise.all([handle(a.url, opsA, '已回访 A'), handle(b.url, opsB, '已回访 B')]);
    expect([...statuses].sort()).toEqual([200, 409]);

    const audit = await sql<{ actor: string; kiosk_id: string; detail: string }>(
      `SELECT actor, kiosk_id, detail FROM audit_log WHERE action = 'followup.handled'`,
    );
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: `user:${users.operator.username}`, kiosk_id: kioskA.id });
    expect(JSON.parse(audit[0]!.detail)).toEqual({ id, service: 'licence' });

    const viewer = await login(b.url, users.viewer);
    expect((await getJson<FollowupsResponse>(`${b.url}/api/v1/followups`, viewer)).body.followups).toEqual([]);
    const all = (await getJson<FollowupsResponse>(`${b.url}/api/v1/followups?state=all`, viewer)).body.followups;
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ handledBy: users.operator.username, note: statuses[0] === 200 ? '已回访 A' : '已回访 B' });
    expect(all[0]!.handledAt).toEqual(expect.any(Number));
    const s = await getJson<RatingsSummaryResponse>(`${a.url}/api/v1/ratings/summary?days=7`, opsA);
    expect(s.body.summary.bySite[0]!.openFollowups).toBe(0);
  });

  it('stores a rating once when two replicas apply it in the same moment (the primary key decides, not a read first)', async () => {
    // Two stores on the database, each applying the rating in its own open transaction, as two
    // replicas do with two event batches that carry it.
    const stores = await Promise.all([
      CentralStore.open({ databaseUrl, dataDir: '' }),
      CentralStore.open({ databaseUrl, dataDir: '' }),
    ]);
    try {
      const kiosk = { id: kioskB.id, site: kioskB.site };
      const bad = rating('r-pg-race-01', 'veryDissatisfied', 1, ['other']);
      let inside = 0;
      let bothInside: () => void = () => undefined;
      const met = new Promise<void>((r) => (bothInside = r));
      await Promise.all(
        stores.map((store) =>
          store.transaction(async (tx) => {
            // Both transactions are open before either writes: neither can see the other's row.
            if (++inside === 2) bothInside();
            await met;
            await new RatingsBook(store).onEvent(kiosk, 'rating.submitted', bad, Date.now(), tx);
          }),
        ),
      );
      expect(await sql(`SELECT count(*)::int AS n FROM ratings WHERE rating_id = 'r-pg-race-01'`)).toEqual([{ n: 1 }]);
      expect(await sql(`SELECT count(*)::int AS n FROM rating_followups WHERE rating_id = 'r-pg-race-01'`)).toEqual([{ n: 1 }]);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });
});
