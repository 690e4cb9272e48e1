import express from 'express';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '@kiosk/kiosk-config';
import type { Heartbeat } from '@kiosk/contracts/heartbeat';
import { alertRulesYaml } from '../../apps/central/src/alerting/rules-file.js';
import { alertSpecs, severityLabel, specFor, thresholds } from '../../apps/central/src/alerting/thresholds.js';
import { heartbeatConditions } from '../../apps/central/src/evaluate.js';
import {
  amtoolCheckConfig,
  findAlertmanager,
  missingAlertmanager,
  startAlertmanager,
  type TestAlertmanager,
} from '../helpers/alertmanager.js';
import { freePort } from '../helpers/ports.js';
import { checkRules, findPromtool, testRules } from '../helpers/promtool.js';
import {
  kioskA,
  signedPost,
  startTestCentral,
  tempDir,
  testConfig,
  validHeartbeat,
  waitFor,
  type TestCentral,
} from './helpers.js';

const bins = findAlertmanager();

describe('one set of alert thresholds for the built-in engine and config/alert-rules.yml', () => {
  it('the checked-in alert-rules.yml is exactly what the generator writes', () => {
    const file = readFileSync(join(projectRoot, 'config/alert-rules.yml'), 'utf8');
    expect(file, 'config/alert-rules.yml is stale: run npx tsx scripts/generate-alert-rules.ts').toBe(alertRulesYaml());
  });

  it('the generated rules pass promtool, and promtool rejects a broken expression', () => {
    const promtool = findPromtool();
    expect(promtool, 'promtool not found: run `node scripts/ensure-system-deps.mjs --for test`').not.toBeNull();
    const tmp = tempDir('rules-');
    try {
      const good = join(tmp.dir, 'good.yml');
      writeFileSync(good, alertRulesYaml());
      const ok = checkRules(promtool!, good);
      expect(ok.status, ok.stdout + ok.stderr).toBe(0);
      expect(ok.stdout).toContain(`SUCCESS: ${Object.values(alertSpecs).filter((s) => s.expr !== null).length} rules found`);
      const bad = join(tmp.dir, 'bad.yml');
      writeFileSync(bad, alertRulesYaml([{ ...alertSpecs.disk, expr: 'kiosk_disk_free_bytes < < 1' }]));
      expect(checkRules(promtool!, bad).status).not.toBe(0);
    } finally {
      tmp.remove();
    }
  });

  it('the built-in engine uses the same numbers as the rules', async () => {
    const config = await testConfig();
    expect(config.fleet.diskLowBytes).toBe(thresholds.diskLowBytes);
    expect(config.heartbeat.offlineAfterMissed).toBe(thresholds.offlineAfterMissed);
    expect(config.fleet.essentialDevices).toEqual(thresholds.essentialDevices);
    expect(alertRulesYaml()).toContain(`kiosk_disk_free_bytes < ${thresholds.diskLowBytes}`);
    expect(alertRulesYaml()).toContain(`kiosk_outbox_events > ${thresholds.outboxBacklogEvents}`);
    const opts = { essentialDevices: config.fleet.essentialDevices, diskLowBytes: config.fleet.diskLowBytes };
    const codes = (hb: Heartbeat): string[] => heartbeatConditions(hb, opts).map((c) => c.code);
    const at = (depth: number): Heartbeat => validHeartbeat(kioskA.id, { outbox: { depth, oldestAt: null } });
    // Same edge as the rule `kiosk_outbox_events > N`.
    expect(codes(at(thresholds.outboxBacklogEvents))).not.toContain('outbox');
    expect(codes(at(thresholds.outboxBacklogEvents + 1))).toContain('outbox');
    const disk = (free: number): Heartbeat => {
      const hb = validHeartbeat(kioskA.id);
      return { ...hb, system: { ...hb.system, diskFreeBytes: free } };
    };
    expect(codes(disk(thresholds.diskLowBytes))).not.toContain('disk');
    expect(codes(disk(thresholds.diskLowBytes - 1))).toContain('disk');
  });
});

describe('the generated rules fire where the built-in engine does (promtool test rules)', () => {
  it('same alerts for the same kiosk facts at the threshold edges', () => {
    const promtool = findPromtool();
    expect(promtool, 'promtool not found: run `node scripts/ensure-system-deps.mjs --for test`').not.toBeNull();
    const config = { essentialDevices: thresholds.essentialDevices, diskLowBytes: thresholds.diskLowBytes };
    // K1 just over every edge, with the printer "not ready" only for its paper; K2 exactly on the edges.
    const base = validHeartbeat('K1');
    const k1: Heartbeat = {
      ...base,
      paper: 'out',
      devices: { idcard: { device: 'online' }, printer: { device: 'userError', paper: 'out' } },
      outbox: { depth: thresholds.outboxBacklogEvents + 1, oldestAt: null },
      system: { ...base.system, diskFreeBytes: thresholds.diskLowBytes - 1 },
    };
    const k2: Heartbeat = {
      ...validHeartbeat('K2'),
      devices: {
        idcard: { device: 'hardwareError' },
        printer: { device: 'online', paper: 'full' },
        camera: { device: 'offline' },
      },
      outbox: { depth: thresholds.outboxBacklogEvents, oldestAt: null },
      system: { ...base.system, diskFreeBytes: thresholds.diskLowBytes },
    };
    // What the built-in engine raises, as Alertmanager would see it.
    const builtin = (kiosk: string, hb: Heartbeat) =>
      heartbeatConditions(hb, config).map((c) => ({
        alertname: specFor(c.code, c.severity).alert,
        severity: severityLabel(c.severity),
        kiosk,
        device: c.code.startsWith('device:') ? c.code.slice(7) : undefined,
      }));
    const fired = [...builtin('K1', k1), ...builtin('K2', k2)];
    expect(fired.map((f) => `${f.kiosk} ${f.alertname} ${f.severity}${f.device ? ` ${f.device}` : ''}`).sort()).toEqual([
      'K1 KioskDiskLow warning',
      'K1 KioskOutboxBacklog warning',
      'K1 KioskPaperOut critical',
      'K2 KioskDeviceError critical idcard',
      'K2 KioskDeviceError warning camera',
    ]);
    // The same facts as central's /metrics families, and promtool's expectation = the built-in list.
    const series = (name: string, kiosk: string, labels: Record<string, string>, value: number) =>
      `      - series: '${name}{${Object.entries({ kiosk, site: 'S', ...labels })
        .map(([k, v]) => `${k}="${v}"`)
        .join(',')}}'\n        values: '${value}x5'`;
    const input = [
      series('kiosk_outbox_events', 'K1', {}, k1.outbox.depth),
      series('kiosk_outbox_events', 'K2', {}, k2.outbox.depth),
      series('kiosk_disk_free_bytes', 'K1', {}, k1.system.diskFreeBytes!),
      series('kiosk_disk_free_bytes', 'K2', {}, k2.system.diskFreeBytes!),
      series('kiosk_printer_paper_state', 'K1', { state: 'out' }, 1),
      series('kiosk_printer_paper_state', 'K2', { state: 'full' }, 1),
      ...[k1, k2].flatMap((hb, i) =>
        Object.entries(hb.devices).map(([d, st]) =>
          series('kiosk_device_status', `K${i + 1}`, { device: d, state: st.device }, 1),
        ),
      ),
      ...['K1', 'K2'].flatMap((k) => [
        series('kiosk_up', k, {}, 1),
        series('kiosk_ui_alive', k, {}, 1),
        series('kiosk_gas_pending_credit_orders', k, {}, 0),
        series('kiosk_gas_needs_attention_orders', k, {}, 0),
      ]),
    ];
    const names = [
      ...new Set(
        Object.values(alertSpecs)
          .filter((s) => s.expr !== null)
          .map((s) => s.alert),
      ),
    ];
    const expectations = names.map((name) => {
      const exp = fired
        .filter((f) => f.alertname === name)
        .map((f) => {
          const labels: Record<string, string> = { severity: f.severity, kiosk: f.kiosk, site: 'S' };
          if (f.device) Object.assign(labels, { device: f.device, state: f.device === 'idcard' ? 'hardwareError' : 'offline' });
          if (name === 'KioskPaperOut') labels.state = 'out';
          return `          - exp_labels: ${JSON.stringify(labels)}\n            exp_annotations: {summary: "x"}`;
        });
      return `      - eval_time: 2m\n        alertname: ${name}\n        exp_alerts:${exp.length ? `\n${exp.join('\n')}` : ' []'}`;
    });
    const tmp = tempDir('rules-test-');
    try {
      // Annotations are not what is tested here: one fixed summary keeps the expectations short.
      writeFileSync(
        join(tmp.dir, 'rules.yml'),
        alertRulesYaml(Object.values(alertSpecs).map((s) => ({ ...s, summary: 'x', description: undefined }))),
      );
      const testFile = join(tmp.dir, 'test.yml');
      writeFileSync(
        testFile,
        [
          'rule_files: [rules.yml]',
          'evaluation_interval: 1m',
          'tests:',
          '  - interval: 1m',
          '    input_series:',
          ...input,
          '    alert_rule_test:',
          ...expectations,
          '',
        ].join('\n'),
      );
      const r = testRules(promtool!, testFile);
      expect(r.status, r.stdout + r.stderr).toBe(0);
    } finally {
      tmp.remove();
    }
  });
});

describe('deploy/alertmanager.yml', () => {
  it('passes amtool check-config, and amtool catches a broken config', () => {
    expect(bins, missingAlertmanager).not.toBeNull();
    const file = join(projectRoot, 'deploy/alertmanager.yml');
    const r = amtoolCheckConfig(bins!.amtool, file);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('SUCCESS');
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('wechat_configs');
    expect(text).toContain('webhook_configs');
    const tmp = tempDir('am-config-');
    try {
      const broken = join(tmp.dir, 'broken.yml');
      writeFileSync(broken, text.replace('receiver: wecom-ops', 'receiver: no-such-receiver'));
      expect(amtoolCheckConfig(bins!.amtool, broken).status).not.toBe(0);
    } finally {
      tmp.remove();
    }
  });
});

interface WebhookMessage {
  status: 'firing' | 'resolved';
  alerts: { status: 'firing' | 'resolved'; labels: Record<string, string>; annotations: Record<string, string> }[];
}

/** Where the test Alertmanager sends its notifications (its webhook_configs format, version 4). */
async function startNotificationSink(): Promise<{ url: string; messages: WebhookMessage[]; server: Server }> {
  const messages: WebhookMessage[] = [];
  const app = express();
  app.use(express.json());
  app.post('/notify', (req, res) => {
    messages.push(req.body as WebhookMessage);
    res.status(200).end();
  });
  const server = createServer(app).listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/notify`, messages, server };
}

describe('central delivers alerts to a real Alertmanager and resolves them', () => {
  let am: TestAlertmanager;
  let sink: Awaited<ReturnType<typeof startNotificationSink>>;
  let central: TestCentral | undefined;
  let seq = 0;

  beforeAll(async () => {
    expect(bins, missingAlertmanager).not.toBeNull();
    sink = await startNotificationSink();
    am = await startAlertmanager(
      [
        'route:',
        '  receiver: hook',
        '  group_by: [kiosk, alertname]',
        '  group_wait: 0s',
        '  group_interval: 1s',
        '  repeat_interval: 1h',
        'receivers:',
        '  - name: hook',
        '    webhook_configs:',
        `      - url: ${sink.url}`,
        '        send_resolved: true',
        '',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await am?.close();
    sink?.server.close();
  });
  afterEach(async () => {
    await central?.close();
    central = undefined;
  });

  const beat = async (over: Partial<Heartbeat> = {}): Promise<void> => {
    const r = await signedPost(
      central!.url,
      'heartbeats',
      JSON.stringify(validHeartbeat(kioskA.id, { intervalMs: 60_000, ...over })),
      {
        ...kioskA,
        kioskId: kioskA.id,
        seq: ++seq,
      },
    );
    expect(r.status).toBe(200);
  };
  const amAlert = async (name: string) =>
    (await am.alerts()).find((a) => a.labels.alertname === name && a.labels.kiosk === kioskA.id);

  it('paper out fires KioskPaperOut at Alertmanager (labels, zh-CN summary), a refill resolves it', async () => {
    central = await startTestCentral({ alerting: 'alertmanager', alertmanager: { url: am.url, syncIntervalMs: 50 } });
    await beat();
    await beat({ paper: 'out', devices: { idcard: { device: 'online' }, printer: { device: 'userError', paper: 'out' } } });
    const fired = await waitFor('KioskPaperOut at Alertmanager', () => amAlert('KioskPaperOut'));
    expect(fired.labels).toMatchObject({ severity: 'critical', site: kioskA.site, code: 'paper' });
    expect(fired.annotations.summary).toContain('打印机缺纸');
    expect(fired.status.state).toBe('active');
    // One cause, one alert: the printer's userError is the paper alert, not a device alert too.
    expect(await amAlert('KioskDeviceError')).toBeUndefined();
    // Central's firing alert lasts beyond Alertmanager's evaluation unless resent (Prometheus style).
    expect(Date.parse(fired.endsAt)).toBeGreaterThan(Date.now());
    await waitFor('firing notification', () =>
      sink.messages.some((m) => m.alerts.some((a) => a.status === 'firing' && a.labels.alertname === 'KioskPaperOut')),
    );

    await beat({ paper: 'full' });
    // Resolved by central's post with endsAt = now (the firing one would only lapse minutes later).
    await waitFor('KioskPaperOut gone from Alertmanager', async () => (await amAlert('KioskPaperOut')) === undefined);
    await waitFor('resolved notification', () =>
      sink.messages.some((m) => m.alerts.some((a) => a.status === 'resolved' && a.labels.alertname === 'KioskPaperOut')),
    );
  });

  it('a kiosk that goes quiet fires KioskOffline; its next heartbeat resolves it', async () => {
    central = await startTestCentral({ alerting: 'alertmanager', alertmanager: { url: am.url, syncIntervalMs: 50 } });
    // A short interval, so that three missed ones pass quickly.
    await beat({ intervalMs: 300 });
    const offline = await waitFor('KioskOffline at Alertmanager', () => amAlert('KioskOffline'), 30_000);
    expect(offline.labels.severity).toBe('critical');
    // Back with a long interval, so it does not go quiet again while we look.
    await beat({ intervalMs: 60_000 });
    await waitFor('KioskOffline resolved', async () => (await amAlert('KioskOffline')) === undefined);
  });

  it('re-posts firing alerts so Alertmanager keeps them (endsAt moves on)', async () => {
    central = await startTestCentral({
      alerting: 'alertmanager',
      alertmanager: { url: am.url, syncIntervalMs: 50, resendIntervalMs: 1000 },
    });
    await beat();
    await beat({ paper: 'low', devices: { idcard: { device: 'online' }, printer: { device: 'online', paper: 'low' } } });
    const first = await waitFor('KioskPaperLow at Alertmanager', () => amAlert('KioskPaperLow'));
    await waitFor('a later endsAt', async () => {
      const now = await amAlert('KioskPaperLow');
      return now !== undefined && Date.parse(now.endsAt) > Date.parse(first.endsAt);
    });
    // Escalation changes the alert's name: the low one ends, the out one fires.
    await beat({ paper: 'out', devices: { idcard: { device: 'online' }, printer: { device: 'online', paper: 'out' } } });
    await waitFor('KioskPaperOut fired', () => amAlert('KioskPaperOut'));
    await waitFor('KioskPaperLow ended', async () => (await amAlert('KioskPaperLow')) === undefined);
  });

  it('keeps trying while Alertmanager is unreachable and delivers once it is up', async () => {
    const port = await freePort();
    central = await startTestCentral({
      alerting: 'alertmanager',
      alertmanager: { url: `http://127.0.0.1:${port}`, syncIntervalMs: 50 },
    });
    await beat();
    await beat({ paper: 'out', devices: { idcard: { device: 'online' }, printer: { device: 'online', paper: 'out' } } });
    // Nothing listens yet: the posts (every 50 ms) fail with connection refused while Alertmanager
    // starts, and are repeated with backoff until it answers.
    const late = await startAlertmanager(undefined, port);
    try {
      const fired = await waitFor(
        'KioskPaperOut delivered after Alertmanager came up',
        async () => (await late.alerts()).find((a) => a.labels.alertname === 'KioskPaperOut'),
        30_000,
      );
      expect(fired.labels.kiosk).toBe(kioskA.id);
    } finally {
      await late.close();
    }
  });

  it('refuses "alertmanager" without a URL', async () => {
    await expect(testConfig({ alerting: 'alertmanager' })).rejects.toThrow(/alertmanager\.url/);
  });
});
