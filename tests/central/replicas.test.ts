import express from 'express';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Heartbeat } from '@kiosk/contracts/heartbeat';
import { signedHeaders } from '@kiosk/contracts/heartbeat';
import type { CentralServer } from '../../apps/central/src/server.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import {
  FakeCommands,
  FakeHealth,
  OutageProxy,
  getJson,
  kioskA,
  kioskB,
  login,
  makeSender,
  openAgentDb,
  postJson,
  startPgReplica,
  tempDir,
  testConfig,
  users,
  validHeartbeat,
  waitFor,
} from './helpers.js';

/**
 * Two central replicas on one PostgreSQL, over real HTTP with signed requests: any replica takes
 * any kiosk's requests, and what must happen once happens once — a request accepted by one is a
 * replay at the other, events apply once, an alert opens (and is notified) once, the offline sweep
 * of both replicas turns a kiosk offline once, login failures count on both. A kiosk configured
 * with both URLs fails over between them.
 */
const masterKey = 'b'.repeat(64);
let pg: TestPostgres;
let a: CentralServer;
let b: CentralServer;
let hooks: { type: string; alert: { code: string } }[];
let hookServer: Server;
let databaseUrl: string;
const dirs: { remove(): void }[] = [];

beforeAll(async () => {
  pg = await startPostgres();
  const url = await pg.createDatabase();
  databaseUrl = url;
  hooks = [];
  const app = express();
  app.use(express.json());
  app.post('/hook', (req, res) => {
    hooks.push(req.body as (typeof hooks)[number]);
    res.status(204).end();
  });
  hookServer = createServer(app).listen(0, '127.0.0.1');
  await once(hookServer, 'listening');
  const config = await testConfig({
    webhook: {
      url: `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}/hook`,
      retryBaseMs: 20,
      maxAttempts: 6,
      timeoutMs: 2000,
    },
  });
  const start = () => startPgReplica({ config, databaseUrl: url, masterKey, prefix: 'central-replica-' }, dirs);
  // Started together: migrations and the enrollment of the configured kiosks take turns in the database.
  [a, b] = await Promise.all([start(), start()]);
}, 180_000);

afterAll(async () => {
  await Promise.allSettled([a?.close(), b?.close()]);
  hookServer?.close();
  await pg?.stop();
  for (const d of dirs) d.remove();
});

let seq = Date.now();
function signed(
  endpoint: 'heartbeats' | 'events' | 'command-acks',
  body: string,
  kiosk = kioskA,
  s = ++seq,
): { headers: Record<string, string>; body: string } {
  return {
    headers: {
      ...signedHeaders(kiosk.secret, { endpoint, kioskId: kiosk.id, timestamp: Date.now(), seq: s }, body),
      'content-type': 'application/json',
    },
    body,
  };
}
async function send(
  base: string,
  endpoint: string,
  req: { headers: Record<string, string>; body: string },
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${base}/api/v1/${endpoint}`, { method: 'POST', headers: req.headers, body: req.body });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
const beat = (kiosk = kioskA, over: Partial<Heartbeat> = {}) =>
  signed('heartbeats', JSON.stringify(validHeartbeat(kiosk.id, over)), kiosk);

describe('two central replicas on one PostgreSQL', () => {
  it('refuses on replica B, as a replay, a heartbeat replica A accepted — and B takes the next one', async () => {
    const req = beat();
    expect((await send(a.url, 'heartbeats', req)).status).toBe(200);
    const replay = await send(b.url, 'heartbeats', req);
    expect(replay.status).toBe(401);
    expect(replay.body.reason).toBe('replay');
    // And the other way round, with the next request.
    const next = beat();
    expect((await send(b.url, 'heartbeats', next)).status).toBe(200);
    expect((await send(a.url, 'heartbeats', next)).body.reason).toBe('replay');
  });

  it('applies an event batch once when it is sent again to the other replica after a lost answer', async () => {
    const events = JSON.stringify({
      events: [
        {
          seq: 1,
          type: 'alert',
          at: new Date().toISOString(),
          payload: { code: 'door', severity: 'error', message: '柜门打开 Door open' },
        },
      ],
    });
    const first = await send(a.url, 'events', signed('events', events));
    expect(first.body).toMatchObject({ ok: true, ackedSeq: 1 });
    // The kiosk never saw that answer: it sends the same batch (new seq) to the other replica.
    const again = await send(b.url, 'events', signed('events', events));
    expect(again.body).toMatchObject({ ok: true, ackedSeq: 1 });
    const cookie = await login(b.url, users.viewer);
    const detail = await getJson<{ kiosk: { events: unknown[]; alerts: { code: string }[] } }>(
      `${b.url}/api/v1/kiosks/${kioskA.id}`,
      cookie,
    );
    expect(detail.body.kiosk.events).toHaveLength(1);
    expect(detail.body.kiosk.alerts.filter((x) => x.code === 'event:door')).toHaveLength(1);
    await waitFor('the door alert notified', () => hooks.some((h) => h.type === 'alert.opened' && h.alert.code === 'event:door'));
    expect(hooks.filter((h) => h.type === 'alert.opened' && h.alert.code === 'event:door')).toHaveLength(1);
  });

  it('keeps one alert while a fault is reported through both replicas, and both dashboards show the same fleet', async () => {
    // (Raced opening of one alert from two stores: tests/central/store.test.ts.)
    const paperOut = {
      paper: 'out' as const,
      devices: { idcard: { device: 'online' as const }, printer: { device: 'online' as const, paper: 'out' as const } },
    };
    expect((await send(a.url, 'heartbeats', beat(kioskB, paperOut))).status).toBe(200);
    expect((await send(b.url, 'heartbeats', beat(kioskB, paperOut))).status).toBe(200);
    expect((await send(a.url, 'heartbeats', beat(kioskB, paperOut))).status).toBe(200);
    for (const base of [a.url, b.url]) {
      const cookie = await login(base, users.viewer);
      await waitFor(`replica ${base} shows ${kioskB.id} in error`, async () => {
        const page = await getJson<{ kiosks: { id: string; state: string; openAlerts: number }[] }>(
          `${base}/api/v1/kiosks`,
          cookie,
        );
        const k = page.body.kiosks.find((x) => x.id === kioskB.id);
        return k?.state === 'error' && k.openAlerts === 1;
      });
    }
    await waitFor('the paper alert notified', () => hooks.some((h) => h.type === 'alert.opened' && h.alert.code === 'paper'));
    expect(hooks.filter((h) => h.type === 'alert.opened' && h.alert.code === 'paper')).toHaveLength(1);
  });

  it('hands a command issued on A to the kiosk through B, wakes B’s waiting request, and finishes it once', async () => {
    const operator = await login(a.url, users.operator);
    // The kiosk holds a command-wait open at B (its own watermark).
    const waitBody = JSON.stringify({ waitMs: 30_000, pendingCommands: [] });
    const wait = send(b.url, 'command-wait', {
      headers: {
        ...signedHeaders(
          kioskA.secret,
          { endpoint: 'command-wait', kioskId: kioskA.id, timestamp: Date.now(), seq: ++seq },
          waitBody,
        ),
        'content-type': 'application/json',
      },
      body: waitBody,
    });
    const issued = await postJson<{ command: { id: string } }>(
      `${a.url}/api/v1/kiosks/${kioskA.id}/commands`,
      { kind: 'restart-ui' },
      operator,
    );
    expect(issued.status).toBe(202);
    // B learns of it from A through the database's notification, long before the 30 s wait ends.
    const woken = await Promise.race([wait, new Promise<null>((r) => setTimeout(() => r(null), 15_000))]);
    expect(woken?.body.commands).toMatchObject([{ id: issued.body.command.id, kind: 'restart-ui' }]);
    const status = async (base: string) =>
      (
        await getJson<{ command: { status: string } }>(
          `${base}/api/v1/commands/${issued.body.command.id}`,
          await login(base, users.viewer),
        )
      ).body.command.status;
    expect(await status(a.url)).toBe('delivered');
    const ack = JSON.stringify({
      acks: [{ id: issued.body.command.id, ok: true, detail: 'done', finishedAt: new Date().toISOString() }],
    });
    expect((await send(b.url, 'command-acks', signed('command-acks', ack))).body).toMatchObject({ ok: true });
    expect((await send(a.url, 'command-acks', signed('command-acks', ack))).body).toMatchObject({ ok: true });
    expect(await status(a.url)).toBe('succeeded');
    const detail = await getJson<{ kiosk: { commands: { id: string }[] } }>(`${a.url}/api/v1/kiosks/${kioskA.id}`, operator);
    expect(detail.body.kiosk.commands.filter((c) => c.id === issued.body.command.id)).toHaveLength(1);
  });

  it('turns a silent kiosk offline once, though both replicas sweep', async () => {
    const k = { ...kioskB };
    // A one-second interval: offline after three missed beats.
    expect((await send(a.url, 'heartbeats', beat(k, { intervalMs: 1000 }))).status).toBe(200);
    const cookie = await login(a.url, users.viewer);
    const detail = async () =>
      (await getJson<{ kiosk: { state: string; stateChanges: { to: string }[] } }>(`${b.url}/api/v1/kiosks/${k.id}`, cookie)).body
        .kiosk;
    const before = hooks.filter((h) => h.type === 'alert.opened' && h.alert.code === 'offline').length;
    await waitFor('kiosk B offline', async () => (await detail()).state === 'offline', 30_000);
    await waitFor(
      'the offline alert notified',
      () => hooks.filter((h) => h.type === 'alert.opened' && h.alert.code === 'offline').length > before,
    );
    const changes = (await detail()).stateChanges;
    expect(changes[0]?.to).toBe('offline');
    expect(changes[1]?.to).not.toBe('offline');
    expect(hooks.filter((h) => h.type === 'alert.opened' && h.alert.code === 'offline').length).toBe(before + 1);
  });

  it('counts failed logins across replicas: the lock reached on A holds on B', async () => {
    const attempt = async (base: string, password: string) =>
      (
        await fetch(`${base}/api/v1/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: users.viewer.username, password }),
        })
      ).status;
    for (let i = 0; i < 5; i++) expect(await attempt(i % 2 ? a.url : b.url, 'wrong-password')).toBe(401);
    expect(await attempt(b.url, users.viewer.password)).toBe(429);
    expect(await attempt(a.url, users.viewer.password)).toBe(429);
  });

  it('fails a kiosk over to the second central URL and back, delivering its events once', async () => {
    const proxyA = await OutageProxy.start(a.url);
    const proxyB = await OutageProxy.start(b.url);
    const tmp = tempDir('agent-failover-');
    const db = openAgentDb(tmp.dir);
    const health = new FakeHealth();
    const sender = makeSender(
      { centralUrl: proxyA.url, failoverUrls: [proxyB.url], db, health, commands: new FakeCommands(health) },
      kioskA,
    );
    try {
      sender.start();
      await waitFor('first beat through A', () => sender.lastResult().beatsAccepted >= 1);
      expect(sender.currentCentral()).toBe(proxyA.url);
      proxyA.setMode('down');
      const accepted = sender.lastResult().beatsAccepted;
      await waitFor('beats through B', () => sender.lastResult().beatsAccepted >= accepted + 2);
      expect(sender.currentCentral()).toBe(proxyB.url);
      const e1 = sender.enqueueEvent('kiosk.mode', { mode: 'in-service' });
      proxyA.setMode('up');
      proxyB.setMode('down');
      const e2 = sender.enqueueEvent('kiosk.mode', { mode: 'out-of-service' });
      await waitFor(
        'back on A with both events acknowledged',
        () => sender.currentCentral() === proxyA.url && sender.lastResult().outboxDepth === 0,
      );
      // (The viewer is locked out by the test before.)
      const cookie = await login(a.url, users.operator);
      const detail = await getJson<{ kiosk: { events: { seq: number }[] } }>(`${a.url}/api/v1/kiosks/${kioskA.id}`, cookie);
      const seqs = detail.body.kiosk.events.map((e) => e.seq);
      expect(seqs.filter((s) => s === e1)).toHaveLength(1);
      expect(seqs.filter((s) => s === e2)).toHaveLength(1);
    } finally {
      await sender.stop();
      db.close();
      await proxyA.close();
      await proxyB.close();
      tmp.remove();
    }
  });

  it('enrolls a kiosk with the CLI against PostgreSQL: both replicas accept its secret; disabled, both refuse it', async () => {
    const root = resolve(import.meta.dirname, '../..');
    const t = tempDir('central-cli-');
    dirs.push(t);
    const configFile = join(t.dir, 'central.json');
    writeFileSync(configFile, JSON.stringify({ listen: { port: 0 }, dataDir: t.dir, dashboard: { users: [] } }));
    const cli = (...args: string[]) =>
      promisify(execFile)(process.execPath, [join(root, 'bin/kiosk-central.js'), '--config', configFile, ...args], {
        cwd: root,
        env: { ...process.env, CENTRAL_DATABASE_URL: databaseUrl, CENTRAL_MASTER_KEY: masterKey },
      });
    const secret = (await cli('kiosk', 'add', 'XN-PG-CLI-01', '--site', '赤壁市', '--name', '3号机')).stdout
      .trimEnd()
      .split('\n')
      .at(-1)!;
    const k = { id: 'XN-PG-CLI-01', secret, site: '赤壁市', name: '3号机' };
    expect((await send(b.url, 'heartbeats', beat(k))).status).toBe(200);
    expect((await send(a.url, 'heartbeats', beat(k))).status).toBe(200);
    await cli('kiosk', 'disable', 'XN-PG-CLI-01');
    for (const base of [a.url, b.url]) {
      const refused = await send(base, 'heartbeats', beat(k));
      expect(refused.status).toBe(401);
      expect(refused.body.reason).toBe('bad-signature');
    }
  }, 120_000);
});
