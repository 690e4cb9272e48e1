/**
 * Issue 20 item 7: staff features on the PRODUCTION composition of modules (compose.ts: monitor,
 * gas, voice, selfcare … all of them), not a partial rig. The "已换纸 / paper replaced" button
 * failed there: its alert went into the monitor's outbox under a name the outbox refuses.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TestSocket, type Msg } from '../helpers/ws.js';
import { startProductionKiosk, type ProductionKiosk } from '../helpers/production-kiosk.js';
import { demoPin } from './helpers.js';

let k: ProductionKiosk | undefined;
let ws: TestSocket | undefined;
afterEach(async () => {
  ws?.close();
  await k?.stop();
  k = undefined;
  ws = undefined;
});

let nextId = 1;
async function ok(name: string, payload: unknown = {}): Promise<Msg> {
  const m = await ws!.command(name, payload, nextId++);
  expect(m.header.completionCode, `${name}: ${m.header.errorDescription ?? ''}`).toBe('success');
  return m;
}

/** Staff logs in with the PIN and enters maintenance; waits until the kiosk is in it and the printer is online. */
async function staffInMaintenanceWithPrinterOnline(): Promise<void> {
  await ok('Staff.OpenPrompt');
  await ok('Staff.Login', { pin: demoPin });
  await ok('Staff.EnterMode', { mode: 'maintenance' });
  await expect.poll(() => k!.agent.mode(), { timeout: 20_000 }).toBe('maintenance');
  await expect.poll(() => k!.agent.deviceStatuses()['printer']?.device, { timeout: 20_000 }).toBe('online');
}

function centralEvents(k: ProductionKiosk): { type: string; payload: string }[] {
  const db = new Database(join(k.central!.dataDir, 'central.db'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT type, payload FROM events ORDER BY id').all() as { type: string; payload: string }[];
  } finally {
    db.close();
  }
}

describe('staff maintenance on the production composition', () => {
  it('"paper replaced" succeeds, is audited, and reaches central as a monitoring event', async () => {
    k = await startProductionKiosk({ central: true });
    ws = await TestSocket.open(k.agent.url, k.agent.token);
    await staffInMaintenanceWithPrinterOnline();

    const m = await ws.command('Staff.PrinterPaperReplaced', {}, nextId++);
    expect(m.header.completionCode, m.header.errorDescription).toBe('success');
    expect(m.payload).toMatchObject({ status: { device: 'online', paper: 'full' } });
    const audit = k.agent.db.prepare("SELECT detail FROM audit_log WHERE action = 'staff.printer.paperReplaced'").all();
    expect(audit).toHaveLength(1);

    await expect
      .poll(() => centralEvents(k!).filter((e) => e.type === 'printer.paper_replaced'), { timeout: 30_000 })
      .toHaveLength(1);
    const ev = centralEvents(k).find((e) => e.type === 'printer.paper_replaced')!;
    expect(JSON.parse(ev.payload)).toMatchObject({ staffNo: 'XN-G01', paper: 'full' });
    await ok('Staff.Exit');
  }, 90_000);
});

describe('staff entry on the production composition', () => {
  it('a PIN lockout reaches central as a monitoring event, without the PINs', async () => {
    k = await startProductionKiosk({ central: true, config: (c) => (c.staff.lockoutAttempts = 2) });
    ws = await TestSocket.open(k.agent.url, k.agent.token);
    await ok('Staff.OpenPrompt');
    for (const pin of ['111111', '222222']) {
      const m = await ws.command('Staff.Login', { pin }, nextId++);
      expect(m.header.completionCode).toBe('authorisationRequired');
    }
    await expect.poll(() => centralEvents(k!).filter((e) => e.type === 'staff.lockout'), { timeout: 30_000 }).toHaveLength(1);
    for (const e of centralEvents(k)) for (const pin of ['111111', '222222', demoPin]) expect(e.payload).not.toContain(pin);
  }, 90_000);

  it('the maintenance panel prints a test page on the production printer driver', async () => {
    k = await startProductionKiosk();
    ws = await TestSocket.open(k.agent.url, k.agent.token);
    await staffInMaintenanceWithPrinterOnline();
    const m = await ok('Staff.PrinterTestPage');
    expect(m.payload).toMatchObject({ outcome: 'printed' });
    const receipts = (await k.control('GET', '/printer/receipts')) as { cut: unknown }[];
    expect(receipts.filter((r) => r.cut !== null)).toHaveLength(1);
    await ok('Staff.Exit');
  }, 90_000);
});

describe('staff alert names at the outbox', () => {
  it('every staff alert maps to a name the outbox accepts', async () => {
    const { monitorEventType } = await import('../../apps/agent/src/staff/module.js');
    const { eventTypeSchema } = await import('@kiosk/contracts/heartbeat');
    for (const t of ['staff.lockout', 'printer.paperReplaced'] as const)
      expect(eventTypeSchema.safeParse(monitorEventType(t)).success).toBe(true);
    expect(monitorEventType('printer.paperReplaced')).toBe('printer.paper_replaced');
  });
});
