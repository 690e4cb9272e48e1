import Database from 'better-sqlite3';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { HeartbeatSender } from '../../apps/agent/src/monitor/heartbeat.js';
import type { Db } from '@kiosk/platform';
import {
  centralAndAgentDbPerTest,
  FakeCommands,
  FakeHealth,
  getJson,
  kioskA,
  login,
  makeSender,
  OutageProxy,
  users,
  waitFor,
  type TestCentral,
} from './helpers.js';

interface Summary {
  id: string;
  state: string;
  stateSince: number | null;
  lastSeenAt: number | null;
  paper: string | null;
  mode: string | null;
  conditions: { code: string; severity: string }[];
}
interface Detail extends Summary {
  stateChanges: { at: number; from: string | null; to: string }[];
  alerts: { code: string; resolvedAt: number | null; source: string }[];
  totals: { transactions: number; sessionsStarted: number };
}

describe('agent heartbeat sender against a real central over HTTP', () => {
  let central: TestCentral;
  let db: Db;
  let senders: HeartbeatSender[];
  let cookie: string;

  centralAndAgentDbPerTest((e) => ({ central, db, senders } = e));
  beforeEach(async () => {
    cookie = await login(central.url, users.viewer);
  });

  const fleet = async (): Promise<Summary[]> =>
    (await getJson<{ kiosks: Summary[] }>(`${central.url}/api/v1/kiosks`, cookie)).body.kiosks;
  const kiosk = async (id = kioskA.id): Promise<Summary | undefined> => (await fleet()).find((k) => k.id === id);
  const detail = async (id = kioskA.id): Promise<Detail> =>
    (await getJson<{ kiosk: Detail }>(`${central.url}/api/v1/kiosks/${id}`, cookie)).body.kiosk;

  it('shows a kiosk online once it beats, and a never-seen kiosk offline', async () => {
    const health = new FakeHealth();
    const sender = makeSender({ centralUrl: central.url, db, health, commands: new FakeCommands() });
    senders.push(sender);

    expect((await kiosk())?.state).toBe('offline');
    expect((await kiosk())?.lastSeenAt).toBeNull();
    sender.start();
    const k = await waitFor('kiosk online', async () => {
      const s = await kiosk();
      return s?.state === 'online' ? s : undefined;
    });
    expect(k.lastSeenAt).not.toBeNull();
    expect(k.mode).toBe('in-service');
    expect(k.paper).toBe('full');
    expect(sender.lastResult()).toMatchObject({ ok: true, state: 'online', consecutiveFailures: 0 });
    // The second configured kiosk never sent anything.
    expect((await kiosk('XN-TEST-02'))?.state).toBe('offline');
  });

  it('turns paper out into error on the first heartbeat taken after the change', async () => {
    const health = new FakeHealth();
    const sender = makeSender({ centralUrl: central.url, db, health, commands: new FakeCommands() });
    senders.push(sender);
    sender.start();
    await waitFor('online', async () => (await kiosk())?.state === 'online');

    health.paper = 'out';
    health.devices.printer = { device: 'userError', action: 'clear', paper: 'out', detail: 'paper out' };
    const acceptedAtChange = sender.lastResult().beatsAccepted;
    // One beat may already be in flight with the old snapshot; the one after it is the first fresh one.
    await waitFor('two more beats', () => sender.lastResult().beatsAccepted >= acceptedAtChange + 2);
    const k = await kiosk();
    expect(k?.state).toBe('error');
    expect(k?.paper).toBe('out');
    // One paper-out is one alert (issue 19): the printer's "not ready" is the paper condition.
    expect(k?.conditions.map((c) => c.code).sort()).toEqual(['paper']);
    expect(sender.lastResult().state).toBe('error');

    // Heartbeat-driven: it clears itself when paper is back.
    health.paper = 'low';
    health.devices.printer = { device: 'online', paper: 'low' };
    await waitFor('warning', async () => (await kiosk())?.state === 'warning');
    const d = await detail();
    const paperAlert = d.alerts.find((a) => a.code === 'paper');
    expect(paperAlert?.resolvedAt).toBeNull();
    expect(d.alerts.find((a) => a.code === 'device:printer')).toBeUndefined();
    health.paper = 'full';
    health.devices.printer = { device: 'online', paper: 'full' };
    await waitFor('online again', async () => (await kiosk())?.state === 'online');
  });

  it('declares a silent kiosk offline only after 3 missed intervals, and online when it returns', async () => {
    const health = new FakeHealth();
    const intervalMs = 150;
    const sender = makeSender({ centralUrl: central.url, db, health, commands: new FakeCommands(), intervalMs });
    senders.push(sender);
    sender.start();
    await waitFor('online', async () => (await kiosk())?.state === 'online');
    await sender.stop();

    await waitFor('offline', async () => (await kiosk())?.state === 'offline');
    const d = await detail();
    const lastSeen = d.lastSeenAt!;
    const change = d.stateChanges[0]!;
    expect(change.to).toBe('offline');
    expect(change.from).toBe('online');
    // Central's own record: it waited at least 3 intervals after the last heartbeat.
    expect(change.at - lastSeen).toBeGreaterThanOrEqual(3 * intervalMs);
    expect(d.stateSince).toBe(change.at);
    expect(d.alerts.find((a) => a.code === 'offline')?.resolvedAt).toBeNull();

    // A restarted agent (new sender, same database) brings it back; the offline alert clears itself.
    const again = makeSender({ centralUrl: central.url, db, health, commands: new FakeCommands(), intervalMs });
    senders.push(again);
    again.start();
    await waitFor('online again', async () => (await kiosk())?.state === 'online');
    expect((await detail()).alerts.find((a) => a.code === 'offline')?.resolvedAt).not.toBeNull();
  });

  it('keeps counters as totals across agent restarts', async () => {
    const health = new FakeHealth();
    health.counters = { sessionsStarted: 5, sessionsCompleted: 4, transactions: 3, transactionsFailed: 1 };
    const first = makeSender({ centralUrl: central.url, db, health, commands: new FakeCommands() });
    senders.push(first);
    first.start();
    await waitFor('3 counted', async () => (await detail()).totals?.transactions === 3);
    await first.stop();
    // New process: counters restart from zero and grow again.
    health.counters = { sessionsStarted: 2, sessionsCompleted: 2, transactions: 2, transactionsFailed: 0 };
    const second = makeSender({ centralUrl: central.url, db, health, commands: new FakeCommands() });
    senders.push(second);
    second.start();
    await waitFor('5 counted', async () => (await detail()).totals?.transactions === 5);
    await waitFor('two more beats', () => second.lastResult().beatsAccepted >= 3);
    expect((await detail()).totals).toMatchObject({ transactions: 5, sessionsStarted: 7 });
  });

  it('delivers every queued event once and in order after a long outage, a central restart and lost answers', async () => {
    const proxy = await OutageProxy.start(central.url);
    const health = new FakeHealth();
    const intervalMs = 60;
    const make = (): HeartbeatSender => {
      const s = makeSender({
        centralUrl: proxy.url,
        db,
        health,
        commands: new FakeCommands(),
        intervalMs,
        requestTimeoutMs: 400,
        eventBatchSize: 7,
      });
      senders.push(s);
      return s;
    };
    try {
      let sender = make();
      sender.start();
      await waitFor('online', async () => (await kiosk())?.state === 'online');
      const sent: number[] = [];
      const enqueue = (i: number): void => {
        sender.enqueueEvent('transaction.summary', { n: i, service: 'gas', outcome: 'done' });
        sent.push(i);
      };
      for (let i = 0; i < 5; i++) enqueue(i);

      proxy.setMode('down');
      const failuresBefore = sender.lastResult().consecutiveFailures;
      for (let i = 5; i < 40; i++) {
        enqueue(i);
        if (i % 5 === 0) await new Promise((r) => setTimeout(r, intervalMs));
      }
      // Many intervals without central.
      await waitFor('10 failed beats', () => sender.lastResult().consecutiveFailures >= failuresBefore + 10);
      expect(sender.lastResult().outboxDepth).toBeGreaterThan(0);

      // The agent restarts during the outage: the outbox is on disk.
      await sender.stop();
      sender = make();
      sender.start();
      for (let i = 40; i < 60; i++) enqueue(i);
      // Central restarts too (new port behind the same proxy address).
      proxy.retarget(await central.restart());

      // Central applies two batches but the kiosk never sees the answers: it must resend, central must dedup.
      proxy.dropEventAnswers = 2;
      proxy.setMode('up');
      await waitFor('two event answers lost', () => proxy.droppedEventAnswers >= 2);
      for (let i = 60; i < 70; i++) enqueue(i);
      await waitFor('outbox drained', () => sender.lastResult().ok === true && sender.lastResult().outboxDepth === 0, 30_000);

      const cdb = new Database(join(central.dataDir, 'central.db'), { readonly: true });
      try {
        const rows = cdb.prepare('SELECT seq, type, payload FROM events WHERE kiosk_id = ? ORDER BY id').all(kioskA.id) as {
          seq: number;
          type: string;
          payload: string;
        }[];
        expect(rows.map((r) => (JSON.parse(r.payload) as { n: number }).n)).toEqual(sent);
        const seqs = rows.map((r) => r.seq);
        expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
        expect(new Set(seqs).size).toBe(seqs.length);
      } finally {
        cdb.close();
      }
    } finally {
      await Promise.all(senders.map((s) => s.stop()));
      await proxy.close();
    }
  });
});
