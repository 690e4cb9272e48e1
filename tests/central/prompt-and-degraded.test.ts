/**
 * Issue 19 item 12: one paper-out is one alert; paused services show as degraded; commands reach
 * the kiosk through a long-poll (command-wait) instead of waiting for the next heartbeat; the
 * agent's monitor module fills "Recent events".
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { heartbeatConditions } from '../../apps/central/src/evaluate.js';
import { startAgent, type Agent } from '../../apps/agent/src/agent.js';
import { configHash, silentLogger } from '@kiosk/platform';
import { createMonitorModuleWith } from '../../apps/agent/src/monitor/module.js';
import type { HeartbeatSender } from '../../apps/agent/src/monitor/heartbeat.js';
import type { Heartbeat } from '@kiosk/contracts/heartbeat';
import { createSessionModule } from '../../apps/agent/src/session/module.js';
import type { Db } from '@kiosk/platform';
import { testConfig } from '../helpers/config.js';
import {
  FakeCommands,
  FakeHealth,
  getJson,
  kioskA,
  login,
  makeSender,
  openAgentDb,
  postJson,
  signedPost,
  startTestCentral,
  tempDir,
  users,
  validHeartbeat,
  waitFor,
  type TestCentral,
} from './helpers.js';

const opts = { essentialDevices: ['idcard', 'printer'], diskLowBytes: 1_000_000 };
/** What the printer driver reports when the paper runs out (devices/printer/driver.ts). */
const paperOutPrinter = { device: 'userError', paper: 'out', action: 'clear', detail: '缺纸 / paper out' } as const;

describe('conditions: one cause, one alert', () => {
  it('a printer out of paper is one paper alert, not a device alert besides', () => {
    const c = heartbeatConditions(
      validHeartbeat('K', { devices: { idcard: { device: 'online' }, printer: { ...paperOutPrinter } }, paper: 'out' }),
      opts,
    );
    expect(c.map((x) => x.code)).toEqual(['paper']);
  });

  it('a printer with its cover open is still a device alert', () => {
    const c = heartbeatConditions(
      validHeartbeat('K', {
        devices: { printer: { device: 'userError', paper: 'full', action: 'clear', detail: 'cover open' } },
        paper: 'full',
      }),
      opts,
    );
    expect(c.map((x) => x.code)).toEqual(['device:printer']);
  });

  it('services paused by their back end are a warning; paused by paper they are covered by the paper alert', () => {
    const services = {
      total: 4,
      paused: [
        { id: 'property', reasons: ['paperOut'] },
        { id: 'tax', reasons: ['paperOut', 'upstreamDown'] },
        { id: 'social', reasons: ['paperOut'] },
      ],
    };
    const c = heartbeatConditions(
      validHeartbeat('K', { devices: { printer: { ...paperOutPrinter } }, paper: 'out', services }),
      opts,
    );
    expect(c.map((x) => x.code)).toEqual(['paper', 'services']);
    expect(c[1]!.message).toContain('完税凭证');
    expect(c[1]!.message).not.toContain('不动产');
  });
});

describe('central: paper-out alerts and degraded services', () => {
  let central: TestCentral;
  let operator: string;
  let seq = 0;
  beforeEach(async () => {
    central = await startTestCentral();
    operator = await login(central.url, users.operator);
  });
  afterEach(async () => central.close());
  const beat = async (over: Partial<Heartbeat>): Promise<void> => {
    const r = await signedPost(central.url, 'heartbeats', JSON.stringify(validHeartbeat(kioskA.id, over)), {
      ...kioskA,
      kioskId: kioskA.id,
      seq: ++seq,
    });
    expect(r.status).toBe(200);
  };

  it('one paper-out raises one alert', async () => {
    await beat({ devices: { idcard: { device: 'online' }, printer: { ...paperOutPrinter } }, paper: 'out' });
    const alerts = (await getJson<{ alerts: { code: string; kioskId: string }[] }>(`${central.url}/api/v1/alerts`, operator)).body
      .alerts;
    expect(alerts.filter((a) => a.kioskId === kioskA.id).map((a) => a.code)).toEqual(['paper']);
  });

  it('the fleet row carries the paused services next to "in service"', async () => {
    const services = {
      total: 4,
      paused: [
        { id: 'property', reasons: ['upstreamDown'] },
        { id: 'tax', reasons: ['upstreamDown'] },
        { id: 'social', reasons: ['upstreamDown'] },
      ],
    };
    await beat({ services });
    const rows = (
      await getJson<{ kiosks: { id: string; mode: string; state: string; services: unknown }[] }>(
        `${central.url}/api/v1/kiosks`,
        operator,
      )
    ).body.kiosks;
    const row = rows.find((k) => k.id === kioskA.id)!;
    expect(row.mode).toBe('in-service');
    expect(row.services).toEqual(services);
    expect(row.state).toBe('warning');
  });
});

describe('commands by long-poll', () => {
  let central: TestCentral;
  let agentDir: ReturnType<typeof tempDir>;
  let db: Db;
  let sender: HeartbeatSender | undefined;
  let operator: string;
  beforeEach(async () => {
    central = await startTestCentral();
    agentDir = tempDir('agent-');
    db = openAgentDb(agentDir.dir);
    operator = await login(central.url, users.operator);
  });
  afterEach(async () => {
    await sender?.stop();
    db.close();
    agentDir.remove();
    await central.close();
  });

  it('a command issued between heartbeats runs without waiting for the next one (heartbeats every 10 min here)', async () => {
    const health = new FakeHealth();
    const commands = new FakeCommands(health);
    sender = makeSender({ centralUrl: central.url, db, health, commands, intervalMs: 600_000, commandWaitMs: 20_000 });
    sender.start();
    await waitFor('first heartbeat', () => sender!.lastResult().beatsAccepted === 1);
    const r = await postJson<{ command: { id: string } }>(
      `${central.url}/api/v1/kiosks/${kioskA.id}/commands`,
      { kind: 'restart-ui' },
      operator,
    );
    expect(r.status).toBe(202);
    // The next heartbeat is 10 minutes away: only the command wait can bring it within this wait.
    await waitFor('command ran', () => commands.calls.some((c) => c.kind === 'restart-ui'), 15_000);
    await waitFor('command acknowledged', async () => {
      const c = (await getJson<{ command: { status: string } }>(`${central.url}/api/v1/commands/${r.body.command.id}`, operator))
        .body.command;
      return c.status === 'succeeded';
    });
    expect(sender.lastResult().beatsAccepted).toBe(1);
  });

  it('the wait is signed with its own watermark: a replayed wait is refused, heartbeats are not disturbed', async () => {
    const body = JSON.stringify({ waitMs: 0, pendingCommands: [] });
    const first = await signedPost(central.url, 'command-wait', body, { ...kioskA, kioskId: kioskA.id, seq: 5 });
    expect(first.status).toBe(200);
    expect(first.body['commands']).toEqual([]);
    expect((await signedPost(central.url, 'command-wait', body, { ...kioskA, kioskId: kioskA.id, seq: 5 })).status).toBe(401);
    // A heartbeat with a lower seq than the wait is still fine (separate watermarks).
    expect(
      (
        await signedPost(central.url, 'heartbeats', JSON.stringify(validHeartbeat(kioskA.id)), {
          ...kioskA,
          kioskId: kioskA.id,
          seq: 1,
        })
      ).status,
    ).toBe(200);
    expect((await signedPost(central.url, 'command-wait', 'not json', { ...kioskA, kioskId: kioskA.id, seq: 6 })).status).toBe(
      400,
    );
    const unsigned = await fetch(`${central.url}/api/v1/command-wait`, { method: 'POST', body });
    expect(unsigned.status).toBe(401);
  });
});

describe('the agent reports events: Recent events is not empty', () => {
  let central: TestCentral;
  let agent: Agent;
  afterEach(async () => {
    await agent?.stop();
    await central?.close();
  });

  it('agent start and a mode change arrive as events; services are in the heartbeat', async () => {
    central = await startTestCentral();
    const config = testConfig((c) => {
      c.kiosk.id = kioskA.id;
      c.central.url = central.url;
      c.central.secret = kioskA.secret;
      c.central.heartbeatIntervalMs = 1000;
      c.devices.idcard.enabled = false;
      c.devices.printer.enabled = false;
      c.devices.camera.enabled = false;
    });
    agent = await startAgent(config, { logger: silentLogger(), modules: [createSessionModule, createMonitorModuleWith({})] });
    const operator = await login(central.url, users.operator);
    await waitFor('agent.started event', async () => {
      const d = (await getJson<{ kiosk: { events: { type: string }[] } }>(`${central.url}/api/v1/kiosks/${kioskA.id}`, operator))
        .body.kiosk;
      return d.events.some((e) => e.type === 'agent.started');
    });
    agent.context.mode.set('out-of-service', '维护中');
    const d = await waitFor('kiosk.mode event', async () => {
      const b = (
        await getJson<{
          kiosk: { events: { type: string; payload: Record<string, unknown> }[]; services: { total: number } | null };
        }>(`${central.url}/api/v1/kiosks/${kioskA.id}`, operator)
      ).body.kiosk;
      return b.events.some((e) => e.type === 'kiosk.mode') ? b : undefined;
    });
    expect(d.events.find((e) => e.type === 'kiosk.mode')!.payload).toEqual({ mode: 'out-of-service', message: '维护中' });
    // 不动产, 燃气, 个税, 社保, 电子证照 (issue 18), 自助照相 (issue 16).
    expect(d.services?.total).toBe(6);
    // The heartbeat names the config the agent runs with, by the same hash the maintenance panel shows.
    const hb = (
      await getJson<{ kiosk: { heartbeat: { configHash: string } | null } }>(
        `${central.url}/api/v1/kiosks/${kioskA.id}`,
        operator,
      )
    ).body.kiosk.heartbeat;
    expect(hb?.configHash).toBe(configHash(config));
  });
});
