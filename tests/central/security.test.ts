import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedHeaders } from '@kiosk/contracts/heartbeat';
import {
  getJson,
  kioskA,
  kioskB,
  login,
  postJson,
  signedPost,
  startTestCentral,
  users,
  validHeartbeat,
  type TestCentral,
} from './helpers.js';

describe('signed kiosk requests', () => {
  let central: TestCentral;
  // Sequence numbers only ever grow; each test takes fresh ones.
  let seq = 1_000;
  const next = (): number => ++seq;

  beforeAll(async () => {
    central = await startTestCentral();
  });
  afterAll(async () => {
    await central.close();
  });

  const body = (id = kioskA.id): string => JSON.stringify(validHeartbeat(id));

  it('accepts a correctly signed heartbeat', async () => {
    const r = await signedPost(central.url, 'heartbeats', body(), { ...kioskA, kioskId: kioskA.id, seq: next() });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ok: true, state: 'online', eventsAckedSeq: 0, commands: [] });
  });

  it('rejects an unsigned heartbeat', async () => {
    const r = await postJson(`${central.url}/api/v1/heartbeats`, validHeartbeat(kioskA.id));
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({ ok: false, reason: 'unsigned' });
  });

  it('rejects an unknown kiosk exactly like a bad signature (ids cannot be enumerated)', async () => {
    const r = await signedPost(central.url, 'heartbeats', body('XN-NOBODY'), {
      kioskId: 'XN-NOBODY',
      secret: kioskA.secret,
      seq: next(),
    });
    expect(r.status).toBe(401);
    expect(r.body.reason).toBe('bad-signature');
  });

  it('rejects a wrong secret, another kiosk’s secret, a tampered body and a signature made for another endpoint', async () => {
    const wrong = await signedPost(central.url, 'heartbeats', body(), {
      kioskId: kioskA.id,
      secret: 'not-the-secret-xxxxxxxx',
      seq: next(),
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.reason).toBe('bad-signature');

    const other = await signedPost(central.url, 'heartbeats', body(), { kioskId: kioskA.id, secret: kioskB.secret, seq: next() });
    expect(other.body.reason).toBe('bad-signature');

    const f = { endpoint: 'heartbeats' as const, kioskId: kioskA.id, timestamp: Date.now(), seq: next() };
    const h = signedHeaders(kioskA.secret, f, body());
    const tampered = JSON.stringify(validHeartbeat(kioskA.id, { mode: 'maintenance' }));
    const res = await fetch(`${central.url}/api/v1/heartbeats`, {
      method: 'POST',
      headers: { ...h, 'content-type': 'application/json' },
      body: tampered,
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { reason: string }).reason).toBe('bad-signature');

    // A heartbeat signature replayed against the events endpoint.
    const h2 = signedHeaders(kioskA.secret, { ...f, seq: next() }, '{"events":[]}');
    const cross = await fetch(`${central.url}/api/v1/events`, {
      method: 'POST',
      headers: { ...h2, 'content-type': 'application/json' },
      body: '{"events":[]}',
    });
    expect(cross.status).toBe(401);
    expect(((await cross.json()) as { reason: string }).reason).toBe('bad-signature');
  });

  it('rejects timestamps more than 5 minutes off, either way, and says what central’s time is', async () => {
    const past = await signedPost(central.url, 'heartbeats', body(), {
      ...kioskA,
      kioskId: kioskA.id,
      seq: next(),
      timestamp: Date.now() - 6 * 60_000,
    });
    expect(past.status).toBe(401);
    expect(past.body.reason).toBe('stale');
    expect(typeof past.body.serverTime).toBe('string');
    const future = await signedPost(central.url, 'heartbeats', body(), {
      ...kioskA,
      kioskId: kioskA.id,
      seq: next(),
      timestamp: Date.now() + 6 * 60_000,
    });
    expect(future.body.reason).toBe('stale');
    // Within the window is fine.
    const near = await signedPost(central.url, 'heartbeats', body(), {
      ...kioskA,
      kioskId: kioskA.id,
      seq: next(),
      timestamp: Date.now() - 4 * 60_000,
    });
    expect(near.status).toBe(200);
  });

  it('rejects a replayed request and any sequence number not above the last one', async () => {
    const b = body();
    const f = { endpoint: 'heartbeats' as const, kioskId: kioskA.id, timestamp: Date.now(), seq: next() };
    const h = signedHeaders(kioskA.secret, f, b);
    const send = () =>
      fetch(`${central.url}/api/v1/heartbeats`, {
        method: 'POST',
        headers: { ...h, 'content-type': 'application/json' },
        body: b,
      });
    expect((await send()).status).toBe(200);
    const again = await send();
    expect(again.status).toBe(401);
    expect(((await again.json()) as { reason: string }).reason).toBe('replay');

    const lower = await signedPost(central.url, 'heartbeats', b, { ...kioskA, kioskId: kioskA.id, seq: f.seq - 1 });
    expect(lower.status).toBe(401);
    expect(lower.body.reason).toBe('replay');
    // Sequence numbers are per kiosk: kiosk B starts from its own.
    const otherKiosk = await signedPost(central.url, 'heartbeats', body(kioskB.id), { ...kioskB, kioskId: kioskB.id, seq: 1 });
    expect(otherKiosk.status).toBe(200);
  });

  it('rejects a signed body that names another kiosk, and an invalid one, with 400', async () => {
    const r = await signedPost(central.url, 'heartbeats', body(kioskB.id), { ...kioskA, kioskId: kioskA.id, seq: next() });
    expect(r.status).toBe(400);
    const bad = await signedPost(central.url, 'heartbeats', JSON.stringify({ ...validHeartbeat(kioskA.id), paper: 'soggy' }), {
      ...kioskA,
      kioskId: kioskA.id,
      seq: next(),
    });
    expect(bad.status).toBe(400);
    expect(String(bad.body.error)).toContain('paper');
  });

  it('applies an event seq once even when the same events are sent again', async () => {
    const events = (from: number) =>
      JSON.stringify({
        events: [0, 1, 2].map((i) => ({
          seq: from + i,
          type: 'transaction.summary',
          at: new Date().toISOString(),
          payload: { i },
        })),
      });
    const a = await signedPost(central.url, 'events', events(10), { ...kioskB, kioskId: kioskB.id, seq: 100 });
    expect(a.body).toMatchObject({ ok: true, ackedSeq: 12 });
    const b = await signedPost(central.url, 'events', events(11), { ...kioskB, kioskId: kioskB.id, seq: 101 });
    expect(b.body).toMatchObject({ ok: true, ackedSeq: 13 });
    const cookie = await login(central.url, users.viewer);
    const d = await getJson<{ kiosk: { events: { seq: number }[] } }>(`${central.url}/api/v1/kiosks/${kioskB.id}`, cookie);
    expect(d.body.kiosk.events.map((e) => e.seq)).toEqual([13, 12, 11, 10]);
  });

  it('redacts an event payload that carries something shaped like an ID number', async () => {
    // Synthetic number with a valid shape and check digit (region 420102, born 1990-01-01); nobody real.
    const ev = JSON.stringify({
      events: [{ seq: 50, type: 'note', at: new Date().toISOString(), payload: { text: 'id 420102199001011236' } }],
    });
    const r = await signedPost(central.url, 'events', ev, { ...kioskB, kioskId: kioskB.id, seq: 200 });
    expect(r.status).toBe(200);
    const cookie = await login(central.url, users.viewer);
    const d = await getJson<{ kiosk: { events: { seq: number; payload: Record<string, unknown> }[] } }>(
      `${central.url}/api/v1/kiosks/${kioskB.id}`,
      cookie,
    );
    const stored = d.body.kiosk.events.find((e) => e.seq === 50);
    expect(stored?.payload.redacted).toBe(true);
    expect(JSON.stringify(d.body)).not.toContain('420102199001011236');
  });

  it('counts rejections by reason in /metrics', async () => {
    const text = await (await fetch(`${central.url}/metrics`)).text();
    expect(text).toMatch(/central_requests_rejected_total\{reason="replay"\} [1-9]/);
    expect(text).toMatch(/central_requests_rejected_total\{reason="bad-signature"\} [1-9]/);
  });
});

describe('dashboard access control', () => {
  let central: TestCentral;
  let viewer: string;
  let operator: string;

  beforeAll(async () => {
    central = await startTestCentral();
    viewer = await login(central.url, users.viewer);
    operator = await login(central.url, users.operator);
  });
  afterAll(async () => {
    await central.close();
  });

  const reads = ['/api/v1/kiosks', `/api/v1/kiosks/${kioskA.id}`, '/api/v1/alerts', '/api/v1/not-seen', '/api/v1/session'];

  it('refuses anonymous reads with 401 and lets a viewer read', async () => {
    for (const path of reads) {
      expect((await getJson(`${central.url}${path}`)).status, path).toBe(401);
      expect((await getJson(`${central.url}${path}`, viewer)).status, path).toBe(200);
    }
    expect((await getJson(`${central.url}/api/v1/session`, viewer)).body).toMatchObject({
      user: { username: 'viewer', role: 'viewer' },
    });
  });

  it('keeps /healthz and /metrics open for probes and Prometheus', async () => {
    expect((await fetch(`${central.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${central.url}/metrics`)).status).toBe(200);
  });

  it('lets only operators send commands and acknowledge alerts', async () => {
    const url = `${central.url}/api/v1/kiosks/${kioskA.id}/commands`;
    const cmd = { kind: 'set-out-of-service', message: '设备维护中 Under maintenance' };
    expect((await postJson(url, cmd)).status).toBe(401);
    expect((await postJson(url, cmd, viewer)).status).toBe(403);
    const ok = await postJson<{ command: { id: string; status: string; issuedBy: string } }>(url, cmd, operator);
    expect(ok.status).toBe(202);
    expect(ok.body.command).toMatchObject({ status: 'queued', issuedBy: 'ops' });

    expect((await postJson(`${central.url}/api/v1/alerts/1/ack`, {})).status).toBe(401);
    expect((await postJson(`${central.url}/api/v1/alerts/1/ack`, {}, viewer)).status).toBe(403);
    expect((await postJson(`${central.url}/api/v1/alerts/999999/ack`, {}, operator)).status).toBe(404);
  });

  it('validates command kinds', async () => {
    const url = `${central.url}/api/v1/kiosks/${kioskA.id}/commands`;
    expect((await postJson(url, { kind: 'format-disk' }, operator)).status).toBe(400);
    expect((await postJson(`${central.url}/api/v1/kiosks/NOPE/commands`, { kind: 'restart-ui' }, operator)).status).toBe(404);
  });

  it('refuses cross-site and non-JSON posts even with a valid session', async () => {
    const url = `${central.url}/api/v1/kiosks/${kioskA.id}/commands`;
    const cross = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: operator, origin: 'http://evil.example' },
      body: JSON.stringify({ kind: 'restart-ui' }),
    });
    expect(cross.status).toBe(403);
    const form = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: operator },
      body: 'kind=restart-ui',
    });
    expect(form.status).toBe(415);
  });

  it('refuses wrong passwords, locks out after repeated failures, and ends sessions on logout', async () => {
    const bad = await postJson(`${central.url}/api/v1/session`, { username: 'viewer', password: 'nope' });
    expect(bad.status).toBe(401);
    expect((await postJson(`${central.url}/api/v1/session`, { username: 'nobody', password: 'nope' })).status).toBe(401);
    for (let i = 0; i < 5; i++) await postJson(`${central.url}/api/v1/session`, { username: 'nobody', password: 'nope' });
    expect((await postJson(`${central.url}/api/v1/session`, { username: 'nobody', password: 'nope' })).status).toBe(429);

    const cookie = await login(central.url, users.viewer);
    expect((await getJson(`${central.url}/api/v1/kiosks`, cookie)).status).toBe(200);
    await fetch(`${central.url}/api/v1/session`, { method: 'DELETE', headers: { cookie } });
    expect((await getJson(`${central.url}/api/v1/kiosks`, cookie)).status).toBe(401);
  });

  it('filters and pages the fleet list on the server', async () => {
    await signedPost(central.url, 'heartbeats', JSON.stringify(validHeartbeat(kioskA.id)), {
      ...kioskA,
      kioskId: kioskA.id,
      seq: 1,
    });
    type Page = {
      total: number;
      matched: number;
      counts: Record<string, number>;
      sites: { site: string; matched: number }[];
      kiosks: { id: string }[];
    };
    const list = async (qs: string) => (await getJson<Page>(`${central.url}/api/v1/kiosks${qs}`, viewer)).body;
    const all = await list('');
    expect(all.kiosks.map((k) => k.id)).toEqual([kioskB.id, kioskA.id]); // 嘉鱼县 sorts before 咸宁市
    expect(all.counts).toEqual({ online: 1, warning: 0, error: 0, offline: 1 });
    expect((await list('?state=online')).kiosks.map((k) => k.id)).toEqual([kioskA.id]);
    expect((await list('?q=嘉鱼')).kiosks.map((k) => k.id)).toEqual([kioskB.id]);
    expect((await list('?mode=in-service')).kiosks.map((k) => k.id)).toEqual([kioskA.id]);
    const page = await list('?limit=1');
    expect(page.kiosks).toHaveLength(1);
    expect(page.matched).toBe(2);
    expect(page.total).toBe(2);
    expect(page.sites.map((x) => x.matched)).toEqual([1, 1]);
    expect((await getJson(`${central.url}/api/v1/kiosks?state=sleeping`, viewer)).status).toBe(400);
  });

  it('sets an HttpOnly, SameSite=Strict session cookie', async () => {
    const res = await fetch(`${central.url}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(users.operator),
    });
    const c = res.headers.get('set-cookie') ?? '';
    expect(c).toContain('HttpOnly');
    expect(c).toContain('SameSite=Strict');
  });
});
