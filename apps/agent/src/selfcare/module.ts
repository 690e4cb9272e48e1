import { execFile } from 'node:child_process';
import { resolvePath } from '@kiosk/kiosk-config';
import type { AgentContext, AgentModule, AgentModuleFactory } from '../modules.js';
import { BrowserWatchdog, type RestartDecision } from './browser-watchdog.js';
import { parsePpm, ScreenJudge } from './screen-check.js';
import { judgeClock, type ClockVerdict } from './clock.js';
import { freeBytes as statFreeBytes, pruneForSpace } from './disk.js';
import { runMaintenance, type MaintenanceReport } from './maintenance.js';
import { inWindow, maintenanceDay } from './window.js';

export interface SelfcareOptions {
  /** Clock for the checks (tests); the measured clock offset always comes from central. */
  now?: () => number;
  /** Free bytes on the data directory's file system (tests fill a disk this way). */
  freeBytes?: (dir: string) => number;
  /** How often the watchdogs look. Default 1 s. */
  tickMs?: number;
}

export interface SelfcareStatus {
  clock: (ClockVerdict & { at: string }) | null;
  diskFreeBytes: number | null;
  browserRestartsLastHour: number;
  lastBrowserRestart: { at: string; reason: string } | null;
  lastMaintenance: MaintenanceReport | null;
  /** Why self-care has put the kiosk out of service, if it has. */
  outOfService: string[];
}

const apis = new WeakMap<AgentContext, { status(): SelfcareStatus }>();
export function getSelfcareApi(ctx: AgentContext): { status(): SelfcareStatus } | undefined {
  return apis.get(ctx);
}

const reasonText = {
  disk: '磁盘空间不足，暂停服务 Disk full: out of service',
  clock: '系统时间不准，暂停服务 System clock wrong: out of service',
} as const;
type Reason = keyof typeof reasonText;

export function createSelfcareModuleWith(options: SelfcareOptions = {}): AgentModuleFactory {
  return (ctx) => buildSelfcare(ctx, options);
}

/** Unattended self-care (docs/deploy.md): browser watchdog, disk guard, clock check, nightly maintenance. */
export const createSelfcareModule: AgentModuleFactory = createSelfcareModuleWith();

function buildSelfcare(ctx: AgentContext, options: SelfcareOptions): AgentModule {
  const cfg = ctx.config.selfcare;
  const log = ctx.logger.child({ module: 'selfcare' });
  const now = options.now ?? Date.now;
  const dataDir = resolvePath(ctx.config.dataDir);
  const readFree = options.freeBytes ?? statFreeBytes;
  const watchdog = new BrowserWatchdog({
    pingTimeoutMs: cfg.browser.pingTimeoutMs,
    alertAfterRestartsPerHour: cfg.browser.alertAfterRestartsPerHour,
    startedAt: now(),
  });
  const status: SelfcareStatus = {
    clock: null,
    diskFreeBytes: null,
    browserRestartsLastHour: 0,
    lastBrowserRestart: null,
    lastMaintenance: null,
    outOfService: [],
  };
  const reasons = new Set<Reason>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let lastDiskCheck = 0;
  let lastMaintenanceDay: string | null = null;
  let clockWarned = false;
  let restarting = false;
  let lastScreenCheck = 0;
  const screens = new ScreenJudge();

  const event = (type: string, payload: Record<string, unknown>): void => {
    ctx.ports.get('monitor')?.sender.enqueueEvent(type, payload);
  };
  const alert = (code: string, severity: 'warning' | 'error', message: string): void =>
    event('alert', { code, severity, message });

  /** Self-care's reasons own the out-of-service mode only if nobody else (staff, central) set a mode. */
  const applyMode = (): void => {
    status.outOfService = [...reasons];
    const ours = new Set<string>(Object.values(reasonText));
    const current = ctx.mode.get();
    const shown = ctx.mode.message() ?? '';
    const oursNow = current === 'out-of-service' && ours.has(shown);
    if (reasons.size > 0) {
      const message = reasonText[[...reasons][0]!];
      if (current === 'in-service' || (oursNow && shown !== message)) ctx.mode.set('out-of-service', message);
    } else if (oursNow) {
      ctx.mode.set('in-service');
    }
  };
  const setReason = (r: Reason, on: boolean, detail: string): void => {
    if (on === reasons.has(r)) return;
    if (on) {
      reasons.add(r);
      log.error({ reason: r, detail }, 'self-care: out of service');
      ctx.audit('selfcare', 'selfcare.out_of_service', { reason: r, detail });
      alert(`selfcare-${r}`, 'error', `${reasonText[r]} (${detail})`);
    } else {
      reasons.delete(r);
      log.info({ reason: r, detail }, 'self-care: condition cleared');
      ctx.audit('selfcare', 'selfcare.recovered', { reason: r, detail });
    }
    applyMode();
  };

  /** Someone is using the kiosk unless it shows its idle screens (attract, out of service) with nothing in flight. */
  const citizenPresent = (): boolean => {
    const v = ctx.ports.get('session')?.view();
    return v ? !(v.screen === 'attract' || v.screen === 'outOfService') || v.busy !== null : false;
  };

  const restartBrowser = (reason: string): Promise<boolean> =>
    new Promise((resolve) => {
      const [cmd, ...args] = cfg.browser.restartCommand;
      execFile(cmd!, args, { timeout: 30_000 }, (err, _stdout, stderr) => {
        if (err) log.error({ err: err.message, stderr: String(stderr).slice(0, 500), reason }, 'browser restart failed');
        else log.warn({ reason }, 'kiosk browser restarted');
        resolve(!err);
      });
    });

  const doRestart = async (t: number, decision: RestartDecision): Promise<void> => {
    restarting = true;
    try {
      const ok = await restartBrowser(decision.reason);
      screens.reset();
      status.lastBrowserRestart = { at: new Date(t).toISOString(), reason: decision.reason };
      status.browserRestartsLastHour = decision.restartsLastHour;
      ctx.audit('selfcare', 'browser.restart', { reason: decision.reason, ok });
      event('browser.restart', { reason: decision.reason, ok, restartsLastHour: decision.restartsLastHour });
      if (decision.raiseAlert) {
        alert(
          'browser-restarts',
          'error',
          `界面浏览器一小时内重启 ${decision.restartsLastHour} 次 Kiosk browser restarted ${decision.restartsLastHour} times within an hour`,
        );
      }
    } finally {
      restarting = false;
    }
  };

  const checkBrowser = async (): Promise<void> => {
    if (restarting) return;
    const t = now();
    const decision = watchdog.check(t, ctx.ports.get('monitor')?.lastPingAt() ?? null);
    if (decision) await doRestart(t, decision);
  };

  const capture = (argv: string[]): Promise<Buffer> =>
    new Promise((resolve, reject) => {
      execFile(argv[0]!, argv.slice(1), { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024, timeout: 15_000 }, (err, stdout) =>
        err ? reject(new Error(err.message, { cause: err })) : resolve(stdout),
      );
    });

  /** A blank or frozen screen while the UI still pings (the page's JS runs, its rendering doesn't). */
  const checkScreen = async (): Promise<void> => {
    const argv = cfg.browser.screenshotCommand;
    const t = now();
    if (!argv || restarting || t - lastScreenCheck < cfg.browser.screenCheckIntervalMs) return;
    lastScreenCheck = t;
    const v = ctx.ports.get('session')?.view();
    const key = v ? `${v.screen}/${v.busy ?? ''}` : '';
    const verdict = screens.sample(key, parsePpm(await capture(argv)));
    if (verdict) await doRestart(t, watchdog.restartFor(t, verdict === 'blank' ? 'screen blank' : 'screen frozen'));
  };

  const checkClock = (): void => {
    const sample = ctx.ports.get('monitor')?.sender.centralClock();
    if (!sample) return;
    const v = judgeClock(sample.offsetMs, sample.uncertaintyMs, cfg.clock);
    status.clock = { ...v, at: sample.at };
    if (v.level === 'warn' && !clockWarned) {
      clockWarned = true;
      log.warn({ offsetSeconds: v.offsetSeconds }, 'kiosk clock differs from central');
      alert('clock-drift', 'warning', `系统时间与中心相差 ${v.offsetSeconds} 秒 Kiosk clock is ${v.offsetSeconds} s off central`);
    }
    if (v.level === 'ok') clockWarned = false;
    setReason('clock', v.level === 'out-of-service', `clock ${v.offsetSeconds} s off central`);
  };

  const checkDisk = (): void => {
    const t = now();
    if (t - lastDiskCheck < cfg.disk.checkIntervalMs) return;
    lastDiskCheck = t;
    let free = readFree(dataDir);
    if (free < cfg.disk.minFreeBytes && !reasons.has('disk')) {
      const done = pruneForSpace(ctx.db);
      log.warn({ freeBytes: free, pruned: done }, 'disk low: pruned');
      ctx.audit('selfcare', 'disk.pruned', { freeBytes: free, actions: done });
      free = readFree(dataDir);
    }
    status.diskFreeBytes = free;
    setReason(
      'disk',
      free < cfg.disk.minFreeBytes,
      `${Math.round(free / 1048576)} MB free, below ${Math.round(cfg.disk.minFreeBytes / 1048576)} MB`,
    );
  };

  const checkMaintenance = async (): Promise<void> => {
    const at = new Date(now());
    const day = maintenanceDay(at);
    if (lastMaintenanceDay === day || !inWindow(at, cfg.maintenance.windowStart, cfg.maintenance.windowEnd)) return;
    if (citizenPresent()) return; // try again at the next tick inside the window
    lastMaintenanceDay = day;
    const report = runMaintenance(ctx.db, cfg.retention, now());
    status.lastMaintenance = report;
    ctx.audit('selfcare', 'maintenance.run', { ...report });
    if (!report.integrityOk)
      alert(
        'database-integrity',
        'error',
        `数据库完整性检查失败 Database integrity check failed: ${report.integrity.slice(0, 120)}`,
      );
    log.info({ report }, 'nightly maintenance done');
    // A fresh browser every night: leaks and stuck pages don't accumulate.
    watchdog.planned(now());
    await restartBrowser('nightly maintenance');
  };

  const tick = async (): Promise<void> => {
    for (const [name, step] of [
      ['clock', checkClock],
      ['disk', checkDisk],
      ['browser', checkBrowser],
      ['screen', checkScreen],
      ['maintenance', checkMaintenance],
    ] as const) {
      try {
        await step();
      } catch (err) {
        log.error({ err: String(err), check: name }, 'self-care check failed');
      }
    }
    status.browserRestartsLastHour = watchdog.restartsLastHour(now());
    ctx.ports
      .get('monitor')
      ?.setBrowserRestarts({ restartsLastHour: status.browserRestartsLastHour, last: status.lastBrowserRestart });
  };

  apis.set(ctx, { status: () => ({ ...status }) });
  return {
    name: 'selfcare',
    async start() {
      if (!cfg.enabled) return;
      const loop = (): void => {
        timer = setTimeout(() => {
          running = tick().finally(() => {
            running = undefined;
            loop();
          });
        }, options.tickMs ?? 1000);
        timer.unref();
      };
      loop();
    },
    async stop() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      await running;
    },
    health: () => (cfg.enabled ? { selfcare: { ...status } } : {}),
  };
}
