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
  postJson,
  startTestCentral,
  tinyPng,
  users,
  waitFor,
  type TestCentral,
} from './helpers.js';

interface Command {
  id: string;
  kind: string;
  status: string;
  detail: string | null;
  screenshotId: string | null;
  message: string | null;
}

describe('remote commands: issued on the dashboard, pulled with the heartbeat, acknowledged', () => {
  let central: TestCentral;
  let db: Db;
  let senders: HeartbeatSender[];
  let operator: string;
  let health: FakeHealth;
  let commands: FakeCommands;

  centralAndAgentDbPerTest((e) => ({ central, db, senders } = e));
  beforeEach(async () => {
    operator = await login(central.url, users.operator);
    health = new FakeHealth();
    commands = new FakeCommands(health);
  });

  const start = (): HeartbeatSender => {
    const s = makeSender({ centralUrl: central.url, db, health, commands });
    senders.push(s);
    s.start();
    return s;
  };
  const issue = async (kind: string, message?: string): Promise<Command> => {
    const r = await postJson<{ command: Command }>(
      `${central.url}/api/v1/kiosks/${kioskA.id}/commands`,
      { kind, ...(message ? { message } : {}) },
      operator,
    );
    expect(r.status).toBe(202);
    return r.body.command;
  };
  const command = async (id: string): Promise<Command> =>
    (await getJson<{ command: Command }>(`${central.url}/api/v1/commands/${id}`, operator)).body.command;
  const finished = (id: string) =>
    waitFor(`command ${id} finished`, async () => {
      const c = await command(id);
      return c.status === 'succeeded' || c.status === 'failed' ? c : undefined;
    });

  it('sets the kiosk out of service with the operator’s message, acks the result and audits both sides', async () => {
    start();
    const c = await issue('set-out-of-service', '设备维护中，请到3号机办理 Under maintenance');
    const done = await finished(c.id);
    expect(done.status).toBe('succeeded');
    expect(done.detail).toBe('set-out-of-service done');
    expect(commands.calls).toEqual([{ kind: 'set-out-of-service', message: '设备维护中，请到3号机办理 Under maintenance' }]);
    // The next heartbeats carry the new mode.
    await waitFor('mode shown', async () => {
      const k = (
        await getJson<{ kiosk: { mode: string; modeMessage: string } }>(`${central.url}/api/v1/kiosks/${kioskA.id}`, operator)
      ).body.kiosk;
      return k.mode === 'out-of-service' && k.modeMessage.startsWith('设备维护中');
    });

    const agentAudit = db.prepare('SELECT actor, action, detail FROM audit_log ORDER BY id').all() as {
      actor: string;
      action: string;
      detail: string;
    }[];
    expect(agentAudit.map((a) => a.action)).toEqual(['remote-command.received', 'remote-command.finished']);
    expect(agentAudit[0]!.actor).toBe('central:ops');
    expect(JSON.parse(agentAudit[1]!.detail)).toMatchObject({ id: c.id, ok: true });

    const cdb = new Database(join(central.dataDir, 'central.db'), { readonly: true });
    try {
      const rows = cdb.prepare('SELECT actor, action FROM audit_log WHERE kiosk_id = ? ORDER BY id').all(kioskA.id) as {
        actor: string;
        action: string;
      }[];
      expect(rows).toEqual([
        { actor: 'user:ops', action: 'command.issued' },
        { actor: `kiosk:${kioskA.id}`, action: 'command.result' },
      ]);
    } finally {
      cdb.close();
    }
  });

  it('holds a command while a money step runs — it waits, is reported waiting, and runs once afterwards', async () => {
    commands.moneyStep = true;
    const sender = start();
    const c = await issue('restart-ui');
    await waitFor('kiosk reports it waiting', async () => (await command(c.id)).status === 'waiting');
    const beats = sender.lastResult().beatsAccepted;
    await waitFor('several more beats', () => sender.lastResult().beatsAccepted >= beats + 3);
    expect(commands.calls).toEqual([]);
    expect((await command(c.id)).status).toBe('waiting');
    expect(sender.lastResult().pendingCommands).toBe(1);

    commands.moneyStep = false;
    expect((await finished(c.id)).status).toBe('succeeded');
    await waitFor('a few beats later', () => sender.lastResult().beatsAccepted >= beats + 6);
    expect(commands.calls).toEqual([{ kind: 'restart-ui' }]);
  });

  it('keeps a waiting command across an agent restart', async () => {
    commands.moneyStep = true;
    const first = start();
    const c = await issue('printer-test-page');
    await waitFor('received', async () => (await command(c.id)).status === 'waiting');
    await first.stop();
    // The new process does not get it from central again (it was delivered); it finds it on disk.
    start();
    commands.moneyStep = false;
    expect((await finished(c.id)).status).toBe('succeeded');
    expect(commands.calls).toEqual([{ kind: 'printer-test-page' }]);
  });

  it('uploads a screenshot and links it to the command', async () => {
    start();
    const c = await issue('screenshot');
    const done = await finished(c.id);
    expect(done.status).toBe('succeeded');
    expect(done.screenshotId).toBeTruthy();
    const res = await fetch(`${central.url}/api/v1/screenshots/${done.screenshotId}`, { headers: { cookie: operator } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('image/png');
    expect(Buffer.from(await res.arrayBuffer()).equals(tinyPng)).toBe(true);
    // Anonymous users cannot see it.
    expect((await fetch(`${central.url}/api/v1/screenshots/${done.screenshotId}`)).status).toBe(401);
  });

  it('reports a failing command as failed with its reason', async () => {
    commands.reloadConfig = () => Promise.reject(new Error('config file unreadable'));
    start();
    const c = await issue('reload-config');
    const done = await finished(c.id);
    expect(done.status).toBe('failed');
    expect(done.detail).toContain('config file unreadable');
  });

  it('runs the commands of a kiosk one at a time in the order they were issued', async () => {
    commands.moneyStep = true;
    start();
    const a = await issue('set-out-of-service', '暂停服务');
    const b = await issue('printer-test-page');
    const c = await issue('set-in-service');
    await waitFor('all received', async () =>
      (await Promise.all([a, b, c].map((x) => command(x.id)))).every((x) => x.status === 'waiting'),
    );
    commands.moneyStep = false;
    for (const x of [a, b, c]) expect((await finished(x.id)).status).toBe('succeeded');
    expect(commands.calls.map((x) => x.kind)).toEqual(['set-out-of-service', 'printer-test-page', 'set-in-service']);
  });
});

describe('command expiry', () => {
  it('expires a command no kiosk picked up within its time to live', async () => {
    const central = await startTestCentral({ commands: { ttlHours: 0.00002 } });
    try {
      const operator = await login(central.url, users.operator);
      const r = await postJson<{ command: Command }>(
        `${central.url}/api/v1/kiosks/${kioskA.id}/commands`,
        { kind: 'restart-ui' },
        operator,
      );
      await waitFor('expired', async () => {
        const c = (await getJson<{ command: Command }>(`${central.url}/api/v1/commands/${r.body.command.id}`, operator)).body
          .command;
        return c.status === 'expired';
      });
    } finally {
      await central.close();
    }
  });
});
