import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { chmodSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import type { KioskConfig } from '@kiosk/kiosk-config';
import { resolvePath, projectRoot } from '@kiosk/kiosk-config';
import type { Logger } from '@kiosk/platform';
import { ensurePrivateDir, openDatabase, type Db } from '@kiosk/platform';
import { agentMigrations } from './store/migrations.js';
import { createHttpApp } from './api/http.js';
import { createWsApi, type WsApi } from './api/ws-server.js';
import { defineCommand, type CommandDefinition } from './api/commands.js';
import type { DeviceDriver, DeviceStatus } from '@kiosk/contracts/device-status';
import { agentVersion } from './version.js';
import { createPortRegistry } from './ports.js';
import type { AgentContext, AgentModule, AgentModuleFactory, KioskMode, ModeController } from './modules.js';

export interface AgentOptions {
  logger: Logger;
  /** Defaults to apps/kiosk-ui/dist in the project. */
  uiDir?: string;
  /** Drivers to run, given the open database (the printer journals jobs in it). */
  devices?: DeviceDriver[] | ((db: Db) => DeviceDriver[]);
  /** Features plugged into the agent, in start order. */
  modules?: AgentModuleFactory[];
}

export interface Agent {
  readonly url: string;
  readonly token: string;
  readonly db: Db;
  readonly ws: WsApi;
  readonly context: AgentContext;
  mode(): KioskMode;
  deviceStatuses(): Record<string, DeviceStatus>;
  stop(): Promise<void>;
}

/**
 * Composes the device agent: store, devices, HTTP + WebSocket API. Resolves once it listens and
 * is ready for the UI; rejects (after undoing what it started) if any part cannot start.
 */
export async function startAgent(config: KioskConfig, opts: AgentOptions): Promise<Agent> {
  const log = opts.logger;
  const started = Date.now();
  const dataDir = resolvePath(config.dataDir);
  ensurePrivateDir(dataDir);
  const db = openDatabase(join(dataDir, 'agent.db'), agentMigrations);
  const bootId = Number(
    db.prepare('INSERT INTO boots (started_at, agent_version) VALUES (?, ?)').run(new Date().toISOString(), agentVersion)
      .lastInsertRowid,
  );
  const uncleanBefore = db.prepare('SELECT count(*) AS n FROM boots WHERE clean_shutdown_at IS NULL AND id < ?').get(bootId) as {
    n: number;
  };
  if (uncleanBefore.n > 0) log.warn({ previousUncleanStops: uncleanBefore.n }, 'previous run did not stop cleanly');

  // A fresh token per boot: a page served before a restart must reload to talk to us again.
  const token = randomBytes(24).toString('base64url');
  const tokenFile = join(dataDir, 'agent.token');
  writeFileSync(tokenFile, token, { mode: 0o600 });
  chmodSync(tokenFile, 0o600);

  const devices = typeof opts.devices === 'function' ? opts.devices(db) : (opts.devices ?? []);
  const deviceStatuses = (): Record<string, DeviceStatus> => Object.fromEntries(devices.map((d) => [d.kind, d.status()]));

  let ws: WsApi | undefined;
  const broadcast = (name: string, payload: unknown): void => ws?.broadcast(name, payload);
  const insertAudit = db.prepare('INSERT INTO audit_log (at, actor, action, detail) VALUES (?, ?, ?, ?)');
  const audit = (actor: string, action: string, detail: Record<string, unknown> = {}): void => {
    insertAudit.run(new Date().toISOString(), actor, action, JSON.stringify(detail));
  };
  const mode = createModeController((m, message) => {
    log.info({ mode: m }, 'kiosk mode changed');
    broadcast('Kiosk.ModeChangedEvent', { mode: m, message: message ?? null });
  });
  let listeningUrl = '';
  const context: AgentContext = {
    config,
    url: () => listeningUrl,
    token: () => token,
    db,
    logger: log,
    devices: new Map(devices.map((d) => [d.kind, d])),
    deviceStatuses,
    mode,
    broadcast,
    audit,
    ports: createPortRegistry(),
  };
  const modules: AgentModule[] = [];
  for (const factory of opts.modules ?? []) modules.push(await factory(context));
  const commands: CommandDefinition[] = [
    defineCommand({
      name: 'Common.Status',
      payload: z.object({}).strict(),
      handle: async () => ({
        completionCode: 'success',
        payload: { mode: mode.get(), modeMessage: mode.message() ?? null, devices: deviceStatuses(), kioskId: config.kiosk.id },
      }),
    }),
    defineCommand({
      name: 'Common.Capabilities',
      payload: z.object({}).strict(),
      handle: async () => ({
        completionCode: 'success',
        payload: {
          agentVersion,
          kioskId: config.kiosk.id,
          site: config.kiosk.site,
          location: config.kiosk.location,
          devices: devices.map((d) => d.kind),
        },
      }),
    }),
    ...modules.flatMap((m) => m.commands ?? []),
  ];

  let ready = false;
  // Bound to loopback or to every interface, the kiosk's own browser reaches it by the loopback names.
  const loopback = ['127.0.0.1', 'localhost', '::1', '[::1]', '0.0.0.0', '::'].includes(config.agent.host);
  const allowedHosts = [
    ...new Set([
      config.agent.host.includes(':') ? `[${config.agent.host}]` : config.agent.host,
      ...(loopback ? ['127.0.0.1', 'localhost', '[::1]'] : []),
      ...config.agent.allowedHosts,
    ]),
  ].map((h) => h.toLowerCase());
  const app = createHttpApp({
    allowedHosts,
    ready: () => ready,
    uiDir: opts.uiDir ?? join(projectRoot, 'apps/kiosk-ui/dist'),
    token,
    logger: log,
    health: () => ({
      kioskId: config.kiosk.id,
      mode: mode.get(),
      uptimeSeconds: Math.round((Date.now() - started) / 1000),
      devices: Object.fromEntries(Object.entries(deviceStatuses()).map(([k, v]) => [k, v.device])),
      ...(Object.assign({}, ...modules.map((m) => m.health?.() ?? {})) as Record<string, unknown>),
    }),
    extend: (a) => modules.forEach((m) => m.routes?.(a)),
  });
  const server: Server = createServer(app);
  const statusListeners = devices.map((d) => {
    const listener = (status: DeviceStatus): void => {
      log.info({ device: d.kind, status }, 'device status changed');
      ws?.broadcast('Common.StatusChangedEvent', { device: d.kind, status });
    };
    d.on('status', listener);
    return () => d.off('status', listener);
  });

  const stopDevices = async (): Promise<void> => {
    statusListeners.forEach((off) => off());
    await Promise.allSettled(devices.map((d) => d.stop()));
  };

  try {
    // Devices start in the background: a missing device is a status, not a start-up failure.
    for (const d of devices)
      d.start().catch((err: unknown) => log.warn({ device: d.kind, err: String(err) }, 'device start failed'));
    server.listen(config.agent.port, config.agent.host);
    await once(server, 'listening');
  } catch (err) {
    await stopDevices();
    server.close();
    db.close();
    throw err;
  }
  const address = server.address() as AddressInfo;
  const origin = `http://${config.agent.host}:${address.port}`;
  listeningUrl = origin;
  const allowedOrigins = [origin];
  if (config.agent.host === '127.0.0.1') allowedOrigins.push(`http://localhost:${address.port}`);
  ws = createWsApi({ server, token, allowedOrigins, allowedHosts, commands, logger: log });
  try {
    for (const m of modules) await m.start?.();
  } catch (err) {
    for (const m of [...modules].reverse()) await m.stop?.().catch(() => {});
    await ws.close();
    server.close();
    await stopDevices();
    db.close();
    throw err;
  }
  ready = true;
  log.info({ url: origin, startupMs: Date.now() - started, devices: devices.map((d) => d.kind) }, 'agent ready');

  let stopping: Promise<void> | undefined;
  const wsApi = ws;
  return {
    url: origin,
    token,
    db,
    ws: wsApi,
    context,
    mode: () => mode.get(),
    deviceStatuses,
    stop() {
      stopping ??= (async () => {
        for (const m of [...modules].reverse()) {
          await m.stop?.().catch((err: unknown) => log.error({ err, module: m.name }, 'module stop failed'));
        }
        await wsApi.close();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await stopDevices();
        db.prepare('UPDATE boots SET clean_shutdown_at = ? WHERE id = ?').run(new Date().toISOString(), bootId);
        db.close();
        rmSync(tokenFile, { force: true });
        log.info('agent stopped');
      })();
      return stopping;
    },
  };
}

function createModeController(onChange: (mode: KioskMode, message: string | undefined) => void): ModeController {
  let current: KioskMode = 'in-service';
  let text: string | undefined;
  const listeners = new Set<(mode: KioskMode, message: string | undefined) => void>([onChange]);
  return {
    get: () => current,
    message: () => text,
    set(mode, message) {
      if (mode === current && message === text) return;
      current = mode;
      text = message;
      listeners.forEach((fn) => fn(mode, message));
    },
    onChange(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
}
