/**
 * 好差评 parts on their own (issue 18): the evaluation platform's rules (sandbox), the reporter's
 * privacy (a salted hash on bad ratings only, never the ID number, nothing personal to central),
 * delivery through an outage with one stored report, and central's follow-up book.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, pseudonym, silentLogger } from '@kiosk/platform';
import { agentMigrations } from '../../apps/agent/src/store/migrations.js';
import { CentralStore } from '../../apps/central/src/store/store.js';
import { RatingsBook } from '../../apps/central/src/ratings.js';
import { RatingReporter } from '../../apps/agent/src/ratings/reporter.js';
import { createServices } from '../../apps/agent/src/services/index.js';
import { tempDir } from '../helpers/config.js';
import { postJson, startTestSandbox, type TestSandbox } from '../sandbox/fixture.js';

const KIOSK = 'XN-RATE-UNIT-01';
const H = { 'content-type': 'application/json', 'x-kiosk-id': KIOSK, 'x-request-id': 'unit-1' };
const ID = '421202198503120610';
const SALT = 'unit-test-salt-0123456789';

let sb: TestSandbox;
beforeAll(async () => {
  sb = await startTestSandbox();
});
afterAll(async () => {
  await sb?.close();
});

const report = (over: Record<string, unknown> = {}) => ({
  idempotencyKey: 'key-0001-aaaa',
  itemCode: '11421200MB1518434K4000517031000',
  itemName: '电子证照用证打印',
  channel: '自助终端',
  kioskId: KIOSK,
  department: '咸宁市政务服务和大数据管理局',
  ratedAt: '2026-06-30T02:00:00.000Z',
  level: 'dissatisfied',
  score: 2,
  reasons: ['waitTooLong'],
  subjectHash: pseudonym(SALT, ID),
  ...over,
});

describe('evaluation platform (sandbox)', () => {
  it('stores a report once per key, and refuses a reused key with other content', async () => {
    const url = `${sb.url}/evaluation/v1/ratings`;
    const first = await postJson(url, report(), H);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ followUp: true, created: true });
    const again = await postJson(url, report(), H);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ evaluationId: first.body.evaluationId, created: false });
    const other = await postJson(url, report({ reasons: ['other'] }), H);
    expect(other.status).toBe(409);
    const list = await (await fetch(url, { headers: H })).json();
    expect(list.ratings.filter((r: { idempotencyKey: string }) => r.idempotencyKey === 'key-0001-aaaa')).toHaveLength(1);
  });

  it('refuses an ID number, reasons or a link on a good rating, and a foreign kiosk id', async () => {
    const url = `${sb.url}/evaluation/v1/ratings`;
    expect((await postJson(url, report({ idempotencyKey: 'key-0002-aaaa', department: `x ${ID}` }), H)).body.error.code).toBe(
      'UNMASKED_PERSONAL_DATA',
    );
    const good = { idempotencyKey: 'key-0003-aaaa', level: 'satisfied', score: 4 };
    expect((await postJson(url, report({ ...good, reasons: [], subjectHash: null, kioskId: 'OTHER' }), H)).body.error.code).toBe(
      'KIOSK_MISMATCH',
    );
    expect((await postJson(url, report({ ...good, subjectHash: null }), H)).body.error.code).toBe('REASONS_NOT_ALLOWED');
    expect((await postJson(url, report({ ...good, reasons: [] }), H)).body.error.code).toBe('LINK_NOT_ALLOWED');
    expect((await postJson(url, report({ ...good, reasons: [], subjectHash: null }), H)).status).toBe(201);
  });
});

describe('rating reporter', () => {
  const setup = (kiosk: string) => {
    const db = openDatabase(join(tempDir('ratings-unit-'), 'agent.db'), agentMigrations);
    const services = createServices({ baseUrl: sb.url, timeoutMs: 2000, kioskId: kiosk, retry: { maxAttempts: 1 } });
    const events: { type: string; payload: Record<string, unknown> }[] = [];
    const reporter = new RatingReporter({
      db,
      evaluation: services.evaluation,
      kioskId: kiosk,
      hashSalt: SALT,
      retryBaseMs: 50,
      maxRetryMs: 200,
      logger: silentLogger(),
      reportEvent: (type, payload) => events.push({ type, payload }),
    });
    return { db, reporter, events };
  };
  const stored = async (kiosk: string) =>
    (
      (await (await fetch(`${sb.url}/evaluation/v1/ratings`, { headers: { ...H, 'x-kiosk-id': kiosk } })).json()) as {
        ratings: { idempotencyKey: string; report: Record<string, unknown> }[];
      }
    ).ratings;

  it('links a bad rating by a salted hash only; a good one carries no link and no reasons; central hears no identity at all', async () => {
    const kiosk = 'XN-RATE-UNIT-02';
    const { reporter, events } = setup(kiosk);
    reporter.start();
    const bad = reporter.submit({
      sessionId: 's1',
      serviceId: 'property',
      rating: 'veryDissatisfied',
      reasons: ['notSolved', 'other'],
      idNumber: ID,
    });
    const good = reporter.submit({ sessionId: 's2', serviceId: 'tax', rating: 'verySatisfied', reasons: [], idNumber: ID });
    await expect.poll(async () => (await stored(kiosk)).length, { timeout: 15_000 }).toBe(2);
    const all = await stored(kiosk);
    const b = all.find((r) => r.idempotencyKey === bad)!.report;
    const g = all.find((r) => r.idempotencyKey === good)!.report;
    expect(b).toMatchObject({
      level: 'veryDissatisfied',
      score: 1,
      reasons: ['notSolved', 'other'],
      itemName: '不动产登记资料查询',
      channel: '自助终端',
    });
    expect(b.subjectHash).toBe(pseudonym(SALT, ID));
    expect(b.subjectHash).not.toBe(pseudonym('another-salt-0123456789', ID));
    expect(g).toMatchObject({ score: 5, reasons: [], subjectHash: null });
    expect(JSON.stringify(all)).not.toContain(ID);
    expect(events.map((e) => e.type)).toEqual(['rating.submitted', 'rating.submitted']);
    expect(JSON.stringify(events)).not.toContain(ID);
    expect(JSON.stringify(events)).not.toContain(pseudonym(SALT, ID));
    await reporter.stop();
  });

  it('retries through an outage and the platform stores the rating once', async () => {
    const kiosk = 'XN-RATE-UNIT-03';
    sb.sandbox.faults.add({ operation: 'evaluation.submit', kind: 'error', status: 503, count: 3, phase: 'before' });
    // The answer to the first call that gets through is lost after the report was stored.
    sb.sandbox.faults.add({ operation: 'evaluation.submit', kind: 'reset', count: 1, phase: 'after' });
    const { db, reporter } = setup(kiosk);
    reporter.start();
    const key = reporter.submit({
      sessionId: 's1',
      serviceId: 'gas',
      rating: 'dissatisfied',
      reasons: ['deviceFault'],
      idNumber: null,
    });
    await expect.poll(() => reporter.queue.find(key)?.deliveredAt ?? null, { timeout: 20_000 }).not.toBeNull();
    expect(reporter.queue.find(key)!.attempts).toBeGreaterThanOrEqual(4);
    expect(await stored(kiosk)).toHaveLength(1);
    expect((await stored(kiosk))[0]!.report.subjectHash).toBeNull();
    expect(db.prepare('SELECT count(*) AS n FROM delivery_queue WHERE delivered_at IS NULL').get()).toEqual({ n: 0 });
    await reporter.stop();
  });
});

describe('central follow-up book', () => {
  // The book on central's store (SQLite here; PostgreSQL: tests/central/ratings-postgres.test.ts).
  const book = async () => {
    const store = await CentralStore.open({ dataDir: tempDir('central-ratings-') });
    const b = new RatingsBook(store);
    // As the fleet does: each event applied in its own transaction, handed to the book's handler.
    const apply = (kiosk: { id: string; site: string }, type: string, payload: Record<string, unknown>, now: number) =>
      store.transaction((tx) => b.onEvent(kiosk, type, payload, now, tx));
    return { b, apply };
  };
  const ev = (ratingId: string, level: string, score: number, ratedAt: string, service = 'licence') => ({
    ratingId,
    service,
    itemCode: 'C1',
    itemName: '电子证照用证打印',
    department: '咸宁市政务服务和大数据管理局',
    level,
    score,
    reasons: level === 'dissatisfied' ? ['waitTooLong'] : [],
    ratedAt,
  });

  it('records each rating once, opens a follow-up per bad rating, and counts per site, service and day', async () => {
    const { b, apply } = await book();
    const siteA = { id: 'K1', site: '咸宁市政务服务中心' };
    const siteB = { id: 'K2', site: '嘉鱼县政务服务中心' };
    const now = Date.parse('2026-06-30T06:00:00Z');
    await apply(siteA, 'rating.submitted', ev('r-000001', 'satisfied', 4, '2026-06-29T03:00:00Z'), now);
    await apply(siteA, 'rating.submitted', ev('r-000002', 'dissatisfied', 2, '2026-06-30T03:00:00Z'), now);
    await apply(siteA, 'rating.submitted', ev('r-000002', 'dissatisfied', 2, '2026-06-30T03:00:00Z'), now); // a resend
    await apply(siteB, 'rating.submitted', ev('r-000003', 'verySatisfied', 5, '2026-06-30T03:00:00Z', 'tax'), now);
    await apply(siteB, 'alert', { code: 'x' }, now);
    const s = await b.summary(7, now);
    expect(s.total).toBe(3);
    expect(s.rate).toBeCloseTo(2 / 3);
    expect(s.bySite.find((g) => g.key === siteA.site)).toMatchObject({ total: 2, bad: 1, rate: 0.5, openFollowups: 1 });
    expect(s.byService.find((g) => g.key === 'tax')).toMatchObject({ total: 1, rate: 1, openFollowups: 0 });
    expect(s.series).toHaveLength(7);
    expect(s.series.at(-1)).toMatchObject({ date: '2026-06-30', total: 2, satisfied: 1, rate: 0.5 });
    expect(s.series.at(-2)).toMatchObject({ date: '2026-06-29', total: 1, rate: 1 });
    expect(s.series.at(-3)!.rate).toBeNull();

    // Narrowed to one site or one service: chart and tables count only its ratings; the choices stay.
    const jiayu = await b.summary(7, now, { site: siteB.site });
    expect(jiayu).toMatchObject({ total: 1, rate: 1, filter: { site: siteB.site, service: null } });
    expect(jiayu.sites).toEqual([siteB.site, siteA.site].sort((x, y) => x.localeCompare(y, 'zh-CN')));
    expect(jiayu.series.at(-1)).toMatchObject({ total: 1, rate: 1 });
    expect(await b.summary(7, now, { service: 'licence' })).toMatchObject({ total: 2, rate: 0.5, services: ['licence', 'tax'] });
    expect(await b.summary(7, now, { site: siteB.site, service: 'licence' })).toMatchObject({ total: 0, rate: null });

    const open = await b.followups(true);
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ kioskId: 'K1', site: siteA.site, service: 'licence', reasons: ['waitTooLong'] });
    expect(await b.handle(open[0]!.id, 'ops', '已回访', now)).toBe(true);
    expect(await b.handle(open[0]!.id, 'ops', 'again', now)).toBe(false);
    expect(await b.followups(true)).toHaveLength(0);
    expect((await b.followups(false))[0]).toMatchObject({ handledBy: 'ops', note: '已回访' });
    expect((await b.summary(7, now)).bySite.find((g) => g.key === siteA.site)!.openFollowups).toBe(0);
  });
});
