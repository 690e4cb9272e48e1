import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { PrintResult } from '../../apps/agent/src/devices/printer/driver.js';
import type { DeviceStatus } from '@kiosk/contracts/device-status';
import { GasEngine, type GasAlert, type GasSettings, type SlipPrinter } from '../../apps/agent/src/gas/engine.js';
import { GasError } from '../../apps/agent/src/gas/errors.js';
import { GasJournal, type CommitPoint, type GasOrder } from '../../apps/agent/src/gas/journal.js';
import { silentLogger } from '@kiosk/platform';
import type { ReceiptDocument } from '../../apps/agent/src/receipts/document.js';
import { settlePayment } from '../../apps/simulators/src/payments-control.js';
import { createServices, type Services } from '../../apps/agent/src/services/index.js';
import { openDatabase, type Db } from '@kiosk/platform';
import { agentMigrations } from '../../apps/agent/src/store/migrations.js';
import { tempDir, testConfig } from '../helpers/config.js';
import { rejectedWith } from '../helpers/rejection.js';
import type { TestSandbox } from '../sandbox/fixture.js';
import { FakeGasCardReader } from './fake-card.js';

export const KIOSK = 'TEST-GAS-01';

/** Prints into an array; `fail` makes the next prints fail. */
export class FakePrinter extends EventEmitter implements SlipPrinter {
  readonly kind = 'printer';
  readonly printed: ReceiptDocument[] = [];
  fail = false;
  private job = 0;
  status(): DeviceStatus {
    return { device: 'online', paper: 'full' };
  }
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  async print(doc: ReceiptDocument): Promise<PrintResult> {
    this.job += 1;
    if (this.fail) return { jobId: this.job, outcome: 'failed', reason: 'paperOut', warnings: [] };
    this.printed.push(doc);
    return { jobId: this.job, outcome: 'printed', warnings: [] };
  }
}

export function testSettings(over: Partial<GasSettings> = {}): GasSettings {
  return {
    ...testConfig().gas,
    paymentCountdownSeconds: 20,
    paymentPollMs: 40,
    closeGraceMs: 2000,
    recoveryIntervalMs: 3_600_000,
    ...over,
  };
}

export interface EngineRig {
  engine: GasEngine;
  journal: GasJournal;
  db: Db;
  dir: string;
  services: Services;
  card: FakeGasCardReader;
  printer: FakePrinter;
  alerts: GasAlert[];
  commits: CommitPoint[];
  /** A second engine on the same database file: "the agent after a restart". */
  restart(over?: Partial<GasSettings>): Promise<EngineRig>;
  close(): Promise<void>;
}

export async function startEngine(
  t: TestSandbox,
  opts: {
    settings?: Partial<GasSettings>;
    dir?: string;
    card?: FakeGasCardReader;
    printer?: FakePrinter;
    start?: boolean;
    kioskId?: string;
  } = {},
): Promise<EngineRig> {
  const dir = opts.dir ?? tempDir('kiosk-gas-');
  const db = openDatabase(join(dir, 'agent.db'), agentMigrations);
  const services = createServices({
    baseUrl: t.url,
    timeoutMs: 800,
    kioskId: opts.kioskId ?? KIOSK,
    retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 },
    // Tests inject many failures in a row; the breaker must not turn them into CIRCUIT_OPEN.
    breaker: { failureThreshold: 1000 },
  });
  const commits: CommitPoint[] = [];
  const journal = new GasJournal(db, { onCommit: (p) => commits.push(p) });
  const card = opts.card ?? new FakeGasCardReader();
  const printer = opts.printer ?? new FakePrinter();
  const settings = testSettings(opts.settings);
  const engine = new GasEngine({
    journal,
    gas: services.gas,
    payment: services.payment,
    settings,
    kioskId: opts.kioskId ?? KIOSK,
    cardReader: () => card,
    printer: () => printer,
    logger: silentLogger(),
    hotline: '12345',
  });
  const alerts: GasAlert[] = [];
  engine.on('alert', (a) => alerts.push(a));
  if (opts.start !== false) await engine.start();
  const rig: EngineRig = {
    engine,
    journal,
    db,
    dir,
    services,
    card,
    printer,
    alerts,
    commits,
    async restart(over = {}) {
      await engine.stop();
      db.close();
      return startEngine(t, { ...opts, settings: { ...opts.settings, ...over }, dir, card, printer });
    },
    async close() {
      await engine.stop();
      if (db.open) db.close();
    },
  };
  return rig;
}

export const pay = (t: TestSandbox, orderNo: string) => settlePayment(t.url, orderNo, 'pay');

export async function fault(t: TestSandbox, spec: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${t.url}/admin/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(spec),
  });
  if (res.status !== 201) throw new Error(`fault not accepted: ${res.status} ${await res.text()}`);
}

export async function clearFaults(t: TestSandbox): Promise<void> {
  await fetch(`${t.url}/admin/faults`, { method: 'DELETE' });
  await fetch(`${t.url}/admin/money-faults`, { method: 'DELETE' });
}

export function states(rig: EngineRig, orderNo: string): string[] {
  return rig.journal.history(orderNo).map((h) => (h.step ? `step:${h.step}` : h.toState));
}

export async function ledgerFor(
  t: TestSandbox,
  serialNo: string,
): Promise<{ kind: string; status: string; amountFen: number }[]> {
  const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
  const res = await fetch(`${t.url}/gas/v1/ledger?date=${today}`, {
    headers: { 'x-kiosk-id': KIOSK, 'x-request-id': 'ledger-check' },
  });
  const body = (await res.json()) as { entries: { serialNo: string; kind: string; status: string; amountFen: number }[] };
  return body.entries.filter((e) => e.serialNo === serialNo);
}

export function order(rig: EngineRig, orderNo: string): GasOrder {
  return rig.journal.require(orderNo);
}

/** Arms a named money fault (`POST /admin/money-faults`, see docs/gas.md). */
export async function moneyFault(t: TestSandbox, spec: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${t.url}/admin/money-faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(spec),
  });
  if (res.status !== 201) throw new Error(`money fault not accepted: ${res.status} ${await res.text()}`);
}

/** Upstream calls held back by a delay (a late credit) that have not happened yet. */
export async function heldCalls(t: TestSandbox): Promise<number> {
  const res = await fetch(`${t.url}/admin/money-faults`);
  return ((await res.json()) as { heldCalls: number }).heldCalls;
}

/** Resolves once every late credit the sandbox held back has landed (or been refused). */
export async function lateCreditsLanded(t: TestSandbox): Promise<void> {
  while ((await heldCalls(t)) > 0) await new Promise((r) => setTimeout(r, 25));
}

export interface EnginesPerTest {
  /** The engines this test started, closed after it (a test may push its own). */
  readonly rigs: EngineRig[];
  /** Starts an engine on the file's sandbox (with the shared card reader, if there is one). */
  rig(opts?: Parameters<typeof startEngine>[1]): Promise<EngineRig>;
  /** "The agent after a restart": the new engine takes the old one's place in `rigs`. */
  restart(r: EngineRig): Promise<EngineRig>;
}

/**
 * Engines started per test on one sandbox; after each test the late credits land (if asked),
 * the sandbox's faults are cleared, the engines are closed and the shared reader is emptied, so
 * the next test starts from a quiet upstream and an empty card slot.
 */
export function enginesPerTest(
  t: TestSandbox,
  opts: { reader?: FakeGasCardReader; waitForLateCredits?: boolean } = {},
): EnginesPerTest {
  const { reader } = opts;
  const rigs: EngineRig[] = [];
  afterEach(async () => {
    if (opts.waitForLateCredits) await lateCreditsLanded(t);
    await clearFaults(t);
    for (const r of rigs.splice(0)) await r.close();
    if (reader) {
      if (reader.cardPresent()) reader.remove();
      reader.removeMidWrite = null;
    }
  });
  return {
    rigs,
    async rig(o = {}) {
      const r = await startEngine(t, reader ? { card: reader, ...o } : o);
      rigs.push(r);
      return r;
    },
    async restart(r) {
      const i = rigs.indexOf(r);
      const next = await r.restart();
      rigs.splice(i, 1, next);
      return next;
    },
  };
}

/** The GasError `p` rejects with; fails the test if it resolves or rejects with anything else. */
export const rejection = (p: Promise<unknown>): Promise<GasError> => rejectedWith(GasError, p);
