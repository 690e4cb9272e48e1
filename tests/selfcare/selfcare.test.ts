import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Agent } from '../../apps/agent/src/agent.js';
import { judgeClock } from '../../apps/agent/src/selfcare/clock.js';
import { BrowserWatchdog } from '../../apps/agent/src/selfcare/browser-watchdog.js';
import { inWindow } from '../../apps/agent/src/selfcare/window.js';
import { getSelfcareApi } from '../../apps/agent/src/selfcare/module.js';
import { TestSocket } from '../helpers/ws.js';
import { tempDir } from '../helpers/config.js';
import { fakeCentral, selfcareAgent, until, type FakeCentral } from './harness.js';

let agent: Agent | undefined;
let central: FakeCentral | undefined;
afterEach(async () => {
  await agent?.stop();
  await central?.close();
  agent = central = undefined;
});

const alerts = (c: FakeCentral, code: string) => c.events.filter((e) => e.type === 'alert' && e.payload.code === code);

describe('clock check against central', () => {
  it('judges offsets: warn beyond 30 s, out of service beyond 5 min, uncertainty to the kiosk’s favour', () => {
    const limits = { warnSeconds: 30, outOfServiceSeconds: 300 };
    expect(judgeClock(10_000, 0, limits).level).toBe('ok');
    expect(judgeClock(-31_000, 0, limits).level).toBe('warn');
    expect(judgeClock(31_000, 2_000, limits).level).toBe('ok');
    expect(judgeClock(301_000, 0, limits).level).toBe('out-of-service');
    expect(judgeClock(-600_000, 0, limits).level).toBe('out-of-service');
  });

  it('goes out of service when central’s clock is 10 min away, warns at 45 s, and recovers by itself', async () => {
    central = await fakeCentral();
    central.skewMs = 10 * 60_000;
    agent = await selfcareAgent(central, () => {});
    await until(() => agent!.mode() === 'out-of-service', 'out of service for the clock');
    expect(agent.context.mode.message()).toContain('System clock wrong');
    await until(() => alerts(central!, 'selfcare-clock').length === 1, 'clock alert at central');

    central.skewMs = 45_000;
    await until(() => agent!.mode() === 'in-service', 'back in service');
    await until(() => alerts(central!, 'clock-drift').length === 1, 'clock drift warning at central');
    expect(getSelfcareApi(agent.context)?.status().clock?.level).toBe('warn');
  });

  it('a clock so far off that central refuses the heartbeats as stale also takes the kiosk out of service', async () => {
    central = await fakeCentral();
    central.skewMs = 10 * 60_000;
    central.maxSkewMs = 300_000; // central's default heartbeat.maxSkewSeconds
    agent = await selfcareAgent(central, () => {});
    await until(() => agent!.mode() === 'out-of-service', 'out of service for the clock');
    expect(central.staleRejections).toBeGreaterThan(0);
    expect(getSelfcareApi(agent.context)?.status().clock?.level).toBe('out-of-service');
  });

  it('leaves a mode set by staff or central alone', async () => {
    central = await fakeCentral();
    central.skewMs = 0;
    agent = await selfcareAgent(central, () => {});
    agent.context.mode.set('maintenance');
    central.skewMs = 10 * 60_000;
    await until(() => getSelfcareApi(agent!.context)?.status().outOfService.includes('clock') ?? false, 'clock reason noted');
    expect(agent.mode()).toBe('maintenance');
  });
});

describe('disk guard', () => {
  it('prunes raw data when space runs low, and goes out of service with a reason if that is not enough', async () => {
    central = await fakeCentral();
    let free = 10 * 1024 ** 3;
    agent = await selfcareAgent(central, (c) => (c.selfcare.disk.checkIntervalMs = 1), { freeBytes: () => free });
    // A settled print job whose raw bytes are kept for reprints.
    agent.db
      .prepare(
        "INSERT INTO print_jobs (kind, profile, state, byte_count, data, created_at, updated_at) VALUES ('slip', 'p', 'printed', 3, x'010203', ?, ?)",
      )
      .run(new Date().toISOString(), new Date().toISOString());
    free = 1024;
    await until(() => agent!.mode() === 'out-of-service', 'out of service for the disk');
    expect(agent.context.mode.message()).toContain('Disk full');
    expect(agent.db.prepare('SELECT data FROM print_jobs').pluck().get()).toBeNull();
    expect(agent.db.prepare('SELECT count(*) FROM print_jobs').pluck().get()).toBe(1); // the journal row stays
    expect(agent.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'disk.pruned'").pluck().get()).toBe(1);
    await until(() => alerts(central!, 'selfcare-disk').length === 1, 'disk alert at central');
    free = 10 * 1024 ** 3;
    await until(() => agent!.mode() === 'in-service', 'back in service once space is free');
  });
});

describe('browser watchdog', () => {
  it('counts from the latest of start, ping and restart; alerts exactly at the hourly threshold', () => {
    const w = new BrowserWatchdog({ pingTimeoutMs: 30_000, alertAfterRestartsPerHour: 3, startedAt: 0 });
    expect(w.check(29_999, null)).toBeNull();
    expect(w.check(30_000, null)).toMatchObject({ restartsLastHour: 1, raiseAlert: false });
    expect(w.check(50_000, 45_000)).toBeNull();
    expect(w.check(75_000, 45_000)).toMatchObject({ restartsLastHour: 2 });
    expect(w.check(105_000, null)).toMatchObject({ restartsLastHour: 3, raiseAlert: true });
    expect(w.check(135_000, null)).toMatchObject({ restartsLastHour: 4, raiseAlert: false });
    // An hour later the old restarts no longer count.
    expect(w.check(3_800_000, null)).toMatchObject({ restartsLastHour: 1 });
  });

  it('restarts the browser when the UI stops pinging, reports each restart, and alerts at three in an hour', async () => {
    central = await fakeCentral();
    const dir = tempDir('kiosk-browser-');
    const log = join(dir, 'restarts.log');
    const script = join(dir, 'restart.sh');
    const { writeFileSync, chmodSync } = await import('node:fs');
    writeFileSync(script, `#!/bin/sh\necho restart >> ${log}\n`);
    chmodSync(script, 0o755);
    agent = await selfcareAgent(central, (c) => {
      c.selfcare.browser.pingTimeoutMs = 400;
      c.selfcare.browser.restartCommand = [script];
    });
    const restarts = (): number => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').length : 0);
    await until(() => restarts() >= 3, 'three browser restarts');
    await until(() => central!.events.filter((e) => e.type === 'browser.restart').length >= 3, 'restarts reported to central');
    await until(() => alerts(central!, 'browser-restarts').length === 1, 'browser restart alert at central');
    // And each heartbeat carries the count and the last restart.
    await until(
      () => ((central!.lastHeartbeat?.ui as { browserRestartsLastHour?: number } | undefined)?.browserRestartsLastHour ?? 0) >= 3,
      'restarts in the heartbeat',
    );
    expect((central.lastHeartbeat!.ui as { lastBrowserRestart: { reason: string } }).lastBrowserRestart.reason).toMatch(
      /no UI ping/,
    );
    expect(
      agent.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'browser.restart'").pluck().get(),
    ).toBeGreaterThanOrEqual(3);
  });

  it('leaves a pinging UI alone', async () => {
    central = await fakeCentral();
    const dir = tempDir('kiosk-browser-');
    const log = join(dir, 'restarts.log');
    agent = await selfcareAgent(central, (c) => {
      c.selfcare.browser.pingTimeoutMs = 1500;
      c.selfcare.browser.restartCommand = ['sh', '-c', `echo restart >> ${log}`];
    });
    const ui = await TestSocket.open(agent.url, agent.token);
    // Ping well within the timeout for several timeouts' worth of heartbeats.
    const beatsAtStart = central.heartbeats;
    while (central.heartbeats < beatsAtStart + 5) {
      await ui.command('Kiosk.Ping');
      await new Promise((r) => setTimeout(r, 200));
    }
    ui.ws.close();
    expect(existsSync(log)).toBe(false);
  });
});

describe('maintenance window', () => {
  it('is China time and may cross midnight', () => {
    expect(inWindow(new Date('2026-12-03T19:30:00Z'), '03:00', '04:00')).toBe(true); // 03:30 in China
    expect(inWindow(new Date('2026-12-03T03:30:00Z'), '03:00', '04:00')).toBe(false);
    expect(inWindow(new Date('2026-12-03T16:10:00Z'), '23:30', '00:30')).toBe(true); // 00:10
    expect(inWindow(new Date('2026-12-03T17:00:00Z'), '23:30', '00:30')).toBe(false); // 01:00
  });

  it('runs integrity_check, VACUUM and pruning once a night when nobody is at the kiosk, then restarts the browser', async () => {
    central = await fakeCentral();
    const dir = tempDir('kiosk-browser-');
    const log = join(dir, 'restarts.log');
    const nightly = Date.parse('2026-12-03T19:30:00Z'); // 03:30 China time
    agent = await selfcareAgent(
      central,
      (c) => {
        c.selfcare.browser.pingTimeoutMs = 3_600_000;
        c.selfcare.browser.restartCommand = ['sh', '-c', `echo restart >> ${log}`];
      },
      { now: () => nightly },
    );
    agent.db.prepare("INSERT INTO audit_log (at, actor, action) VALUES ('2020-01-01T00:00:00.000Z', 'x', 'old')").run();
    await until(() => getSelfcareApi(agent!.context)?.status().lastMaintenance !== null, 'maintenance ran');
    const report = getSelfcareApi(agent.context)!.status().lastMaintenance!;
    expect(report).toMatchObject({ integrityOk: true, vacuumed: true });
    expect(report.pruned.audit).toBe(1);
    await until(() => existsSync(log), 'browser restarted after maintenance');
    expect(agent.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'maintenance.run'").pluck().get()).toBe(1);
  });

  it('waits while a citizen is at the kiosk, and runs once they are gone', async () => {
    central = await fakeCentral();
    const dir = tempDir('kiosk-browser-');
    const log = join(dir, 'restarts.log');
    // Just before the window, so the citizen arrives before it opens.
    let clock = Date.parse('2026-12-03T18:59:00Z'); // 02:59 China time
    const { createSessionModuleWith } = await import('../../apps/agent/src/session/module.js');
    agent = await selfcareAgent(
      central,
      (c) => {
        c.selfcare.browser.pingTimeoutMs = 3_600_000;
        c.selfcare.browser.restartCommand = ['sh', '-c', `echo restart >> ${log}`];
        c.devices.idcard.enabled = false;
        c.devices.printer.enabled = false;
        c.devices.camera.enabled = false;
      },
      { now: () => clock },
      [createSessionModuleWith({})],
    );
    const ui = await TestSocket.open(agent.url, agent.token);
    expect((await ui.command('Session.Start')).header.completionCode).toBe('success');
    clock = Date.parse('2026-12-03T19:00:30Z'); // 03:00:30 China time: the window is open
    const beats = central.heartbeats;
    await until(() => central!.heartbeats >= beats + 2, 'a while with a citizen present');
    expect(getSelfcareApi(agent.context)?.status().lastMaintenance).toBeNull();
    expect(existsSync(log)).toBe(false);
    // The citizen walks away: home → goodbye, whose countdown returns the kiosk to attract.
    expect((await ui.command('Session.Back')).header.completionCode).toBe('success');
    ui.ws.close();
    await until(
      () => getSelfcareApi(agent!.context)?.status().lastMaintenance !== null,
      'maintenance ran after the citizen left',
      60_000,
    );
    await until(() => existsSync(log), 'browser restarted after maintenance');
  }, 90_000);
});
