import { afterEach, beforeEach } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Socket, type Server } from 'node:net';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import type { DeviceStatus, PaperState } from '@kiosk/contracts/device-status';
import type {
  HealthCounters,
  HealthSnapshot,
  HealthSource,
  KioskMode,
  RemoteCommandHandler,
  RemoteCommandResult,
} from '@kiosk/contracts/health';
import { HeartbeatSender, type HeartbeatSenderOptions } from '../../apps/agent/src/monitor/heartbeat.js';
import { signedHeaders, type Endpoint, type Heartbeat } from '@kiosk/contracts/heartbeat';
import { openDatabase, type Db } from '@kiosk/platform';
import { agentMigrations } from '../../apps/agent/src/store/migrations.js';
import { parseCentralConfig, type CentralConfig, type CentralConfigInput } from '../../apps/central/src/config.js';
import { hashPassword } from '../../apps/central/src/password.js';
import { startCentral, type CentralServer } from '../../apps/central/src/server.js';

export const silent = pino({ level: 'silent' });

export const kioskA = { id: 'XN-TEST-01', secret: 'test-secret-aaaaaaaaaaaaaaaa', site: '咸宁市政务服务中心', name: '1号机' };
export const kioskB = { id: 'XN-TEST-02', secret: 'test-secret-bbbbbbbbbbbbbbbb', site: '嘉鱼县政务服务中心', name: '2号机' };

export const users = {
  operator: { username: 'ops', password: 'ops-password-1' },
  viewer: { username: 'viewer', password: 'viewer-password-1' },
};

// Cheap scrypt parameters: tests check the flow, not the work factor.
const cheap = { N: 1024, r: 8, p: 1 };

export async function testConfig(over: Partial<CentralConfigInput> = {}): Promise<CentralConfig> {
  return parseCentralConfig({
    listen: { host: '127.0.0.1', port: 0 },
    heartbeat: { offlineAfterMissed: 3, defaultIntervalMs: 1000, maxSkewSeconds: 300, sweepIntervalMs: 50 },
    kiosks: [kioskA, kioskB],
    dashboard: {
      users: [
        { username: users.operator.username, role: 'operator', passwordHash: await hashPassword(users.operator.password, cheap) },
        { username: users.viewer.username, role: 'viewer', passwordHash: await hashPassword(users.viewer.password, cheap) },
      ],
    },
    ...over,
  });
}

export function tempDir(prefix = 'central-'): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * One central replica on a shared PostgreSQL database, with its own data dir (pushed on `dirs` for
 * the file's clean-up). Replicas started together take turns at migrations and enrollment.
 */
export function startPgReplica(
  o: { config: CentralConfig; databaseUrl: string; masterKey: string; prefix: string; logger?: Logger },
  dirs: { remove(): void }[],
): Promise<CentralServer> {
  const t = tempDir(o.prefix);
  dirs.push(t);
  return startCentral({
    host: '127.0.0.1',
    port: 0,
    dataDir: t.dir,
    config: o.config,
    logger: o.logger ?? silent,
    databaseUrl: o.databaseUrl,
    env: { CENTRAL_MASTER_KEY: o.masterKey },
  });
}

export interface TestCentral {
  url: string;
  dataDir: string;
  config: CentralConfig;
  close(): Promise<void>;
  /** Stops central, stays down `downMs`, starts it again on the same data directory; returns the new URL. */
  restart(downMs?: number): Promise<string>;
}

export async function startTestCentral(over: Partial<CentralConfigInput> = {}, uiDir?: string): Promise<TestCentral> {
  const config = await testConfig(over);
  const tmp = tempDir();
  let server = await startCentral({
    host: '127.0.0.1',
    port: 0,
    dataDir: tmp.dir,
    config,
    logger: silent,
    historyFlushMs: 100,
    ...(uiDir ? { uiDir } : {}),
  });
  const t: TestCentral = {
    url: server.url,
    dataDir: tmp.dir,
    config,
    async close() {
      await server.close();
      tmp.remove();
    },
    async restart(downMs = 0) {
      await server.close();
      if (downMs) await new Promise((r) => setTimeout(r, downMs));
      server = await startCentral({ host: '127.0.0.1', port: 0, dataDir: tmp.dir, config, logger: silent, historyFlushMs: 100 });
      t.url = server.url;
      return server.url;
    },
  };
  return t;
}

const onlineDevice: DeviceStatus = { device: 'online' };

/** A HealthSource whose answers the test sets directly. */
export class FakeHealth implements HealthSource {
  mode: KioskMode = 'in-service';
  modeMessage: string | undefined;
  devices: Record<string, DeviceStatus> = {
    idcard: { ...onlineDevice },
    printer: { device: 'online', paper: 'full' },
    camera: { ...onlineDevice },
  };
  paper: PaperState = 'full';
  counters: HealthCounters = { sessionsStarted: 0, sessionsCompleted: 0, transactions: 0, transactionsFailed: 0 };
  gas = { creditPending: 0, needsAttention: 0 };
  uiAlive = true;
  calls = 0;

  snapshot(): HealthSnapshot {
    this.calls++;
    return {
      mode: this.mode,
      ...(this.modeMessage ? { modeMessage: this.modeMessage } : {}),
      devices: structuredClone(this.devices),
      paper: this.paper,
      counters: { ...this.counters },
      gas: { ...this.gas },
      ui: { alive: this.uiAlive, lastPingAt: this.uiAlive ? new Date().toISOString() : null },
      versions: { agent: '0.1.0', ui: '0.1.0' },
      configHash: 'cafebabe0123456789',
    };
  }
}

/** A minimal 1×1 PNG. */
export const tinyPng = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

/** A command handler that records what it was asked and can pretend a money step is running. */
export class FakeCommands implements RemoteCommandHandler {
  moneyStep = false;
  readonly calls: { kind: string; message?: string }[] = [];
  constructor(private readonly health?: FakeHealth) {}
  canRunNow(): boolean {
    return !this.moneyStep;
  }
  private done(kind: string, message?: string): Promise<RemoteCommandResult> {
    this.calls.push({ kind, ...(message !== undefined ? { message } : {}) });
    return Promise.resolve({ ok: true, detail: `${kind} done` });
  }
  setOutOfService(message: string): Promise<RemoteCommandResult> {
    if (this.health) {
      this.health.mode = 'out-of-service';
      this.health.modeMessage = message;
    }
    return this.done('set-out-of-service', message);
  }
  setInService(message?: string): Promise<RemoteCommandResult> {
    if (this.health) {
      this.health.mode = 'in-service';
      this.health.modeMessage = undefined;
    }
    return this.done('set-in-service', message);
  }
  restartUi(): Promise<RemoteCommandResult> {
    return this.done('restart-ui');
  }
  async screenshot(): Promise<Uint8Array> {
    this.calls.push({ kind: 'screenshot' });
    return tinyPng;
  }
  printerTestPage(): Promise<RemoteCommandResult> {
    return this.done('printer-test-page');
  }
  reloadConfig(): Promise<RemoteCommandResult> {
    return this.done('reload-config');
  }
}

export function openAgentDb(dir: string): Db {
  return openDatabase(join(dir, 'agent.db'), agentMigrations);
}

export interface CentralAndAgentDb {
  central: TestCentral;
  /** One agent's database (its outbox and heartbeat state). */
  db: Db;
  /** Heartbeat senders a test starts: push them here and they are stopped after the test. */
  senders: HeartbeatSender[];
}

/**
 * For every test of the enclosing describe: a fresh test central and one agent's database before
 * it, given to `use`; after it, the senders stopped, the database closed and removed, central closed.
 */
export function centralAndAgentDbPerTest(use: (e: CentralAndAgentDb) => void): void {
  let e: CentralAndAgentDb | undefined;
  let agentDir: { dir: string; remove(): void } | undefined;
  beforeEach(async () => {
    const central = await startTestCentral();
    agentDir = tempDir('agent-');
    e = { central, db: openAgentDb(agentDir.dir), senders: [] };
    use(e);
  });
  afterEach(async () => {
    if (!e) return;
    await Promise.all(e.senders.map((s) => s.stop()));
    e.db.close();
    agentDir?.remove();
    await e.central.close();
  });
}

export function makeSender(
  opts: Partial<HeartbeatSenderOptions> & Pick<HeartbeatSenderOptions, 'centralUrl' | 'db' | 'health' | 'commands'>,
  kiosk = kioskA,
): HeartbeatSender {
  return new HeartbeatSender({
    kioskId: kiosk.id,
    secret: kiosk.secret,
    intervalMs: 100,
    logger: silent,
    commandRetryMs: 20,
    requestTimeoutMs: 2000,
    ...opts,
  });
}

/** Polls until `check` returns a truthy value; fails with `what` after the deadline (a generous one: machines are shared). */
export async function waitFor<T>(
  what: string,
  check: () => T | Promise<T>,
  timeoutMs = 15_000,
  everyMs = 25,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export async function login(url: string, user: { username: string; password: string }): Promise<string> {
  const res = await fetch(`${url}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(user),
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status}`);
  const cookie = res.headers.get('set-cookie');
  if (!cookie) throw new Error('no session cookie');
  return cookie.split(';')[0]!;
}

export async function getJson<T = Record<string, unknown>>(url: string, cookie?: string): Promise<{ status: number; body: T }> {
  const res = await fetch(url, { headers: cookie ? { cookie } : {} });
  return { status: res.status, body: (await res.json()) as T };
}

export async function postJson<T = Record<string, unknown>>(
  url: string,
  body: unknown,
  cookie?: string,
): Promise<{ status: number; body: T }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

/** Sends one signed request by hand (for the security tests). */
export async function signedPost(
  url: string,
  endpoint: Endpoint,
  body: string,
  f: { kioskId: string; secret: string; timestamp?: number; seq: number },
): Promise<{ status: number; body: Record<string, unknown> }> {
  const h = signedHeaders(f.secret, { endpoint, kioskId: f.kioskId, timestamp: f.timestamp ?? Date.now(), seq: f.seq }, body);
  const res = await fetch(`${url}/api/v1/${endpoint}`, {
    method: 'POST',
    headers: { ...h, 'content-type': 'application/json' },
    body,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/**
 * A TCP proxy between the agent and central, to make central unreachable without losing its port.
 * `down`: refuse new connections and cut open ones. `dropEventAnswers = n`: the next n event
 * batches reach central but its answers are thrown away (the kiosk times out and must send again).
 * `retarget` follows a restarted central.
 */
export class OutageProxy {
  private server: Server;
  private readonly sockets = new Set<Socket>();
  mode: 'up' | 'down' = 'up';
  dropEventAnswers = 0;
  droppedEventAnswers = 0;
  url = '';

  constructor(private target: { host: string; port: number }) {
    this.server = createServer((client) => {
      if (this.mode === 'down') {
        client.destroy();
        return;
      }
      const upstream = new Socket();
      upstream.connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      let dropping = false;
      client.on('data', (chunk: Buffer) => {
        if (!dropping && this.dropEventAnswers > 0 && chunk.includes('POST /api/v1/events')) {
          this.dropEventAnswers--;
          this.droppedEventAnswers++;
          dropping = true;
        }
        upstream.write(chunk);
      });
      upstream.on('data', (chunk: Buffer) => {
        if (!dropping) client.write(chunk);
      });
      client.on('end', () => upstream.end());
      upstream.on('end', () => client.end());
    });
  }

  static async start(targetUrl: string): Promise<OutageProxy> {
    const u = new URL(targetUrl);
    const p = new OutageProxy({ host: u.hostname, port: Number(u.port) });
    p.server.listen(0, '127.0.0.1');
    await once(p.server, 'listening');
    const addr = p.server.address();
    if (!addr || typeof addr === 'string') throw new Error('proxy has no port');
    p.url = `http://127.0.0.1:${addr.port}`;
    return p;
  }

  retarget(targetUrl: string): void {
    const u = new URL(targetUrl);
    this.target = { host: u.hostname, port: Number(u.port) };
  }

  /** Changes mode and cuts open connections, so kept-alive sockets follow the new mode too. */
  setMode(mode: 'up' | 'down'): void {
    this.mode = mode;
    for (const s of this.sockets) s.destroy();
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A complete, valid heartbeat body for hand-made requests. */
export function validHeartbeat(kioskId: string, over: Partial<Heartbeat> = {}): Heartbeat {
  return {
    v: 1,
    kioskId,
    bootId: 'boot-0000-test',
    sentAt: new Date().toISOString(),
    intervalMs: 30_000,
    mode: 'in-service',
    devices: { idcard: { device: 'online' }, printer: { device: 'online', paper: 'full' } },
    paper: 'full',
    counters: { sessionsStarted: 0, sessionsCompleted: 0, transactions: 0, transactionsFailed: 0 },
    sinceLastBeat: { sessionsStarted: 0, sessionsCompleted: 0, transactions: 0, transactionsFailed: 0 },
    gas: { creditPending: 0, needsAttention: 0 },
    ui: { alive: true, lastPingAt: null },
    versions: { agent: '0.1.0', ui: null },
    configHash: 'abc',
    outbox: { depth: 0, oldestAt: null },
    system: {
      uptimeSeconds: 10,
      hostUptimeSeconds: 100,
      diskFreeBytes: 10_000_000_000,
      diskTotalBytes: 20_000_000_000,
      memoryRssBytes: 1_000_000,
      memoryFreeBytes: 1_000_000_000,
      memoryTotalBytes: 4_000_000_000,
    },
    pendingCommands: [],
    ...over,
  };
}
