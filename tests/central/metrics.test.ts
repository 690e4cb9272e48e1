import express from 'express';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '@kiosk/kiosk-config';
import type { HeartbeatSender } from '../../apps/agent/src/monitor/heartbeat.js';
import { createAgentMetrics } from '../../apps/agent/src/monitor/metrics.js';
import type { Db } from '@kiosk/platform';
import { checkMetrics, checkRules, findPromtool } from '../helpers/promtool.js';
import {
  FakeCommands,
  FakeHealth,
  kioskA,
  makeSender,
  openAgentDb,
  startTestCentral,
  tempDir,
  waitFor,
  type TestCentral,
} from './helpers.js';

const promtool = findPromtool();
const allowedLabels = new Set(['kiosk', 'site', 'device', 'state', 'mode', 'agent_version', 'ui_version', 'config_hash']);

/** Label names used by kiosk_* series in an exposition. */
function kioskLabelNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('kiosk_')) continue;
    const m = /\{(.*)\}/.exec(line);
    for (const pair of (m?.[1] ?? '').matchAll(/([a-z_]+)="/g)) names.add(pair[1]!);
  }
  return names;
}

describe('Prometheus metrics', () => {
  let central: TestCentral;
  let agentDir: ReturnType<typeof tempDir>;
  let db: Db;
  let sender: HeartbeatSender;
  let health: FakeHealth;

  beforeAll(async () => {
    expect(promtool, 'promtool not found: run `node scripts/ensure-system-deps.mjs --for test`').not.toBeNull();
    central = await startTestCentral();
    agentDir = tempDir('agent-');
    db = openAgentDb(agentDir.dir);
    health = new FakeHealth();
    health.paper = 'low';
    health.devices.printer = { device: 'online', paper: 'low' };
    health.devices.camera = { device: 'hardwareError', action: 'maintenance', detail: 'no frames' };
    health.counters = { sessionsStarted: 12, sessionsCompleted: 10, transactions: 9, transactionsFailed: 1 };
    health.gas = { creditPending: 2, needsAttention: 0 };
    sender = makeSender({ centralUrl: central.url, db, health, commands: new FakeCommands() });
    sender.start();
    await waitFor('first beat', () => sender.lastResult().ok === true);
  });

  afterAll(async () => {
    await sender.stop();
    db.close();
    agentDir.remove();
    await central.close();
  });

  it('central /metrics passes `promtool check metrics` and carries the fleet figures', async () => {
    const res = await fetch(`${central.url}/metrics`);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    const r = checkMetrics(promtool!, text);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);

    const site = '咸宁市政务服务中心';
    const k = `kiosk="${kioskA.id}",site="${site}"`;
    expect(text).toContain(`kiosk_up{${k}} 1`);
    expect(text).toMatch(new RegExp(`kiosk_last_heartbeat_timestamp_seconds\\{${k}\\} \\d{10}`));
    expect(text).toContain(`kiosk_printer_paper_state{${k},state="low"} 1`);
    expect(text).toContain(`kiosk_device_status{${k},device="camera",state="hardwareError"} 1`);
    expect(text).toContain(`kiosk_transactions_total{${k}} 9`);
    expect(text).toContain(`kiosk_gas_pending_credit_orders{${k}} 2`);
    expect(text).toContain(`kiosk_fleet_state{${k},state="warning"} 1`);
    expect(text).toMatch(
      /kiosk_build_info\{kiosk="XN-TEST-01",site="[^"]+",agent_version="0.1.0",ui_version="0.1.0",config_hash="[0-9a-f]+"\} 1/,
    );
    // The never-seen kiosk is there as down, without a heartbeat time.
    expect(text).toContain('kiosk_up{kiosk="XN-TEST-02",site="嘉鱼县政务服务中心"} 0');
    expect(text).not.toContain('kiosk_last_heartbeat_timestamp_seconds{kiosk="XN-TEST-02"');
    expect([...kioskLabelNames(text)].filter((n) => !allowedLabels.has(n))).toEqual([]);
  });

  it('the agent’s local registry passes promtool and shows the same figures as the heartbeat', async () => {
    const m = createAgentMetrics({ kioskId: kioskA.id, site: kioskA.site, health, dataDir: agentDir.dir, sender });
    const app = express();
    app.get('/metrics', m.handler);
    const server = createServer(app).listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const text = await (await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`)).text();
      const r = checkMetrics(promtool!, text);
      expect(r.stdout + r.stderr).toBe('');
      expect(r.status).toBe(0);
      const k = `kiosk="${kioskA.id}",site="${kioskA.site}"`;
      expect(text).toContain(`kiosk_printer_paper_state{${k},state="low"} 1`);
      expect(text).toContain(`kiosk_device_status{${k},device="camera",state="hardwareError"} 1`);
      expect(text).toContain(`kiosk_transactions_total{${k}} 9`);
      expect(text).toContain(`kiosk_sessions_started_total{${k}} 12`);
      expect(text).toContain(`kiosk_gas_pending_credit_orders{${k}} 2`);
      expect(text).toContain(`kiosk_heartbeat_consecutive_failures{${k}} 0`);
      expect(text).toContain('process_cpu_seconds_total');
      expect(text).not.toContain('nodejs_active_handles_total');
      expect([...kioskLabelNames(text)].filter((n) => !allowedLabels.has(n))).toEqual([]);

      // Scrapes read fresh values.
      health.counters = { ...health.counters, transactions: 10 };
      await new Promise((r) => setTimeout(r, 300));
      expect(await m.registry.getSingleMetricAsString('kiosk_transactions_total')).toContain(`kiosk_transactions_total{${k}} 10`);
    } finally {
      server.close();
    }
  });

  it('promtool really catches lint errors (prom-client defaults unfiltered exit 3)', async () => {
    const reg = new Registry();
    collectDefaultMetrics({ register: reg });
    const r = checkMetrics(promtool!, await reg.metrics());
    expect(r.status).toBe(3);
    expect(r.stdout + r.stderr).toContain('nodejs_active_handles_total');
  });

  it('the example alerting rules pass `promtool check rules`', () => {
    const r = checkRules(promtool!, join(projectRoot, 'config/alert-rules.yml'));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/SUCCESS: \d+ rules found/);
  });
});
