/**
 * Issue 20, "PII test": journeys of every service (不动产, 个税, 社保, 燃气) with synthetic people
 * on the PRODUCTION composition (compose.ts) through the agent's WebSocket API with the simulators,
 * reporting to a real central. Afterwards the full names and full ID numbers of those people must
 * not appear in the agent's log, in any file of the kiosk's data dir (SQLite tables and the raw
 * bytes of every file, WAL included), in central's heartbeats and events (and central.db's
 * bytes), or on any printed receipt. Only masked forms and salted hashes may. The sandbox's own
 * database holds the people by design; it lives in its own data dir and is not searched.
 */
import Database from 'better-sqlite3';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvePath } from '../../device-agent/src/config/load.js';
import { settlePayment } from '../../device-agent/src/sandbox/payments-control.js';
import { DEMO_GAS_ACCOUNTS } from '../../device-agent/src/sandbox/synthetic.js';
import type { SessionView } from '../../device-agent/src/session/view-model.js';
import { findProfile } from '../../simulators/idcard/profiles.js';
import type { ReceiptView } from '../../simulators/printer/simulator.js';
import { tempDir } from '../helpers/config.js';
import { startProductionKiosk, type ProductionKiosk } from '../helpers/production-kiosk.js';
import { TestSocket, type Msg } from '../helpers/ws.js';

const citizens = [
  { profile: 'xianan-resident', service: 'property' },
  { profile: 'chibi-resident', service: 'tax' },
  { profile: 'xianan-resident', service: 'social', kind: 'flexible' },
  { profile: 'chibi-resident', service: 'social', kind: 'resident' },
] as const;

let k: ProductionKiosk;
let ws: TestSocket;
let logFile: string;
let nextId = 1;

async function command(name: string, payload: unknown = {}): Promise<Msg> {
  return ws.command(name, payload, nextId++, 30_000);
}
async function ok(name: string, payload: unknown = {}): Promise<void> {
  const m = await command(name, payload);
  if (m.header.completionCode !== 'success') throw new Error(`${name} → ${m.header.completionCode}: ${m.header.errorDescription ?? ''}`);
}

function latest(): SessionView | undefined {
  let best: SessionView | undefined;
  for (const m of ws.messages) {
    const isView = m.header.name === 'Session.StateChangedEvent' || (m.header.type === 'completion' && 'screen' in m.payload);
    if (!isView) continue;
    const v = m.payload as unknown as SessionView;
    if (!best || v.seq >= best.seq) best = v;
  }
  return best;
}

/** Waits on the session's state (never on time); the deadline only turns a hang into a message. */
async function until(what: string, pred: (v: SessionView) => boolean, ms = 60_000): Promise<SessionView> {
  const end = Date.now() + ms;
  for (;;) {
    await ok('Session.GetState');
    const v = latest();
    if (v && pred(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; at ${v?.screen}/${v?.flow?.step ?? v?.step}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const atStep = (step: string) => (v: SessionView) => v.screen === 'service' && v.flow?.step === step;

async function finish(): Promise<void> {
  const v = await until('result', (x) => x.screen === 'result');
  if (v.print) await until('print settled', (x) => x.print?.state !== 'printing');
  await ok('Session.Continue');
  await until('rating', (x) => x.screen === 'rating');
  await ok('Session.Continue');
  await until('goodbye', (x) => x.screen === 'goodbye');
  await k.control('DELETE', '/idcard/card').catch(() => undefined);
  await ok('Session.End');
  await until('attract', (x) => x.screen === 'attract' && x.sessionId === null);
}

async function recordJourney(c: (typeof citizens)[number]): Promise<void> {
  await until('attract', (x) => x.screen === 'attract');
  await ok('Session.Start');
  await ok('Session.SelectService', { service: c.service });
  await until('card wait', (x) => x.screen === 'identity' && x.step === 'waitCard');
  await k.control('POST', '/idcard/card', { profile: c.profile });
  await until('card confirmed', (x) => x.screen === 'identity' && x.step === 'confirmed');
  await ok('Session.Continue');
  if (c.service === 'tax') {
    await until('years', atStep('chooseYears'));
    await ok('Session.Continue');
  }
  if (c.service === 'social') {
    await until('kind', atStep('chooseKind'));
    await ok('Session.FlowEvent', { name: 'kind', data: { kind: c.kind } });
    const v = await until('years', atStep('years'));
    const years = (v.flow?.data as { years?: { year: number }[] }).years ?? [];
    expect(years.length).toBeGreaterThan(0);
    await ok('Session.FlowEvent', { name: 'year', data: { year: years[0]!.year } });
    await until('list', atStep('list'));
    await ok('Session.FlowEvent', { name: 'wholeYear', data: {} });
  } else {
    await until('list', atStep('list'));
    await ok('Session.Continue');
  }
  await until('confirm', atStep('confirm'));
  await ok('Session.Continue');
  await finish();
}

async function gasJourney(): Promise<void> {
  await until('attract', (x) => x.screen === 'attract');
  await ok('Session.Start');
  await ok('Session.SelectService', { service: 'gas' });
  await until('gas start', atStep('start'));
  await ok('Session.FlowEvent', { name: 'lookup', data: { accountNo: DEMO_GAS_ACCOUNTS.iot.accountNo } });
  await until('account', atStep('account'));
  await ok('Session.FlowEvent', { name: 'amount', data: { amountFen: 10_000 } });
  await ok('Session.Continue');
  await until('confirm', atStep('confirm'));
  await ok('Session.FlowEvent', { name: 'pay', data: { amountFen: 10_000 } });
  const paying = await until('paying', (x) => atStep('paying')(x) && typeof (x.flow?.data as { orderNo?: unknown }).orderNo === 'string');
  await settlePayment(k.sandbox.url, (paying.flow!.data as { orderNo: string }).orderNo, 'pay');
  await finish();
}

/** Every file under a directory (recursively). */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out;
}

/** Every row of every table of a SQLite file, as text. */
function dumpSqlite(file: string): string {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
    return tables.map((t) => `${t.name}: ${JSON.stringify(db.prepare(`SELECT * FROM "${t.name}"`).raw().all(), (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('latin1') : v))}`).join('\n');
  } finally {
    db.close();
  }
}

const secrets: { what: string; value: string }[] = [];
/** Names the test could match wrongly inside other text are still full names: no exceptions. */
function findSecrets(text: string): string[] {
  const flat = text.replace(/\s+/g, '');
  return secrets.filter((s) => text.includes(s.value) || flat.includes(s.value)).map((s) => s.what);
}

beforeAll(async () => {
  logFile = join(tempDir('kiosk-pii-log-'), 'agent.log');
  k = await startProductionKiosk({
    central: true,
    logFile,
    logLevel: 'debug',
    config: (c) => {
      // The face check's own privacy is covered in tests/camera; here the record journeys.
      for (const s of ['property', 'tax', 'social'] as const) c.session.services[s].face = 'off';
    },
  });
  ws = await TestSocket.open(k.agent.url, k.agent.token);
  for (const p of new Set(citizens.map((c) => c.profile))) {
    const card = findProfile(p)!.card;
    secrets.push({ what: `${p} name`, value: card.name }, { what: `${p} ID number`, value: card.idNumber });
  }
  const gasHolder = k.sandbox.data.gasAccounts.find((a) => a.accountNo === DEMO_GAS_ACCOUNTS.iot.accountNo)!;
  secrets.push({ what: 'gas holder name', value: gasHolder.holderName });
  await until('devices online', () => ['idcard', 'printer', 'gascard'].every((d) => k.agent.deviceStatuses()[d]?.device === 'online'), 60_000);
}, 120_000);

afterAll(async () => {
  ws?.close();
  await k?.stop();
});

describe('no full names or ID numbers at rest or in transit after every service', () => {
  it('runs a journey of every service, then sweeps logs, data files, central and receipts', async () => {
    for (const c of citizens) await recordJourney(c);
    await gasJourney();

    const receipts = (await k.control('GET', '/printer/receipts')) as ReceiptView[];
    expect(receipts.length).toBeGreaterThanOrEqual(citizens.length + 1);
    // The sweep must be able to see what it looks for: masked forms are on the slips.
    const slips = receipts.map((r) => r.text).join('\n');
    expect(slips.replace(/\s+/g, '')).toContain('孙*试');
    expect(slips.replace(/\s+/g, '')).toContain('4212**********0610');
    for (const r of receipts) expect(findSecrets(`${r.text}\n${JSON.stringify(r.qr)}`), `receipt ${r.text.slice(0, 80)}`).toEqual([]);

    // Central has what the kiosk reported (the outbox drained) before it is searched.
    const centralDb = join(k.central!.dataDir, 'central.db');
    const outboxEmpty = (): boolean => (k.agent.db.prepare('SELECT count(*) AS n FROM monitor_outbox').get() as { n: number }).n === 0;
    await until('outbox drained to central', outboxEmpty, 60_000);
    const central = dumpSqlite(centralDb);
    expect(central).toContain('agent.started');
    expect(central).toMatch(/heartbeats: \[\[/);
    expect(findSecrets(central), 'central.db tables').toEqual([]);
    for (const f of filesUnder(k.central!.dataDir)) expect(findSecrets(readFileSync(f).toString('utf8')), f).toEqual([]);

    await k.stop();
    const log = readFileSync(logFile, 'utf8');
    expect(log.length).toBeGreaterThan(1000);
    expect(findSecrets(log), 'agent log').toEqual([]);

    const dataDir = resolvePath(k.config.dataDir);
    const files = filesUnder(dataDir);
    expect(files.some((f) => f.endsWith('agent.db'))).toBe(true);
    for (const f of files) {
      if (/\.db$/.test(f)) expect(findSecrets(dumpSqlite(f)), `${f} tables`).toEqual([]);
      expect(findSecrets(readFileSync(f).toString('utf8')), `${f} bytes`).toEqual([]);
    }
    // Ensure the sandbox (which must hold the people) is elsewhere.
    expect(k.sandbox.dir.startsWith(dataDir)).toBe(false);
  }, 300_000);
});
