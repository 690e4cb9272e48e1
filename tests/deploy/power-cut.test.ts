import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { projectRoot } from '@kiosk/kiosk-config';
import type { KioskConfig } from '@kiosk/kiosk-config';
import { createIdCardSimulator, type IdCardSimulator } from '../../apps/simulators/src/idcard/index.js';
import { createPrinterSimulator, type PrinterSimulator } from '../../apps/simulators/src/printer/index.js';
import { startTestSandbox, type TestSandbox } from '../sandbox/fixture.js';
import { tempDir, testConfig, writeConfig } from '../helpers/config.js';
import { TestSocket } from '../helpers/ws.js';

/**
 * Power cuts: the production agent (main.ts, default composition) is SIGKILLed — nothing gets to
 * run — while idle, while a heartbeat is in flight, and while a print job is on its way to the
 * printer; then started again on the same data directory, as systemd's Restart=always would.
 * Devices are the simulators over real ptys, upstream the sandbox, central a stand-in that can
 * hold a request and hand out a remote command.
 */
interface Central {
  url: string;
  seqs: number[];
  accepted: number;
  /** Called with each heartbeat before it is answered; return false to leave it hanging. */
  onHeartbeat: (() => boolean) | null;
  /** Commands to hand out with the next answer. */
  pending: { id: string; kind: string; issuedBy: string; issuedAt: string }[];
  acks: { id: string; ok: boolean; detail?: string }[];
  close(): Promise<void>;
}

async function standInCentral(): Promise<Central> {
  const hanging: ServerResponse[] = [];
  const c: Omit<Central, 'url' | 'close'> = { seqs: [], accepted: 0, onHeartbeat: null, pending: [], acks: [] };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      c.seqs.push(Number(req.headers['x-kiosk-seq']));
      const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>) : {};
      res.setHeader('content-type', 'application/json');
      if (req.url?.endsWith('/heartbeats')) {
        if (c.onHeartbeat && !c.onHeartbeat()) {
          hanging.push(res);
          return;
        }
        c.accepted++;
        const commands = c.pending.splice(0);
        res.end(JSON.stringify({ ok: true, serverTime: new Date().toISOString(), state: 'online', eventsAckedSeq: 0, commands }));
      } else if (req.url?.endsWith('/events')) {
        const evs = (body.events ?? []) as { seq: number }[];
        res.end(JSON.stringify({ ok: true, ackedSeq: Math.max(0, ...evs.map((e) => e.seq)) }));
      } else if (req.url?.endsWith('/command-acks')) {
        const acks = (body.acks ?? []) as Central['acks'];
        c.acks.push(...acks);
        res.end(JSON.stringify({ ok: true, acked: acks.map((a) => a.id) }));
      } else {
        res.statusCode = 404;
        res.end('{}');
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return Object.assign(c, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((r) => {
        hanging.forEach((h) => h.destroy());
        server.closeAllConnections();
        server.close(() => r());
      }),
  });
}

async function until(test: () => boolean | Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (
    !(await Promise.resolve()
      .then(test)
      .catch(() => false))
  ) {
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let sandbox: TestSandbox;
let central: Central;
let idcard: IdCardSimulator;
let printer: PrinterSimulator;
let config: KioskConfig;
let configFile: string;
let agent: ChildProcess | undefined;

function startAgentProcess(entry = join(projectRoot, 'apps/agent/src/main.ts')): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, '--config', configFile], { stdio: 'ignore' });
  agent = child;
  return child;
}

async function powerCut(): Promise<void> {
  const a = agent!;
  const gone = once(a, 'exit');
  a.kill('SIGKILL');
  await gone;
}

async function health(): Promise<{ mode: string; devices: Record<string, string> }> {
  return (await (await fetch(`http://127.0.0.1:${config.agent.port}/healthz`, { signal: AbortSignal.timeout(2000) })).json()) as {
    mode: string;
    devices: Record<string, string>;
  };
}

/** In service with its devices online and central hearing from it again: back by itself. */
async function backInService(): Promise<void> {
  const before = central.accepted;
  await until(async () => {
    const h = await health();
    return h.mode === 'in-service' && h.devices.idcard === 'online' && h.devices.printer === 'online';
  }, 'agent in service with devices online');
  await until(() => central.accepted > before, 'a heartbeat accepted by central');
}

function readDb<T>(fn: (db: Database.Database) => T): T {
  const db = new Database(join(config.dataDir, 'agent.db'), { readonly: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

function storeIntact(): void {
  expect(readDb((db) => db.pragma('integrity_check', { simple: true }))).toBe('ok');
}

beforeAll(async () => {
  sandbox = await startTestSandbox();
  central = await standInCentral();
  const dir = tempDir('kiosk-powercut-');
  idcard = createIdCardSimulator({ agentPath: join(dir, 'idcard'), devicePath: join(dir, 'idcard-dev') });
  printer = createPrinterSimulator({ agentPath: join(dir, 'printer'), devicePath: join(dir, 'printer-dev') });
  await idcard.start();
  await printer.start();
  const { freePort } = await import('../helpers/ports.js');
  const port = await freePort();
  config = testConfig((c) => {
    c.agent.port = port;
    c.devices.idcard.transport = { kind: 'serial', path: join(dir, 'idcard'), baudRate: 115200 };
    c.devices.printer.transport = { kind: 'serial', path: join(dir, 'printer'), baudRate: 115200 };
    c.devices.printer.statusPollMs = 300;
    c.devices.printer.writeWindowBytes = 64;
    c.devices.camera.source = { kind: 'simulated' };
    if (c.devices.gascard) c.devices.gascard.enabled = false;
    c.voice.enabled = false;
    c.upstream.baseUrl = sandbox.url;
    c.central.url = central.url;
    c.central.heartbeatIntervalMs = 1000;
  });
  configFile = writeConfig(config);
  startAgentProcess();
  await backInService();
}, 120_000);

afterAll(async () => {
  if (agent && agent.exitCode === null && agent.signalCode === null) {
    const gone = once(agent, 'exit');
    agent.kill('SIGTERM');
    await gone;
  }
  await central?.close();
  await sandbox?.close();
  await idcard?.stop();
  await printer?.stop();
});

describe('power cut (SIGKILL) and restart on the same data directory', () => {
  it('while idle: store intact, back in service by itself, the unclean stop on record', async () => {
    await powerCut();
    storeIntact();
    startAgentProcess();
    await backInService();
    const boots = readDb((db) =>
      db.prepare('SELECT count(*) AS n, sum(clean_shutdown_at IS NULL) AS unclean FROM boots').get(),
    ) as { n: number; unclean: number };
    expect(boots.n).toBe(2);
    expect(boots.unclean).toBe(2); // the killed one, and the one running now
  }, 120_000);

  it('while a heartbeat is in flight: sequence numbers never repeat, so central keeps accepting', async () => {
    let held = false;
    central.onHeartbeat = () => {
      if (held) return true;
      held = true;
      return false; // leave this one hanging: the power goes while it is in flight
    };
    await until(() => held, 'a heartbeat in flight');
    await powerCut();
    central.onHeartbeat = null;
    storeIntact();
    startAgentProcess();
    await backInService();
    // Central refuses any request whose seq is not above the last one it saw.
    for (let i = 1; i < central.seqs.length; i++) expect(central.seqs[i]).toBeGreaterThan(central.seqs[i - 1]!);
  }, 120_000);

  it('while a print job is on its way: nothing printed twice, the job and the command end settled', async () => {
    const receiptsBefore = printer.receipts().length;
    central.pending.push({
      id: 'cmd-test-page-1',
      kind: 'printer-test-page',
      issuedBy: 'ops',
      issuedAt: new Date().toISOString(),
    });
    await until(
      () => readDb((db) => (db.prepare("SELECT count(*) FROM print_jobs WHERE kind = 'test-page'").pluck().get() as number) > 0),
      'the print job journaled',
    );
    await powerCut();
    storeIntact();
    startAgentProcess();
    await backInService();
    // A few more heartbeats: time enough for any (wrong) replay of the job or the command.
    const beats = central.accepted;
    await until(() => central.accepted >= beats + 3, 'three more heartbeats');
    expect(printer.receipts().length - receiptsBefore).toBeLessThanOrEqual(1);
    expect(readDb((db) => db.prepare("SELECT count(*) FROM print_jobs WHERE kind = 'test-page'").pluck().get())).toBe(1);
    const job = readDb((db) => db.prepare("SELECT state FROM print_jobs WHERE kind = 'test-page'").get()) as { state: string };
    expect(['printed', 'unknown', 'failed']).toContain(job.state);
    // The command ran at most once and central heard how it ended.
    await until(() => central.acks.some((a) => a.id === 'cmd-test-page-1'), 'the command acknowledged to central');
    const cmd = readDb((db) => db.prepare("SELECT status FROM monitor_commands WHERE id = 'cmd-test-page-1'").get()) as {
      status: string;
    };
    expect(['succeeded', 'failed']).toContain(cmd.status);
  }, 120_000);

  it('during a citizen’s session while the slip prints: the slip is not printed twice, the kiosk returns to its start screen', async () => {
    // The same data directory, now with a session flow that prints at once.
    await powerCut();
    startAgentProcess(join(projectRoot, 'tests/deploy/session-agent-child.ts'));
    await backInService();
    const token = (): string => readFileSync(join(config.dataDir, 'agent.token'), 'utf8');
    const ui = await TestSocket.open(`http://127.0.0.1:${config.agent.port}`, token());
    let id = 1;
    const cmd = async (name: string, payload: unknown = {}): Promise<Record<string, unknown>> => {
      const m = await ui.command(name, payload, id++);
      expect(m.header.completionCode, `${name}: ${m.header.errorDescription ?? ''}`).toBe('success');
      return m.payload;
    };
    const receiptsBefore = printer.receipts().length;
    const jobsBefore = readDb((db) => db.prepare('SELECT count(*) FROM print_jobs').pluck().get() as number);
    await cmd('Session.Start');
    await cmd('Session.SelectService', { service: 'tax' });
    idcard.placeCard({ profile: 'xianan-resident' });
    await until(async () => (await cmd('Session.GetState')).step === 'confirmed', 'card read and confirmed');
    await cmd('Session.Continue'); // identity → the flow
    await cmd('Session.Continue'); // the flow finishes with a slip to print
    await until(
      () => readDb((db) => (db.prepare('SELECT count(*) FROM print_jobs').pluck().get() as number) > jobsBefore),
      'the slip job journaled',
    );
    await powerCut();
    ui.close();
    idcard.removeCard();
    storeIntact();
    startAgentProcess(join(projectRoot, 'tests/deploy/session-agent-child.ts'));
    await backInService();
    const beats = central.accepted;
    await until(() => central.accepted >= beats + 3, 'three more heartbeats');
    expect(printer.receipts().length - receiptsBefore).toBeLessThanOrEqual(1);
    expect(readDb((db) => db.prepare('SELECT count(*) FROM print_jobs').pluck().get())).toBe(jobsBefore + 1);
    // Nobody is at the kiosk any more: it waits for the next citizen, not in the dead session.
    const ui2 = await TestSocket.open(`http://127.0.0.1:${config.agent.port}`, token());
    const view = (await ui2.command('Session.GetState', {}, 1)).payload as { screen: string };
    ui2.close();
    expect(['attract', 'home']).toContain(view.screen);
  }, 120_000);
});
