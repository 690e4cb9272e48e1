import express from 'express';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Heartbeat } from '@kiosk/contracts/heartbeat';
import { CentralStore } from '../../apps/central/src/store/store.js';
import { prune } from '../../apps/central/src/retention.js';
import {
  getJson,
  kioskA,
  login,
  postJson,
  signedPost,
  startTestCentral,
  tempDir,
  users,
  validHeartbeat,
  waitFor,
  type TestCentral,
} from './helpers.js';

interface Hook {
  type: string;
  kiosk: { id: string; site: string };
  alert: { id: number; code: string; severity: string; message: string };
}

/** A webhook receiver that fails the first `failFirst` calls with 500. */
async function startReceiver(failFirst = 0): Promise<{ url: string; calls: Hook[]; delivered: Hook[]; server: Server }> {
  const calls: Hook[] = [];
  const delivered: Hook[] = [];
  const app = express();
  app.use(express.json());
  app.post('/hook', (req, res) => {
    calls.push(req.body as Hook);
    if (calls.length <= failFirst) {
      res.status(500).end();
      return;
    }
    delivered.push(req.body as Hook);
    res.status(204).end();
  });
  const server = createServer(app).listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, calls, delivered, server };
}

describe('alerts: de-duplication, event-driven alerts that need an acknowledgement, flapping, webhook', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let central: TestCentral;
  let operator: string;
  let seq: number;

  beforeEach(async () => {
    receiver = await startReceiver(2);
    central = await startTestCentral({
      webhook: { url: receiver.url, retryBaseMs: 20, maxAttempts: 6, timeoutMs: 2000 },
      alerts: { flappingMaxOpenings: 3, flappingWindowMinutes: 30 },
    });
    operator = await login(central.url, users.operator);
    seq = 0;
  });
  afterEach(async () => {
    await central.close();
    receiver.server.close();
  });

  const beat = async (over: Partial<Heartbeat> = {}): Promise<Record<string, unknown>> => {
    const r = await signedPost(central.url, 'heartbeats', JSON.stringify(validHeartbeat(kioskA.id, over)), {
      ...kioskA,
      kioskId: kioskA.id,
      seq: ++seq,
    });
    expect(r.status).toBe(200);
    return r.body;
  };
  const events = async (list: { seq: number; type: string; payload: Record<string, unknown> }[]): Promise<void> => {
    const body = JSON.stringify({ events: list.map((e) => ({ ...e, at: new Date().toISOString() })) });
    const r = await signedPost(central.url, 'events', body, { ...kioskA, kioskId: kioskA.id, seq: ++seq });
    expect(r.status).toBe(200);
  };
  const openAlerts = async () =>
    (
      await getJson<{ alerts: { id: number; code: string; source: string; occurrences: number; severity: string }[] }>(
        `${central.url}/api/v1/alerts`,
        operator,
      )
    ).body.alerts;

  it('keeps an event-driven alert (gas order needing attention) until an operator acknowledges it', async () => {
    expect((await beat()).state).toBe('online');
    await events([
      { seq: 1, type: 'gas.needs_attention', payload: { orderRef: 'GAS-20240501-0007' } },
      { seq: 2, type: 'gas.needs_attention', payload: { orderRef: 'GAS-20240501-0009' } },
    ]);
    // De-duplicated: one open alert, two occurrences.
    const open = (await openAlerts()).filter((a) => a.code === 'gas-needs-attention');
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ source: 'event', occurrences: 2, severity: 'error' });
    // Healthy heartbeats do not clear it.
    expect((await beat()).state).toBe('error');
    expect((await beat()).state).toBe('error');

    const viewer = await login(central.url, users.viewer);
    expect((await postJson(`${central.url}/api/v1/alerts/${open[0]!.id}/ack`, {}, viewer)).status).toBe(403);
    const ack = await postJson<{ alert: { ackedBy: string; resolvedAt: number | null } }>(
      `${central.url}/api/v1/alerts/${open[0]!.id}/ack`,
      {},
      operator,
    );
    expect(ack.status).toBe(200);
    expect(ack.body.alert.ackedBy).toBe('ops');
    expect(ack.body.alert.resolvedAt).not.toBeNull();
    expect((await beat()).state).toBe('online');
    expect((await openAlerts()).filter((a) => a.code === 'gas-needs-attention')).toHaveLength(0);
  });

  it('reports a flapping condition once and holds back its notifications; delivers webhooks in order with retries', async () => {
    await beat();
    // Paper goes low and back five times: three alerts are notified, then one flapping notice.
    for (let i = 0; i < 5; i++) {
      await beat({ paper: 'low' });
      await beat({ paper: 'full' });
    }
    // The flapping notice is written in the alert's own transaction, which may land just after the
    // heartbeat's answer (group commit): wait for it rather than read once.
    const open = await waitFor('the flapping notice alone is open', async () => {
      const list = await openAlerts();
      return list.length === 1 && list[0]!.code === 'flapping:paper' ? list : null;
    });
    expect(open.map((a) => a.code)).toEqual(['flapping:paper']);

    const expected = [
      ['alert.opened', 'paper'],
      ['alert.resolved', 'paper'],
      ['alert.opened', 'paper'],
      ['alert.resolved', 'paper'],
      ['alert.opened', 'paper'],
      ['alert.resolved', 'paper'],
      ['alert.opened', 'flapping:paper'],
    ];
    await waitFor('webhooks delivered', () => receiver.delivered.length >= expected.length);
    await new Promise((r) => setTimeout(r, 200));
    expect(receiver.delivered.map((h) => [h.type, h.alert.code])).toEqual(expected);
    // The receiver failed the first two calls; the first notification was retried until it got through.
    expect(receiver.calls.slice(0, 3).map((h) => h.alert.id)).toEqual([
      receiver.delivered[0]!.alert.id,
      receiver.delivered[0]!.alert.id,
      receiver.delivered[0]!.alert.id,
    ]);
    expect(receiver.delivered[0]!.kiosk).toMatchObject({ id: kioskA.id, site: '咸宁市政务服务中心' });
    expect(receiver.delivered[0]!.alert.message).toBe('打印纸将尽 Printer paper low');

    // Acknowledging the flapping notice clears it.
    const flap = open[0]!;
    expect((await postJson(`${central.url}/api/v1/alerts/${flap.id}/ack`, {}, operator)).status).toBe(200);
    expect(await openAlerts()).toEqual([]);
  });

  it('escalates an open alert instead of opening a second one', async () => {
    await beat({ paper: 'low' });
    await beat({ paper: 'out' });
    const paper = (await openAlerts()).filter((a) => a.code === 'paper');
    expect(paper).toHaveLength(1);
    expect(paper[0]!.severity).toBe('error');
    await waitFor('escalation delivered', () => receiver.delivered.some((h) => h.type === 'alert.escalated'));
  });
});

describe('not-seen list', () => {
  let central: TestCentral;
  beforeAll(async () => {
    central = await startTestCentral();
  });
  afterAll(async () => {
    await central.close();
  });

  it('lists kiosks never seen or silent for N days', async () => {
    const viewer = await login(central.url, users.viewer);
    await signedPost(central.url, 'heartbeats', JSON.stringify(validHeartbeat(kioskA.id)), {
      ...kioskA,
      kioskId: kioskA.id,
      seq: 1,
    });
    const r = await getJson<{ days: number; kiosks: { id: string }[] }>(`${central.url}/api/v1/not-seen?days=3`, viewer);
    expect(r.body.kiosks.map((k) => k.id)).toEqual(['XN-TEST-02']);
    const all = await getJson<{ kiosks: { id: string }[] }>(`${central.url}/api/v1/not-seen?days=0`, viewer);
    expect(all.body.kiosks.map((k) => k.id).sort()).toEqual(['XN-TEST-01', 'XN-TEST-02']);
  });
});

describe('central restart', () => {
  it('gives kiosks their full grace period again instead of declaring the whole fleet offline at once', async () => {
    const central = await startTestCentral();
    try {
      const viewer = () => login(central.url, users.viewer);
      const intervalMs = 1000;
      const r = await signedPost(central.url, 'heartbeats', JSON.stringify(validHeartbeat(kioskA.id, { intervalMs })), {
        ...kioskA,
        kioskId: kioskA.id,
        seq: 1,
      });
      expect(r.body.state).toBe('online');
      // Central is down for longer than 3 intervals.
      const url = await central.restart(3 * intervalMs + 200);
      const startedAgain = Date.now();
      const cookie = await viewer();
      const detail = async () =>
        (
          await getJson<{ kiosk: { state: string; stateChanges: { at: number; to: string }[] } }>(
            `${url}/api/v1/kiosks/${kioskA.id}`,
            cookie,
          )
        ).body.kiosk;
      await waitFor('offline after the grace period', async () => (await detail()).state === 'offline');
      const change = (await detail()).stateChanges[0]!;
      expect(change.to).toBe('offline');
      // Counted from central's start, not from the last beat before the outage.
      expect(change.at).toBeGreaterThanOrEqual(startedAgain + 3 * intervalMs - 100);
    } finally {
      await central.close();
    }
  });
});

describe('retention', () => {
  it('prunes raw heartbeats after 7 days and events/state changes after 180, keeping newer rows', async () => {
    const tmp = tempDir();
    const store = await CentralStore.open({ dataDir: tmp.dir });
    const db = store.driver;
    try {
      const day = 86_400_000;
      const now = Date.now();
      const hb = 'INSERT INTO heartbeats (kiosk_id, received_at, seq, body) VALUES (?, ?, ?, ?)';
      await db.run(hb, ['K', now - 8 * day, 1, '{}']);
      await db.run(hb, ['K', now - 6 * day, 2, '{}']);
      const ev = 'INSERT INTO events (kiosk_id, seq, type, at, received_at, payload) VALUES (?, ?, ?, ?, ?, ?)';
      await db.run(ev, ['K', 1, 't', '', now - 181 * day, '{}']);
      await db.run(ev, ['K', 2, 't', '', now - 179 * day, '{}']);
      const sc = 'INSERT INTO state_changes (kiosk_id, at, from_state, to_state) VALUES (?, ?, ?, ?)';
      await db.run(sc, ['K', now - 200 * day, 'online', 'offline']);
      await db.run(sc, ['K', now - 8 * day, 'offline', 'online']);
      const counts = await prune(
        store,
        { heartbeatDays: 7, eventDays: 180, screenshotsPerKiosk: 20, pruneIntervalHours: 24 },
        now,
      );
      expect(counts).toMatchObject({ heartbeats: 1, events: 1, state_changes: 1 });
      expect(await db.all('SELECT seq FROM heartbeats')).toEqual([{ seq: 2 }]);
      expect(await db.all('SELECT seq FROM events')).toEqual([{ seq: 2 }]);
      expect(await db.all('SELECT to_state FROM state_changes')).toEqual([{ to_state: 'online' }]);
      expect(await db.get(`SELECT value FROM maintenance WHERE key = 'last_prune_at'`)).toEqual({ value: now });
    } finally {
      await store.close();
      tmp.remove();
    }
  });
});
