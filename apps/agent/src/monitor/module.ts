import { configHash } from '@kiosk/platform';
import { z } from 'zod';
import { defineCommand } from '../api/commands.js';
import { configPathFrom, loadConfig, resolvePath } from '@kiosk/kiosk-config';
import type { AgentContext, AgentModule, AgentModuleFactory } from '../modules.js';
import { testPage } from '../receipts/test-page.js';
import { PrinterDriver } from '../devices/printer/driver.js';
import { agentVersion } from '../version.js';
import type { DeviceStatus } from '@kiosk/contracts/device-status';
import type { MonitorApi } from './api.js';
import { HeartbeatSender } from './heartbeat.js';
import type { HealthCounters, HealthSnapshot, RemoteCommandHandler, ServiceHealth } from '@kiosk/contracts/health';
import { createAgentMetrics } from './metrics.js';
import { renderScreenshot } from './screenshot.js';

/** The UI pings every 15 s; three missed pings mean the kiosk screen is dead. */
const uiDeadAfterMs = 45_000;

export interface MonitorModuleOptions {
  /** Gas orders waiting for credit / needing an operator (from the gas module once it runs). */
  gasCounts?: (ctx: AgentContext) => { creditPending: number; needsAttention: number };
  /** Overrides the headless-Chromium screenshot (tests). */
  screenshot?: () => Promise<Uint8Array>;
}

export type { MonitorApi };

/** The monitor of a running agent (tests and tools); features use ctx.ports.get('monitor'). */
export function getMonitorApi(ctx: AgentContext): MonitorApi | undefined {
  return ctx.ports.get('monitor');
}

/**
 * Counters since this agent process started, from the audit log and the print journal, so they
 * need no bookkeeping of their own and survive nothing (central handles restarts by boot id).
 */
function countersSince(ctx: AgentContext, sinceIso: string): HealthCounters {
  const count = (sql: string): number => (ctx.db.prepare(sql).pluck().get(sinceIso) as number | undefined) ?? 0;
  const hasJobs = ctx.db.prepare("SELECT 1 FROM sqlite_master WHERE type='table' AND name='print_jobs'").get();
  return {
    sessionsStarted: count("SELECT count(*) FROM audit_log WHERE action = 'session.start' AND at >= ?"),
    sessionsCompleted: count(
      "SELECT count(*) FROM audit_log WHERE action = 'session.end' AND json_extract(detail, '$.reason') = 'finished' AND at >= ?",
    ),
    transactions: hasJobs
      ? count("SELECT count(*) FROM print_jobs WHERE state = 'printed' AND kind <> 'test-page' AND created_at >= ?")
      : 0,
    transactionsFailed: hasJobs
      ? count("SELECT count(*) FROM print_jobs WHERE state IN ('failed', 'unknown') AND kind <> 'test-page' AND created_at >= ?")
      : 0,
    ...(hasJobs ? { byService: printedByService(ctx.db, sinceIso) } : {}),
  };
}

/** Printed slips by service: a slip kind starts with its service id (`social-resident`, `gas-topup`). */
export function printedByService(db: AgentContext['db'], sinceIso: string): Record<string, number> {
  const rows = db
    .prepare(
      "SELECT kind, count(*) AS n FROM print_jobs WHERE state = 'printed' AND kind <> 'test-page' AND created_at >= ? GROUP BY kind",
    )
    .all(sinceIso) as { kind: string; n: number }[];
  const out: Record<string, number> = {};
  for (const r of rows) {
    const service = r.kind.split('-')[0]!.toLowerCase();
    if (/^[a-z][a-z0-9-]{0,31}$/.test(service)) out[service] = (out[service] ?? 0) + r.n;
  }
  return out;
}

export function createMonitorModuleWith(options: MonitorModuleOptions = {}): AgentModuleFactory {
  return (ctx) => buildMonitorModule(ctx, options);
}

export const createMonitorModule: AgentModuleFactory = createMonitorModuleWith();

function buildMonitorModule(ctx: AgentContext, options: MonitorModuleOptions): AgentModule {
  const { config } = ctx;
  const log = ctx.logger.child({ module: 'monitor' });
  const startedAt = new Date().toISOString();
  // The effective config this agent runs with (the same hash the maintenance panel shows).
  const hash = configHash(config);
  let lastPing: number | null = null;
  let browserRestarts: { restartsLastHour: number; last: { at: string; reason: string } | null } | null = null;

  const gasCounts = (): { creditPending: number; needsAttention: number } => {
    if (options.gasCounts) return options.gasCounts(ctx);
    const c = ctx.ports.get('gas')?.counts();
    return { creditPending: c?.creditPending ?? 0, needsAttention: c?.needsAttention ?? 0 };
  };

  /** The citizen services the session offers and the paused ones (what the home screen greys out). */
  const serviceHealth = (): ServiceHealth | undefined => {
    const all = ctx.ports.get('session')?.view().availability.services;
    if (!all) return undefined;
    const entries = Object.entries(all);
    return {
      total: entries.length,
      paused: entries.filter(([, a]) => !a.available).map(([id, a]) => ({ id, reasons: [...a.reasons] })),
    };
  };

  const snapshot = (): HealthSnapshot => {
    const devices = ctx.deviceStatuses();
    const services = serviceHealth();
    const message = ctx.mode.message();
    return {
      mode: ctx.mode.get(),
      ...(message ? { modeMessage: message } : {}),
      devices,
      paper: devices.printer?.paper ?? 'unknown',
      counters: countersSince(ctx, startedAt),
      gas: gasCounts(),
      ui: {
        alive: lastPing !== null && Date.now() - lastPing < uiDeadAfterMs,
        lastPingAt: lastPing === null ? null : new Date(lastPing).toISOString(),
        ...(browserRestarts
          ? { browserRestartsLastHour: browserRestarts.restartsLastHour, lastBrowserRestart: browserRestarts.last }
          : {}),
      },
      // One build: the UI is served by this agent, so it carries the same version.
      versions: { agent: agentVersion, ui: agentVersion },
      configHash: hash,
      ...(services ? { services } : {}),
    };
  };

  const printer = (): PrinterDriver | undefined => {
    const d = ctx.devices.get('printer');
    return d instanceof PrinterDriver ? d : undefined;
  };

  const commands: RemoteCommandHandler = {
    // Never in a money step: payment, crediting, card write or a slip printing.
    canRunNow: () => !(ctx.ports.get('session')?.view().busy ?? null) && !(ctx.ports.get('gas')?.isMoneyStepInFlight() ?? false),
    async setOutOfService(message) {
      ctx.mode.set('out-of-service', message);
      return { ok: true, detail: 'out of service' };
    },
    async setInService() {
      ctx.mode.set('in-service');
      return { ok: true, detail: 'in service' };
    },
    async restartUi() {
      ctx.broadcast('Kiosk.RestartUiEvent', {});
      return { ok: true, detail: 'reload sent to the kiosk screen' };
    },
    screenshot: options.screenshot ?? (() => renderScreenshot(ctx.url())),
    async printerTestPage() {
      const p = printer();
      if (!p) return { ok: false, detail: 'no printer configured' };
      const r = await p.print(testPage(p.profile));
      return {
        ok: r.outcome === 'printed',
        detail: r.outcome === 'printed' ? 'test page printed' : `test page ${r.outcome}: ${r.reason ?? ''}`.trim(),
      };
    },
    async reloadConfig() {
      // Validate the file on disk now; devices and ports are applied at the next agent start,
      // so a bad edit can never take a running kiosk down.
      let next: string;
      try {
        next = configHash(loadConfig(configPathFrom(process.argv.slice(2), process.env)));
      } catch (err) {
        return { ok: false, detail: err instanceof Error ? err.message : String(err) };
      }
      return { ok: true, detail: next === hash ? 'config unchanged' : `config ${next} valid; applies at the next agent restart` };
    },
  };

  const sender = new HeartbeatSender({
    centralUrl: config.central.url,
    ...(config.central.failoverUrls ? { failoverUrls: config.central.failoverUrls } : {}),
    kioskId: config.kiosk.id,
    secret: config.central.secret,
    intervalMs: config.central.heartbeatIntervalMs,
    commandWaitMs: config.central.commandWaitMs,
    db: ctx.db,
    logger: log,
    health: { snapshot },
    commands,
    dataDir: resolvePath(config.dataDir),
  });
  ctx.ports.provide('monitor', { sender, lastPingAt: () => lastPing, setBrowserRestarts: (info) => (browserRestarts = info) });
  const metrics = createAgentMetrics({
    kioskId: config.kiosk.id,
    site: config.kiosk.site,
    health: { snapshot },
    dataDir: resolvePath(config.dataDir),
    sender,
  });

  // What operations read under "Recent events": the agent's start, device status changes and
  // mode changes, through the durable outbox (flat facts, never personal data).
  const unsubscribers: (() => void)[] = [];
  const enqueue = (type: string, payload: Record<string, unknown>): void => {
    try {
      sender.enqueueEvent(type, payload);
    } catch (err) {
      log.error({ err, type }, 'monitoring event not queued');
    }
  };
  const reportChanges = (): void => {
    enqueue('agent.started', { bootId: sender.bootId, version: agentVersion, mode: ctx.mode.get() });
    for (const d of ctx.devices.values()) {
      const key = (st: DeviceStatus): string => `${st.device}|${st.paper ?? ''}`;
      let last = key(d.status());
      const onStatus = (st: DeviceStatus): void => {
        const k = key(st);
        if (k === last) return;
        last = k;
        enqueue('device.status', {
          device: d.kind,
          state: st.device,
          ...(st.paper ? { paper: st.paper } : {}),
          ...(st.action ? { action: st.action } : {}),
          ...(st.detail ? { detail: st.detail.slice(0, 200) } : {}),
        });
      };
      d.on('status', onStatus);
      unsubscribers.push(() => d.off('status', onStatus));
    }
    unsubscribers.push(
      ctx.mode.onChange((mode, message) =>
        enqueue('kiosk.mode', { mode, ...(message ? { message: message.slice(0, 200) } : {}) }),
      ),
    );
  };

  return {
    name: 'monitor',
    commands: [
      defineCommand({
        name: 'Kiosk.Ping',
        payload: z.object({}).strict(),
        handle: async () => {
          lastPing = Date.now();
          return { completionCode: 'success', payload: {} };
        },
      }),
    ],
    routes(app) {
      app.get('/metrics', metrics.handler);
    },
    async start() {
      sender.start();
      reportChanges();
    },
    async stop() {
      for (const off of unsubscribers.splice(0)) off();
      await sender.stop();
    },
    health: () => ({
      central: sender.lastResult(),
      ui: { lastPingAt: lastPing === null ? null : new Date(lastPing).toISOString() },
    }),
  };
}
